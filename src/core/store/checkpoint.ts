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

export function saveCheckpoint(model: Model, dir: string, name: string): void {
  const tensors = namedTensors(model);
  const total = tensors.reduce((s, t) => s + t.variable.size, 0);
  const data = new Float32Array(total);
  const entries: { name: string; shape: number[]; offset: number; size: number }[] = [];
  let offset = 0;
  for (const t of tensors) {
    data.set(t.variable.dataSync() as Float32Array, offset);
    entries.push({ name: t.name, shape: t.variable.shape, offset, size: t.variable.size });
    offset += t.variable.size;
  }
  writeFileAtomic(path.join(dir, `${name}.bin`), new Uint8Array(data.buffer));
  const index: CheckpointIndex = { format: 'datadiet-weights-1', arch: model.spec.arch, tensors: entries };
  writeJsonAtomic(path.join(dir, `${name}.json`), index);
}

export function loadCheckpoint(model: Model, dir: string, name: string): void {
  const indexFile = path.join(dir, `${name}.json`);
  const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as CheckpointIndex;
  if (index.format !== 'datadiet-weights-1') throw new Error(`${indexFile}: not a Data Diet checkpoint`);
  const buf = fs.readFileSync(path.join(dir, `${name}.bin`));
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const byName = new Map(index.tensors.map((t) => [t.name, t]));
  for (const t of namedTensors(model)) {
    const e = byName.get(t.name);
    if (!e) throw new Error(`${indexFile}: no tensor "${t.name}" (checkpoint of a different model?)`);
    if (e.shape.join('x') !== t.variable.shape.join('x')) {
      throw new Error(`${indexFile}: "${t.name}" has shape ${e.shape.join('x')}, the model needs ${t.variable.shape.join('x')}`);
    }
    tf.tidy(() => t.variable.assign(tf.tensor(data.subarray(e.offset, e.offset + e.size), t.variable.shape)));
  }
}
