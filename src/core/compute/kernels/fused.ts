import * as tf from '@tensorflow/tfjs-core';
import { simdRuntime, type SimdCall, type SimdRuntime } from '../simd';
import { input, type KernelArgs, type WasmBackend } from './util';

/**
 * Fused kernels for the layers between convolutions, registered for wasm under their own names (layers.ts
 * calls them through `tf.engine().runKernel` when `fusedKernelsReady()`; other backends compose stock ops).
 * All float32, channels innermost, C % 4 == 0 (see `fusedBatchNormFits`). Each is one or two passes of the
 * SIMD loops in ../simd.ts.
 *
 * - BatchNormStats {x, runMean, runVar} attrs {momentum}: per-channel batch mean and biased variance over all
 *   leading axes (one pass, sums shifted by the first row for accuracy, f64 accumulation) -> [mean, variance,
 *   newRunMean, newRunVar] with PyTorch's running update (unbiased variance, `momentum` on the new value).
 * - BatchNormApply {x, mean, variance, gamma, beta} attrs {epsilon, relu}: y = (x - mean) * gamma /
 *   sqrt(variance + epsilon) + beta, then max(y, 0) when relu. One pass.
 * - BatchNormGrad {dy, x, y?, gamma, mean, variance} attrs {epsilon, relu}: the training-mode batch-norm backward
 *   (batch statistics), with the ReLU mask y > 0 applied to dy first when relu. -> [dx, dgamma, dbeta]. Two
 *   passes: sums of g and g * (x - mean), then dx = a g + k (x - mean) + d per channel.
 * - AddRelu {a, b}: max(a + b, 0) (same shapes). ReluGrad {dy, y}: dy where y > 0, else 0.
 * - Sgd {p, g, buf?} attrs {lr, momentum, weightDecay, nesterov}: one torch.optim.SGD momentum step (the same
 *   float32 operations in the same order as Sgd's composed ops; without buf it is the first step, buf = d)
 *   -> [newP, newBuf].
 */

export const BN_STATS = 'DataDietBatchNormStats';
export const BN_APPLY = 'DataDietBatchNormApply';
export const BN_GRAD = 'DataDietBatchNormGrad';
export const ADD_RELU = 'DataDietAddRelu';
export const RELU_GRAD = 'DataDietReluGrad';
export const SGD = 'DataDietSgd';

function runtime(backend: WasmBackend, kernel: string): SimdRuntime {
  const rt = simdRuntime(backend);
  if (!rt) throw new Error(`${kernel}: the wasm SIMD loops are unavailable`);
  return rt;
}

function channels(x: tf.TensorInfo, kernel: string): { p: number; c: number } {
  if (x.dtype !== 'float32') throw new Error(`${kernel}: float32 only, got ${x.dtype}`);
  const c = x.shape[x.shape.length - 1] ?? 0;
  const size = x.shape.reduce((a, b) => a * b, 1);
  if (x.shape.length < 2 || c === 0 || c % 4 !== 0 || size === 0) {
    throw new Error(`${kernel}: needs a non-empty float32 tensor whose last axis is a multiple of 4, got [${x.shape.join(', ')}]`);
  }
  return { p: size / c, c };
}

