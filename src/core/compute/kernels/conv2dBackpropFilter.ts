import * as tf from '@tensorflow/tfjs-core';
import { simdRuntime, type SimdCall } from '../simd';
import { nativeConvFilterGrad } from './nativeConv';
import { fastSlice } from './slice';
import {
  assertNHWC,
  asShape4,
  heapF32,
  input,
  type KernelArgs,
  pair,
  type PadAttr,
  type RoundingAttr,
  Scope,
  wasmKernel,
} from './util';

/**
 * Conv2DBackpropFilter for wasm, which does not register it at all (any conv weight gradient throws there).
 *
 * Where the SIMD loops run (always, with tfjs's SIMD binaries) the gradient is accumulated tap by tap straight
 * from NHWC x and dy (`viaTaps`, 2-3x faster than the paths below: no transposes, no packed filter). The two
 * XNNPACK-based paths below remain for builds without them (and for comparison in tests):
 *
 * The weight gradient of an NHWC conv with stride s is itself a convolution:
 *   dW[kh, kw, ci, co] = sum_{n, oh, ow} xpad[n, oh*s + kh, ow*s + kw, ci] * dy[n, oh, ow, co]
 * so with x transposed to [Ci, H, W, N] as the input (batch Ci, channels N) and dy transposed to
 * [OH, OW, N, Co] as the filter, an ordinary Conv2D with stride 1, dilation s and the forward conv's padding
 * yields [Ci, KH, KW, Co], which is transposed to [KH, KW, Ci, Co]. The Conv2D runs on XNNPACK.
 *
 * When KH*KW*Ci is small (first layers), an explicit GEMM over im2col columns is used instead (`viaGemm`).
 *
 * Any stride works (the stride becomes the dilation); forward dilations other than 1 never reach this kernel
 * (tfjs does not differentiate dilated convs). 'same', 'valid' and explicit paddings, NHWC only.
 */
