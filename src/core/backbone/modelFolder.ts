/**
 * A TensorFlow.js model folder read from disk: model.json, its format, and its weight shards concatenated, with a
 * content fingerprint. Everything is local: no path in model.json can reach outside the folder or the network.
 * Every problem is a DataFormatError naming the file and the fix.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { io } from '@tensorflow/tfjs-core';
import { DataFormatError } from '../data/dataset';
import { isDirectory, isFile } from '../data/fsutil';
import { detectModelFormat, foreignFileHint, foreignFolderHint, type ModelFormat } from './modelFormat';
import { checkWeightShards, readWeightShards } from './weightShards';

export const MODEL_JSON = 'model.json';

/** Bump when what the fingerprint covers changes, so old and new fingerprints never collide. */
const FINGERPRINT_VERSION = 'datadiet-backbone-fingerprint-v1';

export interface ModelFolder {
  readonly dir: string;
  readonly modelJsonFile: string;
  readonly format: ModelFormat;
  /** model.json as parsed; the shape tfjs calls ModelJSON. */
  readonly modelJson: io.ModelJSON;
  /** Every weight group's specs, in manifest order. */
  readonly weightSpecs: io.WeightsManifestEntry[];
  /** Every shard's bytes, concatenated in manifest order. */
  readonly weightData: ArrayBuffer;
  /** sha256 (hex) over model.json's bytes and then every shard's bytes. */
  readonly fingerprint: string;
}

/** Finds model.json for a folder (or model.json itself) and explains what else the path is when it has none. */
export function locateModelJson(target: string): string {
  if (!fs.existsSync(target)) {
    throw new DataFormatError(target, 'not found', 'pass the folder that holds model.json and its .bin weight files');
  }
  if (isFile(target)) {
    if (path.basename(target) === MODEL_JSON) return target;
    const hint = foreignFileHint(target);
    throw new DataFormatError(target, hint.problem, hint.fix);
  }
  if (!isDirectory(target)) throw new DataFormatError(target, 'is neither a file nor a folder', 'pass the folder that holds model.json');
  const file = path.join(target, MODEL_JSON);
  if (isFile(file)) return file;
  const names = fs.readdirSync(target);
  const hint = foreignFolderHint(names);
  if (hint) throw new DataFormatError(target, hint.problem, hint.fix);
  // An archive unpacked one level too deep is common: name the subfolder that has the model.
  const nested = names.filter((n) => isFile(path.join(target, n, MODEL_JSON)));
  if (nested.length > 0) {
    throw new DataFormatError(target, `has no ${MODEL_JSON}, but ${nested.map((n) => path.join(n, MODEL_JSON)).join(', ')} exists`, `pass ${path.join(target, nested[0])}`);
  }
  throw new DataFormatError(target, `has no ${MODEL_JSON}`, 'a TensorFlow.js model is a folder with model.json and .bin weight files; see docs/backbones.md');
}

/** Parses model.json bytes; recognizes the usual wrong contents (empty, a saved web page) before JSON's own error. */
export function parseModelJson(bytes: Uint8Array, file: string): unknown {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.trim().length === 0) throw new DataFormatError(file, 'is empty', 'download or convert the model again');
  if (/^\s*</.test(text)) {
    throw new DataFormatError(file, 'is a web page or XML, not JSON (an error page saved in place of the file?)', 'download the model again');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : 'parse error';
    throw new DataFormatError(file, `is not valid JSON (${why})`, 'the file is damaged or cut short; download or convert the model again');
  }
}

export async function readModelFolder(target: string): Promise<ModelFolder> {
  const modelJsonFile = locateModelJson(path.resolve(target));
  const dir = path.dirname(modelJsonFile);
  const jsonBytes = await fs.promises.readFile(modelJsonFile);
  const json = parseModelJson(jsonBytes, modelJsonFile);
  const verdict = detectModelFormat(json);
  if (!('format' in verdict)) throw new DataFormatError(modelJsonFile, verdict.problem, verdict.fix);
  const modelJson = json as io.ModelJSON;
  const shards = checkWeightShards(dir, modelJson.weightsManifest, modelJsonFile);
  const hash = createHash('sha256').update(FINGERPRINT_VERSION).update(lengthPrefix(jsonBytes.length)).update(jsonBytes);
  // model.json fixes every shard's size, so hashing the shards back to back is unambiguous.
  const weightData = await readWeightShards(shards, (b) => hash.update(b));
  return {
    dir,
    modelJsonFile,
    format: verdict.format,
    modelJson,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData,
    fingerprint: hash.digest('hex'),
  };
}

function lengthPrefix(n: number): string {
  return `${n}:`;
}