function vector(backend: WasmBackend, t: tf.TensorInfo, c: number, what: string): Float32Array {
  if (t.shape.length !== 1 || t.shape[0] !== c || t.dtype !== 'float32') {
    throw new Error(`${what}: expected a float32 vector of ${c}, got [${t.shape.join(', ')}] ${t.dtype}`);
  }
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/**
 * Scratch layout: up to 4 f32 parameter vectors (4C), then per task (see `split`: at most four per thread)
 * f64 accumulators (3C) and f32 accumulators (3C).
 */
function scratch(rt: SimdRuntime, c: number): { prm: number; a64: (t: number) => number; a32: (t: number) => number } {
  const slots = 4 * rt.maxThreads;
  const base = rt.scratchAt(c * (16 + 36 * slots));
  return { prm: base, a64: (t) => base + 16 * c + 36 * c * t, a32: (t) => base + 16 * c + 36 * c * t + 24 * c };
}

/** Rows per task below which a per-channel pass is not split further. */
const MIN_ROWS = 2048;

/**
 * Runs a per-channel sum over [P, C] rows split across threads (each into its own accumulators) and returns
 * the f64 sums added up, `width` C-vectors of them.
 */
function parallelSums(
  rt: SimdRuntime,
  p: number,
  c: number,
  width: number,
  s: ReturnType<typeof scratch>,
  call: (start: number, rows: number, a32: number, a64: number) => SimdCall,
): Float64Array {
  const parts = rt.split(p, MIN_ROWS);
  for (let t = 0; t < parts.length; t++) new Float64Array(rt.buffer, s.a64(t), width * c).fill(0);
  rt.parallel(parts.map(([a, b], t) => [call(a, b - a, s.a32(t), s.a64(t))])); // one accumulator slot per task
  const total = new Float64Array(width * c);
  for (let t = 0; t < parts.length; t++) {
    const acc = new Float64Array(rt.buffer, s.a64(t), width * c);
    for (let k = 0; k < width * c; k++) total[k] += acc[k];
  }
  return total;
}

/** An elementwise per-row pass over [P, C] split across threads. */
function parallelRows(rt: SimdRuntime, p: number, call: (start: number, rows: number) => SimdCall): void {
  rt.parallel(rt.split(p, MIN_ROWS).map(([a, b]) => [call(a, b - a)]));
}

function batchNormStats(args: KernelArgs): tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x', BN_STATS);
  const runMean = input(inputs, 'runMean', BN_STATS);
  const runVar = input(inputs, 'runVar', BN_STATS);
  const { p, c } = channels(x, BN_STATS);
  const momentum = attrs.momentum as number;
  const rt = runtime(backend, BN_STATS);
  const outs = [0, 1, 2, 3].map(() => backend.makeOutput([c], 'float32'));
  const s = scratch(rt, c);
  const xo = rt.offset(x.dataId);
  // Shift by the first row: sums of (x - x[0]) and their squares lose nothing to a large mean.
  new Float32Array(rt.buffer, s.prm, c).set(new Float32Array(rt.buffer, xo, c));
  const acc = parallelSums(rt, p, c, 2, s, (start, rows, a32, a64) => ['colSumSq', xo + start * c * 4, rows, c, s.prm, a32, a64]);
  const shift = new Float32Array(rt.buffer, s.prm, c);
  const [mean, variance, newMean, newVar] = outs.map((o) => backend.typedArrayFromHeap(o) as Float32Array);
  const rm = vector(backend, runMean, c, BN_STATS);
  const rv = vector(backend, runVar, c, BN_STATS);
  const unbias = p / Math.max(1, p - 1);
  for (let k = 0; k < c; k++) {
    const m = acc[k] / p;
    const v = Math.max(0, acc[c + k] / p - m * m);
    mean[k] = shift[k] + m;
    variance[k] = v;
    newMean[k] = (1 - momentum) * rm[k] + momentum * mean[k];
    newVar[k] = (1 - momentum) * rv[k] + momentum * v * unbias;
  }
  return outs;
}

function batchNormApply(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x', BN_APPLY);
  const { p, c } = channels(x, BN_APPLY);
  const eps = attrs.epsilon as number;
  const rt = runtime(backend, BN_APPLY);
  const out = backend.makeOutput(x.shape.slice(), 'float32');
  const s = scratch(rt, c);
  const mean = vector(backend, input(inputs, 'mean', BN_APPLY), c, BN_APPLY);
  const variance = vector(backend, input(inputs, 'variance', BN_APPLY), c, BN_APPLY);
  const gamma = vector(backend, input(inputs, 'gamma', BN_APPLY), c, BN_APPLY);
  const beta = vector(backend, input(inputs, 'beta', BN_APPLY), c, BN_APPLY);
  const prm = new Float32Array(rt.buffer, s.prm, 3 * c);
  for (let k = 0; k < c; k++) {
    prm[k] = mean[k];
    prm[c + k] = gamma[k] / Math.sqrt(variance[k] + eps);
    prm[2 * c + k] = beta[k];
  }
  const xo = rt.offset(x.dataId);
  const oo = rt.offset(out.dataId);
  const relu = attrs.relu ? 1 : 0;
  parallelRows(rt, p, (start, rows) => ['affine', xo + start * c * 4, oo + start * c * 4, rows, c, s.prm, relu]);
  return out;
}

