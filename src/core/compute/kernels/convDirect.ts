import * as tf from '@tensorflow/tfjs-core';
import { simdRuntime, type SimdCall, type SimdRuntime } from '../simd';
import { heapF32, type KernelArgs, Scope } from './util';

/**
 * Direct NHWC convolutions on the SIMD tile loop (../simd.ts convTile) and the runtime's threads, used by the
 * Conv2D, Conv2DBackpropInput overrides where they apply (Co % 8 == 0 output channels, no dilation, at least
 * 4 output columns). Weights are read in tfjs's [KH, KW, Ci, Co] layout as they are: nothing is packed or
 * transposed per call, the input is copied once into a zero-padded buffer when the conv pads.
 */
export const convDirectTuning = {
  /** Use the direct loops at all (tests and benchmarks switch them off to compare). */
  enabled: true,
  /** Bytes of input one call's block of examples may span (kept in L2 while every channel block reads it). */
  blockBytes: 192 * 1024,
  /** Narrowest output (width) the direct loops take (the tile loop needs 4 columns). */
  minWidth: 4,
  /**
   * Fewest input channels the forward direct loops take: with one (MNIST's first layer) the tile loop is all
   * loop overhead and the padded copy, and XNNPACK is faster (128x28x28x1 -> 32: 7.3 vs 12.5 ms CPU; with three,
   * 128x32x32x3 -> 16, the direct loops win, 5.5 vs 7.7 ms).
   */
  minInChannels: 2,
};

type Backend = KernelArgs['backend'];

/**
 * Filter [KH, KW, Ci, Co] -> [Co/8, KH, KW, Ci, 8] (the layout convTile reads: each block of 8 output channels
 * contiguous instead of 32 bytes out of every Co*4).
 */
function packWeights(backend: Backend, filter: tf.TensorInfo, taps: number, ci: number, co: number): tf.TensorInfo {
  const out = backend.makeOutput([taps * ci * co], 'float32');
  const src = heapF32(backend, filter);
  const dst = heapF32(backend, out);
  const rows = taps * ci;
  for (let j = 0; j < co / 8; j++) {
    let d = j * rows * 8;
    for (let r = 0, s = 8 * j; r < rows; r++, s += co, d += 8) {
      dst[d] = src[s];
      dst[d + 1] = src[s + 1];
      dst[d + 2] = src[s + 2];
      dst[d + 3] = src[s + 3];
      dst[d + 4] = src[s + 4];
      dst[d + 5] = src[s + 5];
      dst[d + 6] = src[s + 6];
      dst[d + 7] = src[s + 7];
    }
  }
  return out;
}

/** x [N, H, W, C] -> zeros [N, HP, WP, C] with x placed at (top, left); rows/columns outside are dropped. */
function padded(backend: Backend, x: tf.TensorInfo, n: number, h: number, w: number, c: number, top: number, left: number, hp: number, wp: number): tf.TensorInfo {
  const out = backend.makeOutput([n, hp, wp, c], 'float32');
  const src = heapF32(backend, x);
  const dst = heapF32(backend, out);
  const c0 = Math.max(0, -left);
  const c1 = Math.min(w, wp - left);
  if (c1 <= c0) {
    dst.fill(0);
    return out;
  }
  // Columns [d0, d1) of a padded row hold x; only the rest is zeroed.
  const d0 = (c0 + left) * c;
  const d1 = (c1 + left) * c;
  const row = wp * c;
  for (let b = 0; b < n; b++) {
    for (let rr = 0; rr < hp; rr++) {
      const r = rr - top;
      const base = (b * hp + rr) * row;
      if (r < 0 || r >= h) {
        dst.fill(0, base, base + row);
        continue;
      }
      if (d0 > 0) dst.fill(0, base, base + d0);
      const s0 = ((b * h + r) * w + c0) * c;
      dst.set(src.subarray(s0, s0 + (d1 - d0)), base + d0);
      if (d1 < row) dst.fill(0, base + d1, base + row);
    }
  }
  return out;
}

