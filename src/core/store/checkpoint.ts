import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/model';
import { writeFileAtomic, writeJsonAtomic } from './atomicWrite';

/**
 * Weights as `<name>.json` (tensor names, shapes, offsets) + `<name>.bin` (little-endian float32, concatenated):
 * readable from numpy with np.fromfile and the offsets, no TensorFlow needed.
 */
export interface CheckpointIndex {
  readonly format: 'datadiet-weights-1';
  readonly arch: string;
  readonly tensors: readonly { readonly name: string; readonly shape: readonly number[]; readonly offset: number; readonly size: number }[];
}

function namedTensors(model: Model): { name: string; variable: tf.Variable }[] {
  // Parameter names are stable; state variables are named after their layer in their tf name (minus the #id).
  return [
    ...model.params.map((p) => ({ name: p.name, variable: p.variable })),
    ...model.state.map((v) => ({ name: v.name.replace(/#\d+$/, ''), variable: v })),
  ];
}

export async function saveCheckpoint(model: Model, dir: string, name: string): Promise<void> {
  const tensors = namedTensors(model);
  const total = tensors.reduce((s, t) => s + t.variable.size, 0);
  const data = new Float32Array(total);
  const entries: { name: string; shape: number[]; offset: number; size: number }[] = [];
  let offset = 0;
  for (const t of tensors) {
    data.set((await t.variable.data()) as Float32Array, offset);
    entries.push({ name: t.name, shape: t.variable.shape, offset, size: t.variable.size });
    offset += t.variable.size;
  }
  writeFileAtomic(path.join(dir, `${name}.bin`), new Uint8Array(data.buffer));
  const index: CheckpointIndex = { format: 'datadiet-weights-1', arch: model.spec.arch, tensors: entries };
  writeJsonAtomic(path.join(dir, `${name}.json`), index);
}

export function loadCheckpoint(model: Model, dir: string, name: string): void {
  const indexFile = path.join(dir, `${name}.json`);
  const binFile = path.join(dir, `${name}.bin`);
  const rerun = ' (rerun the training to write new weights)';
  let index: CheckpointIndex;
  try {
    index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as CheckpointIndex;
  } catch (e) {
    throw new Error(`${indexFile}: cannot read the checkpoint index: ${(e as Error).message}${rerun}`);
  }
  if (index?.format !== 'datadiet-weights-1' || !Array.isArray(index.tensors)) throw new Error(`${indexFile}: not a Data Diet checkpoint${rerun}`);
  if (!fs.existsSync(binFile)) throw new Error(`${binFile}: missing; ${path.basename(indexFile)} has no weights next to it${rerun}`);
  const buf = fs.readFileSync(binFile);
  // Checked before any tensor is assigned, so a torn file never leaves a half-loaded model.
  const need = 4 * index.tensors.reduce((m, t) => Math.max(m, t.offset + t.size), 0);
  if (buf.byteLength !== need) {
    throw new Error(`${binFile}: ${buf.byteLength < need ? 'truncated' : 'wrong size'}: ${buf.byteLength} bytes, ${path.basename(indexFile)} needs ${need}${rerun}`);
  }
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const byName = new Map(index.tensors.map((t) => [t.name, t]));
  for (const t of namedTensors(model)) {
    const e = byName.get(t.name);
    if (!e) throw new Error(`${indexFile}: no tensor "${t.name}" (checkpoint of a different model?)`);
    if (e.shape.join('x') !== t.variable.shape.join('x')) {
      throw new Error(`${indexFile}: "${t.name}" has shape ${e.shape.join('x')}, the model needs ${t.variable.shape.join('x')}`);
    }
  }
  for (const t of namedTensors(model)) {
    const e = byName.get(t.name)!;
    tf.tidy(() => t.variable.assign(tf.tensor(data.subarray(e.offset, e.offset + e.size), t.variable.shape)));
  }
}