export function conv2DBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x', 'Conv2DBackpropFilter');
  const dy = input(inputs, 'dy', 'Conv2DBackpropFilter');
  assertNHWC(attrs.dataFormat, 'Conv2DBackpropFilter');
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter on wasm supports float32 only, got ${x.dtype} and ${dy.dtype}`);
  }
  const xShape = asShape4(x.shape, 'Conv2DBackpropFilter x');
  const filterShape = asShape4(attrs.filterShape as number[], 'Conv2DBackpropFilter filterShape');
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    pair(attrs.strides, 'Conv2DBackpropFilter strides'),
    1,
    attrs.pad as PadAttr,
    attrs.dimRoundingMode as RoundingAttr,
    false,
    'channelsLast',
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (dy.shape.length !== 4 || dy.shape[0] !== n || dy.shape[1] !== oh || dy.shape[2] !== ow || dy.shape[3] !== co) {
    throw new Error(
      `Conv2DBackpropFilter: dy has shape [${dy.shape.join(', ')}], expected [${[n, oh, ow, co].join(', ')}]`,
    );
  }
  if (n === 0 || oh === 0 || ow === 0 || ci === 0 || co === 0) {
    const out = backend.makeOutput([kh, kw, ci, co], 'float32');
    (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
    return out;
  }

  const nat = nativeConvFilterGrad(backend, x, dy, info);
  if (nat) return nat;
  if (conv2DBackpropFilterTuning.taps) {
    const out = viaTaps(backend, x, dy, info);
    if (out) return out;
  }
  // Few input channels (first layers): the conv below would have a batch of Ci and a huge filter to pack;
  // an explicit GEMM over im2col columns is 2-5x faster there. Otherwise the conv is faster (measured).
  if (ci * kh * kw <= conv2DBackpropFilterTuning.gemmMaxRows) return viaGemm(backend, x, dy, info);
  const scope = new Scope(backend);
  try {
    // Rows the weight gradient reads: padTop + H + padBottom' = KH + (OH - 1) * s. When the forward conv
    // left input rows unused at the bottom (padBottom' < 0) pad nothing there and crop the extra outputs.
    const padBottom = kh + (oh - 1) * sh - padInfo.top - h;
    const padRight = kw + (ow - 1) * sw - padInfo.left - w;
    const xt = scope.run('Transpose', { x }, { perm: [3, 1, 2, 0] }); // [Ci, H, W, N]
    const f = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, N, Co]
    const pad: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [padInfo.top, Math.max(0, padBottom)],
      [padInfo.left, Math.max(0, padRight)],
      [0, 0],
    ];
    let g = scope.run('Conv2D', { x: xt, filter: f }, { strides: [1, 1], pad, dilations: [sh, sw], dataFormat: 'NHWC' });
    if (g.shape[1] !== kh || g.shape[2] !== kw) {
      g = scope.track(fastSlice(backend, g, [0, 0, 0, 0], [ci, kh, kw, co]));
    }
    return wasmKernel('Transpose')({ inputs: { x: g }, backend, attrs: { perm: [1, 2, 0, 3] } }); // [KH, KW, Ci, Co]
  } finally {
    scope.dispose();
  }
}

/** Path choice, adjustable for tests and benchmarks. */
export const conv2DBackpropFilterTuning = {
  /** Largest KH*KW*Ci that takes the GEMM path (3x3 kernels with up to 4 input channels). */
  gemmMaxRows: 36,
  /** Most floats one im2col chunk may hold (32 MB); larger batches are processed in chunks. */
  colsLimit: 8 * 1024 * 1024,
  /** Use the SIMD per-tap loops (`viaTaps`) when they can run (else the conv / GEMM paths below). */
  taps: true,
  /** Bytes of x and dy one block of examples of `viaTaps` may span (kept in L2 while every tap reads it). */
  tapsBlockBytes: 256 * 1024,
};

/**
 * dW[kh, kw] = sum over examples and output positions of x[n, oh*s + kh - padTop, ow*s + kw - padLeft]^T
 * dy[n, oh, ow], accumulated tap by tap on SIMD loops (../simd.ts convGradTap: 4x8 register blocks) straight
 * from NHWC x and dy: no transposes, no packed filter (the conv path above packs all of dy as a filter and
 * transposes x and dy, which costs as much as its arithmetic on the large early layers). Examples are taken in
 * blocks that stay in L2 while all taps read them; each tap reads only the window of output positions whose
 * input lies inside the image, so padding costs nothing.
 */
function viaTaps(backend: KernelArgs['backend'], x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  const rt = simdRuntime(backend);
  if (!rt) return undefined;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  // The loops take Ci % 4 == 0 and Co % 8 == 0: other channel counts (first layers: 1 or 3) are zero-padded.
  const ci4 = Math.ceil(ci / 4) * 4;
  const co8 = Math.ceil(co / 8) * 8;
  const scope = new Scope(backend);
  try {
    const xs = ci4 === ci ? x : scope.track(padChannels(backend, x, n * h * w, ci, ci4));
    const dys = co8 === co ? dy : scope.track(padChannels(backend, dy, n * oh * ow, co, co8));
    const out = backend.makeOutput([kh, kw, ci4, co8], 'float32');
    const padded = ci4 !== ci || co8 !== co;
    if (padded) scope.track(out);
    const xEx = h * w * ci4 * 4;
    const dyEx = oh * ow * co8 * 4;
    const block = Math.max(1, Math.min(n, Math.floor(conv2DBackpropFilterTuning.tapsBlockBytes / (xEx + dyEx))));
    const blocks = Math.ceil(n / block);
    // Tasks (for the threads) are contiguous runs of blocks, each summing into its own output (the first into `out`).
    const parts = rt.split(blocks, 1, 1, 2 * rt.maxThreads);
    const outSize = kh * kw * ci4 * co8;
    const extra = parts.length > 1 ? rt.scratchAt((parts.length - 1) * outSize * 4) : 0;
    const xo = rt.offset(xs.dataId);
    const dyo = rt.offset(dys.dataId);
    const outs = parts.map((_, t) => (t === 0 ? rt.offset(out.dataId) : extra + (t - 1) * outSize * 4));
    heapF32(backend, out).fill(0);
    if (extra) new Float32Array(rt.buffer, extra, (parts.length - 1) * outSize).fill(0);
    // Output rows r with 0 <= r*s + k - pad < size.
    const range = (k: number, pad: number, s: number, size: number, outSize: number): [number, number] => [
      Math.max(0, Math.ceil((pad - k) / s)),
      Math.min(outSize, Math.floor((size - 1 + pad - k) / s) + 1),
    ];
    const lists = parts.map(([b0, b1], t): SimdCall[] => {
      const calls: SimdCall[] = [];
      for (let bi = b0; bi < b1; bi++) {
        const n0 = bi * block;
        const nb = Math.min(block, n - n0);
        for (let a = 0; a < kh; a++) {
          const [r0, r1] = range(a, padInfo.top, sh, h, oh);
          if (r1 <= r0) continue;
          for (let b = 0; b < kw; b++) {
            const [q0, q1] = range(b, padInfo.left, sw, w, ow);
            if (q1 <= q0) continue;
            const xStart = xo + n0 * xEx + (((r0 * sh + a - padInfo.top) * w + (q0 * sw + b - padInfo.left)) * ci4) * 4;
            const dyStart = dyo + n0 * dyEx + ((r0 * ow + q0) * co8) * 4;
            calls.push([
              'convGradTap', xStart, dyStart, outs[t] + (a * kw + b) * ci4 * co8 * 4, nb, xEx, dyEx,
              r1 - r0, sh * w * ci4 * 4, ow * co8 * 4, q1 - q0, sw * ci4 * 4, ci4, co8,
            ]);
          }
        }
      }
      return calls;
    });
    rt.parallel(lists);
    // Sum the partial outputs into `out` (outSize is a multiple of 32: Ci % 4 == 0, Co % 8 == 0).
    const oo = outs[0];
    for (let t = 1; t < parts.length; t++) rt.fn.add(oo, outs[t], oo, outSize * 4);
    if (!padded) return out;
    const res = backend.makeOutput([kh, kw, ci, co], 'float32');
    const src = heapF32(backend, out);
    const dst = heapF32(backend, res);
    for (let t = 0; t < kh * kw; t++) {
      for (let i = 0; i < ci; i++) dst.set(src.subarray((t * ci4 + i) * co8, (t * ci4 + i) * co8 + co), (t * ci + i) * co);
    }
    return res;
  } finally {
    scope.dispose();
  }
}

/** [rows, c] -> [rows, cp] with zeros in the added channels. */
export function padChannels(backend: KernelArgs['backend'], t: tf.TensorInfo, rows: number, c: number, cp: number): tf.TensorInfo {
  const out = backend.makeOutput([rows, cp], 'float32');
  const src = heapF32(backend, t);
  const dst = heapF32(backend, out);
  dst.fill(0);
  if (c === 1) {
    for (let r = 0; r < rows; r++) dst[r * cp] = src[r];
  } else if (c === 3) {
    for (let r = 0, p = 0, q = 0; r < rows; r++, p += 3, q += cp) {
      dst[q] = src[p];
      dst[q + 1] = src[p + 1];
      dst[q + 2] = src[p + 2];
    }
  } else {
    for (let r = 0; r < rows; r++) dst.set(src.subarray(r * c, r * c + c), r * cp);
  }
  return out;
}

/**
 * dW [KH*KW*Ci, Co] = colsT [KH*KW*Ci, N*OH*OW] x dy [N*OH*OW, Co], one GEMM (stock BatchMatMul without
 * transposes, XNNPACK) per chunk of examples; colsT (im2col, transposed) is built in JS from x transposed to
 * [Ci, N, H, W], copying contiguous row segments. (Measured against dy^T x cols, which needs dy transposed:
 * 23 vs 26 ms on 128x28x28x1 -> 32, 43 vs 58 ms on 128x32x32x3 -> 32.)
 */
function viaGemm(
  backend: KernelArgs['backend'],
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const k = kh * kw * ci;
  const per = oh * ow;
  const chunk = Math.max(1, Math.min(n, Math.floor(conv2DBackpropFilterTuning.colsLimit / (k * per))));
  const scope = new Scope(backend);
  const matmul = wasmKernel('BatchMatMul');
  try {
    const xt = scope.run('Transpose', { x }, { perm: [3, 0, 1, 2] }); // [Ci, N, H, W]
    let acc: tf.TensorInfo | undefined;
    for (let n0 = 0; n0 < n; n0 += chunk) {
      const nb = Math.min(chunk, n - n0);
      const m = nb * per;
      const cols = scope.track(backend.makeOutput([1, k, m], 'float32'));
      const src = heapF32(backend, xt);
      const dst = heapF32(backend, cols);
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++) {
          // Output columns whose input column is inside the image: q*sw + b - left in [0, w).
          const lo = Math.max(0, Math.ceil((padInfo.left - b) / sw));
          const hi = Math.min(ow, Math.floor((w - 1 + padInfo.left - b) / sw) + 1);
          for (let c = 0; c < ci; c++) {
            let d = ((a * kw + b) * ci + c) * m;
            for (let e = n0; e < n0 + nb; e++) {
              const plane = (c * n + e) * h * w;
              for (let r = 0; r < oh; r++, d += ow) {
                const y = r * sh + a - padInfo.top;
                if (y < 0 || y >= h || hi <= lo) {
                  dst.fill(0, d, d + ow);
                  continue;
                }
                const rowStart = plane + y * w + b - padInfo.left;
                if (lo > 0) dst.fill(0, d, d + lo);
                if (sw === 1) dst.set(src.subarray(rowStart + lo, rowStart + hi), d + lo);
                else for (let q = lo; q < hi; q++) dst[d + q] = src[rowStart + q * sw];
                if (hi < ow) dst.fill(0, d + hi, d + ow);
              }
            }
          }
        }
      }
      // Rows n0*per .. n0*per+m of dy seen as [N*OH*OW, Co] (a copy only when chunked).
      const rows: tf.TensorInfo =
        nb === n
          ? dy
          : scope.track(fastSlice(backend, { dataId: dy.dataId, dtype: dy.dtype, shape: [n * per, co] }, [n0 * per, 0], [m, co]));
      const rows3: tf.TensorInfo = { dataId: rows.dataId, shape: [1, m, co], dtype: 'float32' };
      const attrs = { transposeA: false, transposeB: false };
      const part = scope.track(matmul({ inputs: { a: cols, b: rows3 }, backend, attrs }));
      acc = acc ? scope.run('Add', { a: acc, b: part }) : part;
    }
    if (!acc) throw new Error('Conv2DBackpropFilter: empty batch');
    scope.release(acc);
    return { dataId: acc.dataId, shape: [kh, kw, ci, co], dtype: 'float32' };
  } finally {
    scope.dispose();
  }
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