interface TileJob {
  /** Input (padded) base and its per-example stride, output base and per-example stride, in bytes. */
  x: number;
  xEx: number;
  y: number;
  yEx: number;
  /** The rest of convTile's arguments after nCount: ohCount, owCount, xRow, xCol, xTapRow, yRow, yCol, KH, KW, Ci, Co. */
  w: number;
  oh: number;
  ow: number;
  xRow: number;
  xCol: number;
  xTapRow: number;
  yRow: number;
  yCol: number;
  kh: number;
  kw: number;
  ci: number;
  co: number;
}

/** One task (for the threads) per block of examples, blocks L2-sized and at least four per thread. */
function tileCalls(rt: SimdRuntime, n: number, jobs: readonly TileJob[]): SimdCall[][] {
  const per = Math.max(...jobs.map((j) => j.xEx));
  const block = Math.max(1, Math.min(Math.ceil(n / (4 * rt.maxThreads)), Math.floor(convDirectTuning.blockBytes / per)));
  const tasks: SimdCall[][] = [];
  for (let n0 = 0; n0 < n; n0 += block) {
    const nb = Math.min(block, n - n0);
    tasks.push(
      jobs.map((j): SimdCall => [
        'convTile', j.x + n0 * j.xEx, j.w, j.y + n0 * j.yEx, nb, j.oh, j.ow, j.xEx, j.xRow, j.xCol, j.xTapRow,
        j.yEx, j.yRow, j.yCol, j.kh, j.kw, j.ci, j.co,
      ]),
    );
  }
  return tasks;
}

/** The forward conv, or undefined where the direct loops do not apply. */
export function convForwardDirect(backend: Backend, x: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight, dilationWidth, padInfo } = info;
  if (!convDirectTuning.enabled || co % 8 !== 0 || ci < convDirectTuning.minInChannels || ow < Math.max(4, convDirectTuning.minWidth) || dilationHeight !== 1 || dilationWidth !== 1 || n === 0 || oh === 0) return undefined;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const rt = simdRuntime(backend);
  if (!rt) return undefined;
  const scope = new Scope(backend);
  try {
    // Rows/columns the conv reads: (OH - 1) * s + KH, from -padTop.
    const hp = (oh - 1) * sh + kh;
    const wpad = (ow - 1) * sw + kw;
    const needsPad = padInfo.top !== 0 || padInfo.left !== 0 || hp > h || wpad > w;
    const xs = needsPad ? scope.track(padded(backend, x, n, h, w, ci, padInfo.top, padInfo.left, hp, wpad)) : x;
    const [xh, xw] = needsPad ? [hp, wpad] : [h, w];
    const wp = scope.track(packWeights(backend, filter, kh * kw, ci, co));
    const y = backend.makeOutput([n, oh, ow, co], 'float32');
    const job: TileJob = {
      x: rt.offset(xs.dataId), xEx: xh * xw * ci * 4, y: rt.offset(y.dataId), yEx: oh * ow * co * 4, w: rt.offset(wp.dataId),
      oh, ow, xRow: sh * xw * ci * 4, xCol: sw * ci * 4, xTapRow: xw * ci * 4, yRow: ow * co * 4, yCol: co * 4, kh, kw, ci, co,
    };
    rt.parallel(tileCalls(rt, n, [job]));
    return y;
  } finally {
    scope.dispose();
  }
}

/**
 * The input gradient as direct convs over dy: stride 1 is a conv of dy padded by (KH-1-padTop, KW-1-padLeft)
 * with the filter rotated 180 degrees and its channels swapped; stride s splits dx into s*s phases
 * dx[s*i + py, s*j + px], each a stride-1 conv of dy with the taps W[s*t + py + padTop, s*t' + px + padLeft],
 * written in place through the strided output addressing. Undefined where it does not apply.
 */
