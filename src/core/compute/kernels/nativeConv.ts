import * as tf from '@tensorflow/tfjs-core';
import { nativeKernels, type NativeApi } from '../native';
import { heapF32, type KernelArgs } from './util';

/**
 * Convolutions and matrix products on the native kernels (../native.ts: oneDNN), reading and writing the wasm
 * heap in place. Each returns undefined when the native kernels are not loaded or oneDNN declines the shape (then
 * the caller runs its own loops; a declined shape is remembered, with why, in `nativeDeclined`).
 */
type Backend = KernelArgs['backend'];

/** The addon's conv kinds (0 forward, 1 input gradient, 2 filter gradient), or 'sq': per-example gradient norms. */
type Call = 0 | 1 | 2 | 'sq';

/** How many kernel calls ran natively (tests check that the native path ran; benchmarks report it). */
export const nativeCalls = { conv: 0, matMul: 0 };

/**
 * The oneDNN implementation that ran each shape (key -> e.g. 'brgconv:avx512_core'); a 'ref:' one is oneDNN's
 * reference loop, 10-100x slower than its JIT kernels, so tests check the shapes our models use never get it.
 */
export const nativeImpls = new Map<string, string>();

/** Shapes oneDNN could not run (key -> its message), so that they go straight to the wasm loops next time. */
export const nativeDeclined = new Map<string, string>();

/** The addon's dims array for a conv: [N, H, W, Ci, KH, KW, Co, OH, OW, strideH, strideW, padTop, padLeft, dilH, dilW]. */
export function convDims(info: tf.backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth,
    info.outChannels, info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, info.padInfo.top,
    info.padInfo.left, info.dilationHeight, info.dilationWidth,
  ]);
}

/**
 * Runs one native conv call (`kind` names it in the shape keys) into a new output of `outShape`: `call` gets the
 * addon, heap views of `inputs` and of the output, and the dims, and returns the oneDNN implementation that ran (if
 * it says). Undefined (output released, shape remembered as declined) when the native kernels are not loaded, an
 * input is not float32, the padding is negative, or oneDNN throws.
 */
export function runNativeConv(
  backend: Backend,
  kind: string,
  inputs: readonly tf.TensorInfo[],
  outShape: number[],
  info: tf.backend_util.Conv2DInfo,
  call: (nat: NativeApi, views: Float32Array[], out: Float32Array, dims: Int32Array) => string | void,
): tf.TensorInfo | undefined {
  const nat = nativeKernels();
  if (!nat || inputs.some((t) => t.dtype !== 'float32') || info.padInfo.top < 0 || info.padInfo.left < 0) return undefined;
  const d = convDims(info);
  const key = `${kind}:${d.join(',')}`;
  if (nativeDeclined.has(key)) return undefined;
  const out = backend.makeOutput(outShape, 'float32');
  try {
    // Views after the last allocation: an allocation may grow (and detach) the heap.
    const impl = call(nat, inputs.map((t) => heapF32(backend, t)), heapF32(backend, out), d);
    if (impl) nativeImpls.set(key, impl);
    nativeCalls.conv++;
    return out;
  } catch (e) {
    backend.disposeData(out.dataId);
    nativeDeclined.set(key, e instanceof Error ? e.message : String(e));
    return undefined;
  }
}

function run(
  backend: Backend,
  call: Call,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  outShape: number[],
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | undefined {
  return runNativeConv(backend, String(call), [a, b], outShape, info, (nat, [av, bv], ov, d) =>
    call === 'sq' ? nat.convGradSqNorms(av, bv, ov, d) : nat.conv(call, av, bv, ov, d),
  );
}

export function nativeConvForward(backend: Backend, x: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  return run(backend, 0, x, filter, [info.batchSize, info.outHeight, info.outWidth, info.outChannels], info);
}

export function nativeConvInputGrad(backend: Backend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  return run(backend, 1, dy, filter, [info.batchSize, info.inHeight, info.inWidth, info.inChannels], info);
}

export function nativeConvFilterGrad(backend: Backend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  return run(backend, 2, x, dy, [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels], info);
}

/** Each example's squared filter-gradient norm [N] (DataDietConvGradSqNorms) on oneDNN, examples across threads. */
export function nativeConvGradSqNorms(backend: Backend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  return run(backend, 'sq', x, dy, [info.batchSize], info);
}

/**
 * a [..., M, K] x b [..., K, N] (either transposed by its flag) on native GEMM, for float32 operands of rank >= 2
 * whose leading (batch) dimensions are equal or on one side all 1 (broadcast); undefined otherwise or when the
 * native kernels are not loaded. tf.matMul of 2-D tensors reaches the kernel as rank 2.
 */
export function nativeBatchMatMul(backend: Backend, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): tf.TensorInfo | undefined {
  const nat = nativeKernels();
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (!nat || a.dtype !== 'float32' || b.dtype !== 'float32' || ra < 2 || rb < 2) return undefined;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== (transposeB ? b.shape[rb - 1] : b.shape[rb - 2])) return undefined;
  const leadA = a.shape.slice(0, -2);
  const leadB = b.shape.slice(0, -2);
  const ba = leadA.reduce((x, y) => x * y, 1);
  const bb = leadB.reduce((x, y) => x * y, 1);
  let lead: number[];
  if (ba === 1 && bb === 1) lead = leadA.length >= leadB.length ? leadA : leadB;
  else if (ba === 1) lead = leadB;
  else if (bb === 1) lead = leadA;
  else if (leadA.length === leadB.length && leadA.every((d, i) => d === leadB[i])) lead = leadA;
  else return undefined;
  const batch = Math.max(ba, bb);
  const out = backend.makeOutput([...lead, m, n], 'float32');
  const A = heapF32(backend, a);
  const B = heapF32(backend, b);
  const C = heapF32(backend, out);
  for (let i = 0; i < batch; i++) {
    const ai = ba === 1 ? 0 : i * m * k;
    const bi = bb === 1 ? 0 : i * k * n;
    nat.gemm(transposeA, transposeB, m, n, k, A.subarray(ai, ai + m * k), B.subarray(bi, bi + k * n), C.subarray(i * m * n, (i + 1) * m * n), 0);
  }
  nativeCalls.matMul++;
  return out;
}
