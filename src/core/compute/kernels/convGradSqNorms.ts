import * as tf from '@tensorflow/tfjs-core';
import { simdRuntime, type SimdCall } from '../simd';
import { padChannels } from './conv2dBackpropFilter';
import { nativeConvGradSqNorms } from './nativeConv';
import { asShape4, input, type KernelArgs, pair, type PadAttr, Scope, type WasmBackend } from './util';

/**
 * DataDietConvGradSqNorms {x [N, H, W, Ci], dy [N, OH, OW, Co]} attrs {filterSize: [KH, KW], strides, pad}
 * -> [N]: each example's squared Frobenius norm of its conv weight gradient,
 *   ||dW_n||^2 = sum_{kh, kw, ci, co} (sum_{oh, ow} xpad[n, oh*s + kh, ow*s + kw, ci] * dy[n, oh, ow, co])^2,
 * the exact per-example ("direct") part of GraNd for a conv layer (scores/perExampleGrads.ts).
 *
 * Why a kernel: composed from stock ops this is a depthwise convolution with the examples as channels (each
 * example's dy as a huge filter), then a square and a sum over a [K, N, Co] intermediate; on wasm that
 * depthwise conv was a third of a GraNd pass. Here every example's gradient is accumulated tap by tap by the
 * same SIMD loop as the batch weight gradient (convGradTap, over one example) into a small scratch block that
 * stays in cache, and one pass (sumSqClear) takes its sum of squares in f64 and clears it for the next example.
 * Examples are split across the runtime's threads, each with its own scratch. Channels that are not multiples
 * of 4 (Ci) / 8 (Co) are zero-padded: the padded gradient entries are zero and do not change the norm.
 */
export const CONV_GRAD_SQ_NORMS = 'DataDietConvGradSqNorms';

function convGradSqNorms(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x', CONV_GRAD_SQ_NORMS);
  const dy = input(inputs, 'dy', CONV_GRAD_SQ_NORMS);
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`${CONV_GRAD_SQ_NORMS}: float32 only`);
  const [kh, kw] = pair(attrs.filterSize, `${CONV_GRAD_SQ_NORMS} filterSize`);
  const xShape = asShape4(x.shape, `${CONV_GRAD_SQ_NORMS} x`);
  const co = dy.shape[3] ?? 0;
  const info = tf.backend_util.computeConv2DInfo(xShape, [kh, kw, xShape[3], co], pair(attrs.strides, `${CONV_GRAD_SQ_NORMS} strides`), 1, attrs.pad as PadAttr, undefined, false, 'channelsLast');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (dy.shape.length !== 4 || dy.shape[0] !== n || dy.shape[1] !== oh || dy.shape[2] !== ow) {
    throw new Error(`${CONV_GRAD_SQ_NORMS}: dy has shape [${dy.shape.join(', ')}], expected [${[n, oh, ow, co].join(', ')}]`);
  }
  if (n > 0) {
    const nat = nativeConvGradSqNorms(backend, x, dy, info);
    if (nat) return nat;
  }
  const out = backend.makeOutput([n], 'float32');
  if (n === 0) return out;
  const rt = simdRuntime(backend);
  if (!rt) throw new Error(`${CONV_GRAD_SQ_NORMS}: the wasm SIMD loops are unavailable`);
  const ci4 = Math.ceil(ci / 4) * 4;
  const co8 = Math.ceil(co / 8) * 8;
  const scope = new Scope(backend);
  try {
    const xs = ci4 === ci ? x : scope.track(padChannels(backend, x, n * h * w, ci, ci4));
    const dys = co8 === co ? dy : scope.track(padChannels(backend, dy, n * oh * ow, co, co8));
    const xEx = h * w * ci4 * 4;
    const dyEx = oh * ow * co8 * 4;
    const gradBytes = kh * kw * ci4 * co8 * 4;
    const parts = rt.split(n, 1, 1, 4 * rt.maxThreads);
    // Scratch: N f64 results, then one gradient block per task (zeroed here; sumSqClear leaves it zeroed).
    const base = rt.scratchAt(n * 8 + 16 + parts.length * gradBytes);
    const grads = base + Math.ceil((n * 8) / 16) * 16;
    new Float32Array(rt.buffer, grads, (parts.length * gradBytes) / 4).fill(0);
    const xo = rt.offset(xs.dataId);
    const dyo = rt.offset(dys.dataId);
    // Output rows r with 0 <= r*s + k - pad < size.
    const range = (k: number, pad: number, s: number, size: number, count: number): [number, number] => [
      Math.max(0, Math.ceil((pad - k) / s)),
      Math.min(count, Math.floor((size - 1 + pad - k) / s) + 1),
    ];
    const taps: { a: number; b: number; r: [number, number]; q: [number, number] }[] = [];
    for (let a = 0; a < kh; a++) {
      const r = range(a, padInfo.top, sh, h, oh);
      for (let b = 0; b < kw; b++) {
        const q = range(b, padInfo.left, sw, w, ow);
        if (r[1] > r[0] && q[1] > q[0]) taps.push({ a, b, r, q });
      }
    }
    const tasks = parts.map(([e0, e1], t): SimdCall[] => {
      const g = grads + t * gradBytes;
      const calls: SimdCall[] = [];
      for (let e = e0; e < e1; e++) {
        for (const { a, b, r, q } of taps) {
          const xStart = xo + e * xEx + (((r[0] * sh + a - padInfo.top) * w + (q[0] * sw + b - padInfo.left)) * ci4) * 4;
          const dyStart = dyo + e * dyEx + ((r[0] * ow + q[0]) * co8) * 4;
          calls.push([
            'convGradTap', xStart, dyStart, g + (a * kw + b) * ci4 * co8 * 4, 1, xEx, dyEx,
            r[1] - r[0], sh * w * ci4 * 4, ow * co8 * 4, q[1] - q[0], sw * ci4 * 4, ci4, co8,
          ]);
        }
        calls.push(['sumSqClear', g, gradBytes, base + e * 8]);
      }
      return calls;
    });
    rt.parallel(tasks);
    const sq = new Float64Array(rt.buffer, base, n);
    (backend.typedArrayFromHeap(out) as Float32Array).set(sq);
    return out;
  } finally {
    scope.dispose();
  }
}

export const convGradSqNormsConfig: tf.KernelConfig = {
  kernelName: CONV_GRAD_SQ_NORMS,
  backendName: 'wasm',
  kernelFunc: convGradSqNorms as unknown as tf.KernelFunc,
};

/** True when the active backend is wasm with this kernel registered and the SIMD loops running. */
export function convGradSqNormsReady(): boolean {
  if (tf.getBackend() !== 'wasm' || !tf.getKernel(CONV_GRAD_SQ_NORMS, 'wasm')) return false;
  return simdRuntime(tf.backend() as WasmBackend) !== null;
}