export function convBackpropInputDirect(backend: Backend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (!convDirectTuning.enabled || ci % 8 !== 0 || w < convDirectTuning.minWidth || n === 0 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const rt = simdRuntime(backend);
  if (!rt) return undefined;
  // Per phase p (rows; columns alike): taps t in [lo, hi] with a = s*t + p + pad in [0, K).
  const taps = (k: number, s: number, pad: number, p: number): [number, number] => [Math.ceil((-p - pad) / s), Math.floor((k - 1 - p - pad) / s)];
  const phasesY = Array.from({ length: sh }, (_, p) => ({ p, t: taps(kh, sh, padInfo.top, p), count: Math.ceil((h - p) / sh) }));
  const phasesX = Array.from({ length: sw }, (_, p) => ({ p, t: taps(kw, sw, padInfo.left, p), count: Math.ceil((w - p) / sw) }));
  if (phasesX.some((px) => px.count > 0 && px.count < 4)) return undefined; // the tile loop needs 4 output columns
  // dy padded so that every phase reads inside: rows i - t for i in [0, count), t in [lo, hi].
  let top = 0;
  let bottom = oh;
  for (const py of phasesY) {
    if (py.t[1] < py.t[0] || py.count <= 0) continue;
    top = Math.max(top, py.t[1]);
    bottom = Math.max(bottom, py.count - 1 - py.t[0] + 1);
  }
  let left = 0;
  let right = ow;
  for (const px of phasesX) {
    if (px.t[1] < px.t[0] || px.count <= 0) continue;
    left = Math.max(left, px.t[1]);
    right = Math.max(right, px.count - 1 - px.t[0] + 1);
  }
  const hd = top + bottom;
  const wd = left + right;
  const scope = new Scope(backend);
  try {
    const dyp = top || left || hd > oh || wd > ow ? scope.track(padded(backend, dy, n, oh, ow, co, top, left, hd, wd)) : dy;
    const dx = backend.makeOutput([n, h, w, ci], 'float32');
    // Sub-filters [KPY, KPX, Co, Ci] for every phase, in one scratch tensor.
    const subs: { py: (typeof phasesY)[number]; px: (typeof phasesX)[number]; offset: number }[] = [];
    let total = 0;
    let empty = false;
    for (const py of phasesY) {
      for (const px of phasesX) {
        if (py.count <= 0 || px.count <= 0) continue;
        const ky = py.t[1] - py.t[0] + 1;
        const kx = px.t[1] - px.t[0] + 1;
        if (ky <= 0 || kx <= 0) {
          empty = true;
          continue;
        }
        subs.push({ py, px, offset: total });
        total += ky * kx * co * ci;
      }
    }
    const wsub = scope.track(backend.makeOutput([Math.max(1, total)], 'float32'));
    const src = heapF32(backend, filter);
    const dst = heapF32(backend, wsub);
    for (const { py, px, offset } of subs) {
      const ky = py.t[1] - py.t[0] + 1;
      const kx = px.t[1] - px.t[0] + 1;
      for (let u = 0; u < ky; u++) {
        const a = sh * (py.t[1] - u) + py.p + padInfo.top;
        for (let v = 0; v < kx; v++) {
          const b = sw * (px.t[1] - v) + px.p + padInfo.left;
          // packed for convTile: [Ci/8, ky, kx, Co, 8] (this conv's outputs are the forward's inputs Ci)
          const s0 = (a * kw + b) * ci * co;
          for (let i = 0; i < ci; i++) {
            const d0 = offset + ((((i >> 3) * ky + u) * kx + v) * co) * 8 + (i & 7);
            for (let o = 0; o < co; o++) dst[d0 + o * 8] = src[s0 + i * co + o];
          }
        }
      }
    }
    if (empty) heapF32(backend, dx).fill(0); // phases no tap reaches stay zero
    const dyo = rt.offset(dyp.dataId);
    const dxo = rt.offset(dx.dataId);
    const wo = rt.offset(wsub.dataId);
    const jobs: TileJob[] = subs.map(({ py, px, offset }) => ({
      // Phase output i reads padded dy rows i + (top - hi) + u.
      x: dyo + ((top - py.t[1]) * wd + (left - px.t[1])) * co * 4,
      xEx: hd * wd * co * 4,
      y: dxo + (py.p * w + px.p) * ci * 4,
      yEx: h * w * ci * 4,
      w: wo + offset * 4,
      oh: py.count,
      ow: px.count,
      xRow: wd * co * 4,
      xCol: co * 4,
      xTapRow: wd * co * 4,
      yRow: sh * w * ci * 4,
      yCol: sw * ci * 4,
      kh: py.t[1] - py.t[0] + 1,
      kw: px.t[1] - px.t[0] + 1,
      ci: co,
      co: ci,
    }));
    rt.parallel(tileCalls(rt, n, jobs));
    return dx;
  } finally {
    scope.dispose();
  }
}
