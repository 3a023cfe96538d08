import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { initBackend } from '../../../../src/core/compute/backend';
import { nativeKernels, nativeStatus } from '../../../../src/core/compute/native';
import { relError } from '../../helpers/tf';

/**
 * wasm (1 thread, our kernels registered) for the kernel tests; cpu is the reference. The native kernels stay off
 * here so that these tests check the wasm loops; native.test.ts checks the native ones (`useNative`).
 */
export async function useWasm(threads = 1, native = false): Promise<void> {
  await initBackend('wasm', { threads, native });
}

/**
 * wasm with the native kernels (oneDNN) on. Returns false, after marking the test skipped with the reason, when
 * they are not built here; with DATADIET_REQUIRE_NATIVE=1 (CI) that is a failure instead.
 */
export async function useNative(t: { skip(msg: string): void }, threads = 2): Promise<boolean> {
  await initBackend('wasm', { threads, native: true });
  if (nativeKernels()) return true;
  const why = nativeStatus().detail;
  if (process.env.DATADIET_REQUIRE_NATIVE === '1') assert.fail(`native kernels required (DATADIET_REQUIRE_NATIVE=1) but ${why}`);
  t.skip(why);
  return false;
}

/**
 * Runs kernel `name` on `backend` with inputs copied there; returns the output values and shapes. Reads back
 * asynchronously: webgpu under Node has no synchronous readback (its readSync needs OffscreenCanvas).
 */
export async function runOn(
  backend: 'cpu' | 'wasm' | 'webgpu',
  name: string,
  inputs: Record<string, { values: Float32Array | Int32Array | Uint8Array; shape: number[]; dtype?: tf.DataType }>,
  attrs: tf.NamedAttrMap,
): Promise<{ values: tf.backend_util.TypedArray; shape: number[] }[]> {
  await tf.setBackend(backend);
  const ins: tf.NamedTensorMap = {};
  for (const [k, v] of Object.entries(inputs)) ins[k] = tf.tensor(v.values, v.shape, v.dtype ?? 'float32');
  const out = tf.engine().runKernel(name, ins, attrs) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  const res = await Promise.all(outs.map(async (t) => ({ values: (await t.data()) as tf.backend_util.TypedArray, shape: t.shape.slice() })));
  tf.dispose(outs);
  tf.dispose(Object.values(ins));
  return res;
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32). */
export function randomValues(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Compares kernel `name` on `backend` (default wasm) against cpu: same shapes, relative error (max |a-b| / max |b|)
 * below tol.
 */
export async function assertKernelMatchesCpu(
  name: string,
  inputs: Parameters<typeof runOn>[2],
  attrs: tf.NamedAttrMap,
  label: string,
  tol = 1e-5,
  backend: 'wasm' | 'webgpu' = 'wasm',
): Promise<void> {
  const ref = await runOn('cpu', name, inputs, attrs);
  const got = await runOn(backend, name, inputs, attrs);
  assert.equal(got.length, ref.length, `${label}: number of outputs`);
  for (let i = 0; i < ref.length; i++) {
    assert.deepEqual(got[i].shape, ref[i].shape, `${label}: shape of output ${i}`);
    const err = relError(got[i].values, ref[i].values);
    assert.ok(err <= tol, `${label}: relative error ${err.toExponential(2)} > ${tol}`);
  }
}

/**
 * Runs f repeatedly on wasm and checks nothing accumulates: engine tensors and bytes, and the backend's own
 * data ids (which also count intermediates a kernel created and forgot to dispose).
 */
export async function assertNoLeak(f: () => tf.Tensor | tf.Tensor[], label: string, reps = 3): Promise<void> {
  await tf.setBackend('wasm');
  tf.dispose(f()); // warm-up (lazy allocations)
  const before = tf.memory();
  const ids = tf.backend().numDataIds();
  for (let i = 0; i < reps; i++) tf.dispose(f());
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors, `${label}: engine tensors`);
  assert.equal(after.numBytes, before.numBytes, `${label}: engine bytes`);
  assert.equal(tf.backend().numDataIds(), ids, `${label}: wasm data ids`);
}

/** A convolution test case: NHWC input shape, filter size, output channels, stride, padding (and dilation). */
export type ConvPad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
export interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  stride: number | [number, number];
  pad: ConvPad;
  dilation?: number;
}

/**
 * BatchMatMul operand shapes for every transpose combination of each [a, b] pair (given untransposed): the
 * transposed operand has its last two dimensions swapped.
 */
export function matMulCombos(shapes: readonly [number[], number[]][]): { a: number[]; b: number[]; ta: boolean; tb: boolean }[] {
  const swap = (s: number[]) => [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]];
  const out: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [];
  for (const [as, bs] of shapes) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) out.push({ a: ta ? swap(as) : as, b: tb ? swap(bs) : bs, ta, tb });
    }
  }
  return out;
}

/** BatchMatMul shape pairs (untransposed) the kernel tests share: 2-D, batched, broadcast batch, odd sizes. */
export const MATMUL_SHAPES: readonly [number[], number[]][] = [
  [[7, 5], [5, 3]],
  [[4, 7, 5], [4, 5, 3]],
  [[4, 7, 5], [1, 5, 3]],
  [[33, 64], [64, 17]],
];