function batchNormGrad(args: KernelArgs): tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const dy = input(inputs, 'dy', BN_GRAD);
  const x = input(inputs, 'x', BN_GRAD);
  const relu = attrs.relu === true;
  const y = relu ? input(inputs, 'y', BN_GRAD) : undefined;
  const { p, c } = channels(x, BN_GRAD);
  for (const t of y ? [dy, y] : [dy]) {
    if (t.dtype !== 'float32' || t.shape.length !== x.shape.length || t.shape.some((d, i) => d !== x.shape[i])) {
      throw new Error(`${BN_GRAD}: dy and y must have the shape of x`);
    }
  }
  const eps = attrs.epsilon as number;
  const rt = runtime(backend, BN_GRAD);
  const dx = backend.makeOutput(x.shape.slice(), 'float32');
  const dgamma = backend.makeOutput([c], 'float32');
  const dbeta = backend.makeOutput([c], 'float32');
  const s = scratch(rt, c);
  const dyo = rt.offset(dy.dataId);
  const xo = rt.offset(x.dataId);
  // Sums shifted by the first row K of x (x - K is exact in f32 for values of one scale), among them sum(x - K):
  // the exact batch mean is recovered in f64 (the mean tensor was rounded to f32), and with it
  // sum g (x - mean) = sum g (x - K) - (mean - K) sum g.
  new Float32Array(rt.buffer, s.prm, c).set(new Float32Array(rt.buffer, xo, c));
  const yo = y ? rt.offset(y.dataId) : 0;
  const acc = parallelSums(rt, p, c, 3, s, (start, rows, a32, a64) => {
    const o = start * c * 4;
    return y
      ? ['colCrossRelu', dyo + o, rows, c, s.prm, a32, a64, xo + o, yo + o]
      : ['colCross', dyo + o, rows, c, s.prm, a32, a64, xo + o];
  });
  const variance = vector(backend, input(inputs, 'variance', BN_GRAD), c, BN_GRAD);
  const gamma = vector(backend, input(inputs, 'gamma', BN_GRAD), c, BN_GRAD);
  vector(backend, input(inputs, 'mean', BN_GRAD), c, BN_GRAD); // shape check (the mean is recomputed)
  const prm = new Float32Array(rt.buffer, s.prm, 4 * c);
  const dg = backend.typedArrayFromHeap(dgamma) as Float32Array;
  const db = backend.typedArrayFromHeap(dbeta) as Float32Array;
  for (let k = 0; k < c; k++) {
    const inv = 1 / Math.sqrt(variance[k] + eps);
    const sg = acc[k];
    const shiftedMean = acc[2 * c + k] / p; // mean - K
    const dgk = inv * (acc[c + k] - shiftedMean * sg);
    db[k] = sg;
    dg[k] = dgk;
    const a = gamma[k] * inv;
    const kk = (-a * inv * dgk) / p;
    // dx = a g + kk (x - mean) + d = a g + kk (x - K) + (d - kk (mean - K))   (prm[0..c) holds K)
    prm[c + k] = a;
    prm[2 * c + k] = kk;
    prm[3 * c + k] = (-a * sg) / p - kk * shiftedMean;
  }
  const dxo = rt.offset(dx.dataId);
  parallelRows(rt, p, (start, rows) => {
    const o = start * c * 4;
    return y ? ['bnGradRelu', dyo + o, xo + o, dxo + o, rows, c, s.prm, yo + o] : ['bnGrad', dyo + o, xo + o, dxo + o, rows, c, s.prm];
  });
  return [dx, dgamma, dbeta];
}

