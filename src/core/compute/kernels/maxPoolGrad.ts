import * as tf from '@tensorflow/tfjs-core';
import { simdRuntime } from '../simd';
import { asShape4, heapF32, input, type KernelArgs } from './util';

/**
 * MaxPoolGrad for wasm. The stock kernel takes ~90 ms for a 2x2 pool over 128x28x28x32 (a JS pass takes
 * ~10 ms). Same semantics as the cpu backend: within each window the gradient goes to the first maximum in
 * row-major order (ties, common after ReLU, go to the first), and overlapping windows accumulate.
 * Channels are innermost (NHWC), so each window position is scanned across all channels at once. The common
 * 2x2 stride-2 pool with C % 4 == 0 runs on a SIMD loop (../simd.ts maxPool2x2Grad) split over the threads.
 */
export const maxPoolGradTuning = { simd: true };

export function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = input(inputs, 'dy', 'MaxPoolGrad');
  const x = input(inputs, 'input', 'MaxPoolGrad');
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('MaxPoolGrad on wasm supports float32 only');
  const info = tf.backend_util.computePool2DInfo(
    asShape4(x.shape, 'MaxPoolGrad input'),
    attrs.filterSize as number | [number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  const dx = backend.makeOutput(x.shape.slice(), 'float32');
  const xv = heapF32(backend, x);
  const gv = heapF32(backend, dy);
  const out = heapF32(backend, dx);
  const is2x2 = fh === 2 && fw === 2 && sh === 2 && sw === 2 && padInfo.top === 0 && padInfo.left === 0 && 2 * oh <= h && 2 * ow <= w;
  const rt = is2x2 && c % 4 === 0 && maxPoolGradTuning.simd ? simdRuntime(backend) : null;
  // The SIMD loop writes every input inside a window; only odd trailing rows/columns need zeros.
  if (!rt || 2 * oh < h || 2 * ow < w) out.fill(0);
  if (rt) {
    const xo = rt.offset(x.dataId);
    const go = rt.offset(dy.dataId);
    const oo = rt.offset(dx.dataId);
    const xEx = h * w * c * 4;
    const gEx = oh * ow * c * 4;
    rt.parallel(
      rt.split(n, 2).map(([b0, b1]) => [['maxPool2x2Grad', xo + b0 * xEx, go + b0 * gEx, oo + b0 * xEx, b1 - b0, oh, ow, c * 4, xEx, w * c * 4]]),
    );
    return dx;
  }
  if (is2x2) {
    pool2x2(xv, gv, out, n, h, w, c, oh, ow);
    return dx;
  }
  const best = new Float32Array(c);
  const pos = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    const xb = b * h * w * c;
    for (let r = 0; r < oh; r++) {
      const r0 = r * sh - padInfo.top;
      for (let q = 0; q < ow; q++) {
        const q0 = q * sw - padInfo.left;
        best.fill(-Infinity);
        pos.fill(-1);
        for (let i = 0; i < fh; i += dh) {
          const y = r0 + i;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < fw; j += dw) {
            const xx = q0 + j;
            if (xx < 0 || xx >= w) continue;
            const base = xb + (y * w + xx) * c;
            for (let k = 0; k < c; k++) {
              const v = xv[base + k];
              if (v > best[k]) {
                best[k] = v;
                pos[k] = base + k;
              }
            }
          }
        }
        const g = ((b * oh + r) * ow + q) * c;
        for (let k = 0; k < c; k++) {
          const p = pos[k];
          if (p >= 0) out[p] += gv[g + k];
        }
      }
    }
  }
  return dx;
}

/** The common 2x2 stride-2 unpadded case, unrolled: each input is in at most one window. */
function pool2x2(
  xv: Float32Array,
  gv: Float32Array,
  out: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
): void {
  const row = w * c;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      let p00 = (b * h + 2 * r) * row;
      let g = ((b * oh + r) * ow) * c;
      for (let q = 0; q < ow; q++, p00 += 2 * c, g += c) {
        const p01 = p00 + c;
        const p10 = p00 + row;
        const p11 = p10 + c;
        for (let k = 0; k < c; k++) {
          // First maximum in row-major order, strict comparisons from -Infinity as on the cpu backend.
          let m = -Infinity;
          let at = -1;
          const v0 = xv[p00 + k];
          if (v0 > m) { m = v0; at = p00 + k; }
          const v1 = xv[p01 + k];
          if (v1 > m) { m = v1; at = p01 + k; }
          const v2 = xv[p10 + k];
          if (v2 > m) { m = v2; at = p10 + k; }
          const v3 = xv[p11 + k];
          if (v3 > m) { at = p11 + k; }
          if (at >= 0) out[at] = gv[g + k];
        }
      }
    }
  }
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
