import * as tf from '@tensorflow/tfjs-core';
import { simdRuntime, type SimdCall } from '../simd';
import { input, type KernelArgs, type WasmBackend } from './util';

/**
 * DataDietAffineGradSqNorms {dy [N, ..., C], xhat [N, ..., C]} -> [N]: each example's squared norm of its
 * batch-norm affine-parameter gradient, sum_c (sum_p dy * xhat)^2 + (sum_p dy)^2 (dgamma and dbeta of that
 * example; p runs over the positions of the example), the batch-norm part of exact GraNd
 * (scores/perExampleGrads.ts). Composed from stock ops this is a multiply and two sums over the activations
 * (each its own pass and intermediate) and then squares; here it is one pass per example on the SIMD
 * per-channel sums (colCross: f32 blocks added into f64), split over the threads. C % 4 == 0.
 */
export const AFFINE_GRAD_SQ_NORMS = 'DataDietAffineGradSqNorms';

function affineGradSqNorms(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend } = args;
  const dy = input(inputs, 'dy', AFFINE_GRAD_SQ_NORMS);
  const xhat = input(inputs, 'xhat', AFFINE_GRAD_SQ_NORMS);
  const rt = simdRuntime(backend);
  if (!rt) throw new Error(`${AFFINE_GRAD_SQ_NORMS}: the wasm SIMD loops are unavailable`);
  const n = dy.shape[0] ?? 0;
  const c = dy.shape[dy.shape.length - 1] ?? 0;
  const total = dy.shape.reduce((a, b) => a * b, 1);
  if (dy.dtype !== 'float32' || xhat.dtype !== 'float32' || dy.shape.length < 2 || c % 4 !== 0 || c === 0 || dy.shape.join() !== xhat.shape.join()) {
    throw new Error(`${AFFINE_GRAD_SQ_NORMS}: needs float32 dy and xhat of the same shape [N, ..., C] with C % 4 == 0, got [${dy.shape.join(', ')}] and [${xhat.shape.join(', ')}]`);
  }
  const out = backend.makeOutput([n], 'float32');
  if (n === 0) return out;
  const p = total / n / c;
  const parts = rt.split(n, 1, 1, 4 * rt.maxThreads);
  // Scratch: per-example f64 sums (3C each: sum g, sum g*xhat, sum xhat), a zero shift vector, per-task f32 blocks.
  const a64Bytes = 3 * c * 8;
  const base = rt.scratchAt(n * a64Bytes + 4 * c + parts.length * 3 * c * 4);
  const shift = base + n * a64Bytes;
  const a32 = shift + 4 * c;
  new Uint8Array(rt.buffer, base, n * a64Bytes + 4 * c).fill(0);
  const dyo = rt.offset(dy.dataId);
  const xo = rt.offset(xhat.dataId);
  const ex = p * c * 4;
  const tasks = parts.map(([e0, e1], t): SimdCall[] => {
    const calls: SimdCall[] = [];
    for (let e = e0; e < e1; e++) calls.push(['colCross', dyo + e * ex, p, c, shift, a32 + t * 3 * c * 4, base + e * a64Bytes, xo + e * ex]);
    return calls;
  });
  rt.parallel(tasks);
  const sums = new Float64Array(rt.buffer, base, n * 3 * c);
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  for (let e = 0; e < n; e++) {
    let s = 0;
    for (let k = e * 3 * c, end = k + 2 * c; k < end; k++) s += sums[k] * sums[k];
    dst[e] = s;
  }
  return out;
}

export const affineGradSqNormsConfig: tf.KernelConfig = {
  kernelName: AFFINE_GRAD_SQ_NORMS,
  backendName: 'wasm',
  kernelFunc: affineGradSqNorms as unknown as tf.KernelFunc,
};

/** True when the active backend is wasm with this kernel registered and the SIMD loops running. */
export function affineGradSqNormsReady(): boolean {
  if (tf.getBackend() !== 'wasm' || !tf.getKernel(AFFINE_GRAD_SQ_NORMS, 'wasm')) return false;
  return simdRuntime(tf.backend() as WasmBackend) !== null;
}
