import * as tf from '@tensorflow/tfjs-core';
import { nativeKernels } from '../native';
import { heapF32, type KernelArgs } from './util';

/**
 * Convolutions and matrix products on the native kernels (../native.ts: oneDNN), reading and writing the wasm
 * heap in place. Each returns undefined when the native kernels are not loaded or oneDNN declines the shape (then
 * the caller runs its own loops; a declined shape is remembered, with why, in `nativeDeclined`).
 */
type Backend = KernelArgs['backend'];

const FORWARD = 0;
const INPUT_GRAD = 1;
const FILTER_GRAD = 2;

/** Shapes oneDNN could not run (key -> its message), so that they go straight to the wasm loops next time. */
export const nativeDeclined = new Map<string, string>();

function dims(info: tf.backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth,
    info.outChannels, info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, info.padInfo.top,
    info.padInfo.left, info.dilationHeight, info.dilationWidth,
  ]);
}

function conv(
  backend: Backend,
  kind: 0 | 1 | 2,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  outShape: number[],
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | undefined {
  const nat = nativeKernels();
  if (!nat || a.dtype !== 'float32' || b.dtype !== 'float32' || info.padInfo.top < 0 || info.padInfo.left < 0) return undefined;
  const d = dims(info);
  const key = `${kind}:${d.join(',')}`;
  if (nativeDeclined.has(key)) return undefined;
  const out = backend.makeOutput(outShape, 'float32');
  try {
    // Views after the last allocation: an allocation may grow (and detach) the heap.
    nat.conv(kind, heapF32(backend, a), heapF32(backend, b), heapF32(backend, out), d);
    return out;
  } catch (e) {
    backend.disposeData(out.dataId);
    nativeDeclined.set(key, e instanceof Error ? e.message : String(e));
    return undefined;
  }
}

export function nativeConvForward(backend: Backend, x: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  return conv(backend, FORWARD, x, filter, [info.batchSize, info.outHeight, info.outWidth, info.outChannels], info);
}

export function nativeConvInputGrad(backend: Backend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  return conv(backend, INPUT_GRAD, dy, filter, [info.batchSize, info.inHeight, info.inWidth, info.inChannels], info);
}

export function nativeConvFilterGrad(backend: Backend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  return conv(backend, FILTER_GRAD, x, dy, [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels], info);
}

/**
 * a [B|1, M, K] x b [B|1, K, N] (either transposed by its flag) on native GEMM, batch broadcast as tfjs does;
 * undefined when the native kernels are not loaded or the shapes are not plain rank-3 float32.
 */
export function nativeBatchMatMul(backend: Backend, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): tf.TensorInfo | undefined {
  const nat = nativeKernels();
  if (!nat || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length !== 3 || b.shape.length !== 3) return undefined;
  const [ba, a1, a2] = a.shape;
  const [bb, b1, b2] = b.shape;
  const m = transposeA ? a2 : a1;
  const k = transposeA ? a1 : a2;
  const n = transposeB ? b1 : b2;
  if (k !== (transposeB ? b2 : b1) || (ba !== bb && ba !== 1 && bb !== 1)) return undefined;
  const batch = Math.max(ba, bb);
  const out = backend.makeOutput([batch, m, n], 'float32');
  const A = heapF32(backend, a);
  const B = heapF32(backend, b);
  const C = heapF32(backend, out);
  for (let i = 0; i < batch; i++) {
    const ai = ba === 1 ? 0 : i * m * k;
    const bi = bb === 1 ? 0 : i * k * n;
    nat.gemm(transposeA, transposeB, m, n, k, A.subarray(ai, ai + m * k), B.subarray(bi, bi + k * n), C.subarray(i * m * n, (i + 1) * m * n), 0);
  }
  return out;
}
