/**
 * The weight shards a model.json lists: where they may live, how many bytes they must hold, and reading them into
 * the one buffer tfjs decodes weights from. A model.json is downloaded data, so every path in it is checked to stay
 * inside the model's folder before anything is opened.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { io } from '@tensorflow/tfjs-core';

/** One group of weightsManifest: its shard files and the weights stored in them, back to back. */
type WeightGroup = io.WeightsManifestConfig[number];
import { DataFormatError } from '../data/dataset';

/** Bytes one stored value takes, by stored dtype (a quantized weight is stored in its quantization dtype). */
const STORED_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/**
 * Resolves one weightsManifest path against the model folder, refusing anything that would leave it: absolute
 * paths, URLs and `..` escapes. Symbolic links inside the folder are followed as usual (caches such as Hugging
 * Face's keep shards as links to a blob store); only what model.json names is constrained.
 */
export function resolveShardPath(dir: string, shard: string, modelJsonFile: string): string {
  const outside = () =>
    new DataFormatError(
      modelJsonFile,
      `weightsManifest names "${shard}", which is outside the model folder`,
      'a model.json may only name weight files in its own folder; get the model again from its source',
    );
  if (shard.length === 0 || shard.includes('\0') || /^[a-z][a-z0-9+.-]*:/i.test(shard) || path.isAbsolute(shard) || shard.startsWith('\\')) {
    throw outside();
  }
  const resolved = path.resolve(dir, shard);
  const rel = path.relative(path.resolve(dir), resolved);
  if (rel === '' || rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) throw outside();
  return resolved;
}

/** Bytes a weight group's shards must hold together; undefined when a string weight makes it variable. */
export function expectedGroupBytes(group: WeightGroup): number | undefined {
  let total = 0;
  for (const w of group.weights) {
    const stored = w.quantization?.dtype ?? w.dtype;
    const bytes = STORED_BYTES[stored];
    if (bytes === undefined) return undefined;
    total += w.shape.reduce((a, b) => a * b, 1) * bytes;
  }
  return total;
}

/** One shard on disk, as model.json names it and where it resolved to. */
export interface WeightShard {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
}

/**
 * Checks a model.json's weightsManifest against the files in its folder: the manifest is well formed, every shard
 * exists, and each group's shards hold exactly the bytes its weights need. Reads sizes only, no contents.
 */
export function checkWeightShards(dir: string, manifest: unknown, modelJsonFile: string): WeightShard[] {
  const bad = (problem: string) => new DataFormatError(modelJsonFile, problem, 'the file is damaged; download or convert the model again');
  if (!Array.isArray(manifest)) throw bad('weightsManifest is not a list');
  const shards: WeightShard[] = [];
  manifest.forEach((group: unknown, g) => {
    if (!isGroup(group)) throw bad(`weightsManifest[${g}] needs a "paths" list of file names and a "weights" list of {name, shape, dtype}`);
    const files = group.paths.map((p) => {
      const file = resolveShardPath(dir, p, modelJsonFile);
      let stat: fs.Stats;
      try {
        stat = fs.statSync(file);
      } catch {
        throw new DataFormatError(file, 'weight file is missing; model.json lists it in weightsManifest', 'copy every .bin file of the download next to model.json');
      }
      if (!stat.isFile()) throw new DataFormatError(file, 'is not a file, but model.json lists it as a weight file', 'copy every .bin file of the download next to model.json');
      return { name: p, file, bytes: stat.size };
    });
    const expected = expectedGroupBytes(group);
    const actual = files.reduce((s, f) => s + f.bytes, 0);
    if (expected !== undefined && expected !== actual) throw sizeMismatch(files, expected, actual);
    shards.push(...files);
  });
  return shards;
}

function isGroup(v: unknown): v is WeightGroup {
  if (typeof v !== 'object' || v === null) return false;
  const g = v as Record<string, unknown>;
  return (
    Array.isArray(g.paths) &&
    g.paths.every((p) => typeof p === 'string') &&
    Array.isArray(g.weights) &&
    g.weights.every((w) => typeof w === 'object' && w !== null && typeof w.name === 'string' && Array.isArray(w.shape) && w.shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0) && typeof w.dtype === 'string')
  );
}

function sizeMismatch(files: readonly WeightShard[], expected: number, actual: number): DataFormatError {
  const names = files.map((f) => f.name).join(', ');
  const page = files.find((f) => looksLikeWebPage(f.file));
  if (page) {
    return new DataFormatError(page.file, 'is a web page, not weights (an error page saved in place of the file?)', 'download the model again');
  }
  const where = files.length === 1 ? files[0].file : path.join(path.dirname(files[0].file), `{${names}}`);
  return new DataFormatError(
    where,
    `${files.length === 1 ? 'holds' : 'hold together'} ${actual} bytes, but model.json's weightsManifest needs ${expected}`,
    actual < expected ? 'the download was probably cut short; download the model again' : 'the weight files and model.json come from different conversions; download or convert the model again',
  );
}

function looksLikeWebPage(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(64);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      return /^\s*<(!doctype|html|\?xml)/i.test(head.subarray(0, n).toString('latin1'));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * Reads the shards, in manifest order, into one ArrayBuffer (the layout tfjs expects for `weightData`), calling
 * `onBytes` with each shard's contents (for the fingerprint). Sizes were checked already; a file that changes
 * size in between is reported rather than decoded wrongly.
 */
export async function readWeightShards(shards: readonly WeightShard[], onBytes: (b: Uint8Array) => void): Promise<ArrayBuffer> {
  const total = shards.reduce((s, f) => s + f.bytes, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const s of shards) {
    const bytes = await fs.promises.readFile(s.file);
    if (bytes.length !== s.bytes) throw new DataFormatError(s.file, `changed size while being read (${s.bytes} -> ${bytes.length} bytes)`, 'wait until the copy or download has finished');
    out.set(bytes, offset);
    onBytes(bytes);
    offset += bytes.length;
  }
  return out.buffer;
}