function sameShape(a: tf.TensorInfo, b: tf.TensorInfo, kernel: string): number {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${kernel}: needs two float32 tensors of one shape`);
  }
  return a.shape.reduce((s, d) => s * d, 1);
}

/** out = f(a, b) elementwise: the SIMD loop over whole vectors, the last size % 4 elements here. */
function binary(args: KernelArgs, kernel: string, names: [string, string], f: 'addRelu' | 'reluGrad'): tf.TensorInfo {
  const { inputs, backend } = args;
  const a = input(inputs, names[0], kernel);
  const b = input(inputs, names[1], kernel);
  const n = sameShape(a, b, kernel);
  const out = backend.makeOutput(a.shape.slice(), 'float32');
  if (n === 0) return out;
  const rt = runtime(backend, kernel);
  const n4 = n & ~3;
  if (n4 > 0) {
    const [ao, bo, oo] = [rt.offset(a.dataId), rt.offset(b.dataId), rt.offset(out.dataId)];
    rt.parallel(rt.split(n4, 65536, 4).map(([i, j]): SimdCall[] => [[f, ao + i * 4, bo + i * 4, oo + i * 4, (j - i) * 4]]));
  }
  if (n4 < n) {
    const av = backend.typedArrayFromHeap(a) as Float32Array;
    const bv = backend.typedArrayFromHeap(b) as Float32Array;
    const ov = backend.typedArrayFromHeap(out) as Float32Array;
    for (let i = n4; i < n; i++) ov[i] = f === 'addRelu' ? Math.max(av[i] + bv[i], 0) : bv[i] > 0 ? av[i] : 0;
  }
  return out;
}

function sgd(args: KernelArgs): tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const p = input(inputs, 'p', SGD);
  const g = input(inputs, 'g', SGD);
  const buf = inputs.buf;
  const n = sameShape(p, g, SGD);
  if (buf) sameShape(p, buf, SGD);
  const lr = attrs.lr as number;
  const m = attrs.momentum as number;
  const wd = attrs.weightDecay as number;
  const nesterov = attrs.nesterov === true;
  const outP = backend.makeOutput(p.shape.slice(), 'float32');
  const outBuf = backend.makeOutput(p.shape.slice(), 'float32');
  const prm = [lr, buf ? m : 0, nesterov ? 1 : 0, nesterov ? m : 1, wd];
  const n4 = n & ~3;
  if (n4 > 0) {
    const rt = runtime(backend, SGD);
    const s = rt.scratchAt(32);
    new Float32Array(rt.buffer, s, 5).set(prm);
    // Without a buffer (first step) it is multiplied by 0: any finite data will do, g is at hand.
    rt.fn.sgdStep(rt.offset(p.dataId), rt.offset(g.dataId), rt.offset((buf ?? g).dataId), rt.offset(outP.dataId), rt.offset(outBuf.dataId), n4 * 4, s);
  }
  if (n4 < n) {
    const f = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    const [pv, gv, bv, op, ob] = [f(p), f(g), buf ? f(buf) : undefined, f(outP), f(outBuf)];
    const r = Math.fround;
    for (let i = n4; i < n; i++) {
      const d = wd ? r(gv[i] + r(wd * pv[i])) : gv[i];
      const nb = bv ? r(r(m * bv[i]) + d) : d;
      ob[i] = nb;
      op[i] = r(pv[i] - r(lr * (nesterov ? r(d + r(m * nb)) : nb)));
    }
  }
  return [outP, outBuf];
}

export const fusedKernelConfigs: readonly tf.KernelConfig[] = [
  { kernelName: SGD, backendName: 'wasm', kernelFunc: sgd as unknown as tf.KernelFunc },
  { kernelName: BN_STATS, backendName: 'wasm', kernelFunc: batchNormStats as unknown as tf.KernelFunc },
  { kernelName: BN_APPLY, backendName: 'wasm', kernelFunc: batchNormApply as unknown as tf.KernelFunc },
  { kernelName: BN_GRAD, backendName: 'wasm', kernelFunc: batchNormGrad as unknown as tf.KernelFunc },
  {
    kernelName: ADD_RELU,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => binary(args, ADD_RELU, ['a', 'b'], 'addRelu')) as unknown as tf.KernelFunc,
  },
  {
    kernelName: RELU_GRAD,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => binary(args, RELU_GRAD, ['dy', 'y'], 'reluGrad')) as unknown as tf.KernelFunc,
  },
];

/** True when the active backend is wasm with the fused kernels registered and the SIMD loops running. */
export function fusedKernelsReady(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  if (!tf.getKernel(BN_APPLY, 'wasm')) return false;
  return simdRuntime(tf.backend() as WasmBackend) !== null;
}

/** Whether the fused batch-norm kernels take this input (float32, last axis a multiple of 4, not empty). */
export function fusedBatchNormFits(x: tf.Tensor): boolean {
  const c = x.shape[x.shape.length - 1] ?? 0;
  return x.dtype === 'float32' && x.rank >= 2 && c > 0 && c % 4 === 0 && x.size > 0;
}
