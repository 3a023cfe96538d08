import * as tf from '@tensorflow/tfjs-core';
import { assertNHWC, asShape4, input, heapF32, type KernelArgs, pair, type PadAttr, type RoundingAttr, Scope } from './util';

/**
 * Conv2DBackpropInput for wasm. The stock kernel is a plain scalar loop; this one is an ordinary Conv2D on the
 * XNNPACK path:
 *   dx[n, h, w, ci] = sum_{kh', kw', co} dyd[n, h + kh', w + kw', co] * Wrot[kh', kw', co, ci]
 * where Wrot[kh', kw', co, ci] = W[KH-1-kh', KW-1-kw', ci, co] (rotated 180 degrees, channels swapped) and
 * dyd is dy with (stride - 1) zeros between neighbours, padded by KH-1-padTop above and KW-1-padLeft to the
 * left and to H + KH - 1 rows by W + KW - 1 columns. With stride 1 and non-negative pads the padding is
 * passed to the Conv2D itself; otherwise dyd is built in one pass (rows or columns of dy that fall outside, as
 * with explicit pads larger than the filter, contribute nothing and are skipped).
 */
export function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = input(inputs, 'dy', 'Conv2DBackpropInput');
  const filter = input(inputs, 'filter', 'Conv2DBackpropInput');
  assertNHWC(attrs.dataFormat, 'Conv2DBackpropInput');
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropInput on wasm supports float32 only, got ${dy.dtype} and ${filter.dtype}`);
  }
  const inShape = asShape4(attrs.inputShape as number[], 'Conv2DBackpropInput inputShape');
  const fShape = asShape4(filter.shape, 'Conv2DBackpropInput filter');
  const info = tf.backend_util.computeConv2DInfo(
    inShape,
    fShape,
    pair(attrs.strides, 'Conv2DBackpropInput strides'),
    1,
    attrs.pad as PadAttr,
    attrs.dimRoundingMode as RoundingAttr,
    false,
    'channelsLast',
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (dy.shape.length !== 4 || dy.shape[0] !== n || dy.shape[1] !== oh || dy.shape[2] !== ow || dy.shape[3] !== co) {
    throw new Error(`Conv2DBackpropInput: dy has shape [${dy.shape.join(', ')}], expected [${[n, oh, ow, co].join(', ')}]`);
  }
  if (n === 0 || h === 0 || w === 0 || ci === 0 || co === 0 || oh === 0 || ow === 0) {
    const out = backend.makeOutput([n, h, w, ci], 'float32');
    (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
    return out;
  }

  const scope = new Scope(backend);
  try {
    const wrot = scope.track(rotateFilter(backend, filter, kh, kw, ci, co)); // [KH, KW, Co, Ci]
    const top = kh - 1 - padInfo.top;
    const left = kw - 1 - padInfo.left;
    const bottom = h + kh - 1 - top - ((oh - 1) * sh + 1);
    const right = w + kw - 1 - left - ((ow - 1) * sw + 1);
    if (sh === 1 && sw === 1 && top >= 0 && left >= 0 && bottom >= 0 && right >= 0) {
      const pad: tf.backend_util.ExplicitPadding = [[0, 0], [top, bottom], [left, right], [0, 0]];
      const attrs = { strides: [1, 1], pad, dilations: [1, 1], dataFormat: 'NHWC' };
      return scope.release(scope.run('Conv2D', { x: dy, filter: wrot }, attrs));
    }
    const dyd = scope.track(dilateAndPad(backend, dy, n, oh, ow, co, sh, sw, top, left, h + kh - 1, w + kw - 1));
    return scope.release(
      scope.run('Conv2D', { x: dyd, filter: wrot }, { strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC' }),
    );
  } finally {
    scope.dispose();
  }
}

/** W [KH, KW, Ci, Co] -> W rotated 180 degrees in space with channels swapped: [KH, KW, Co, Ci]. */
function rotateFilter(
  backend: KernelArgs['backend'],
  filter: tf.TensorInfo,
  kh: number,
  kw: number,
  ci: number,
  co: number,
): tf.TensorInfo {
  const out = backend.makeOutput([kh, kw, co, ci], 'float32');
  const src = heapF32(backend, filter);
  const dst = heapF32(backend, out);
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const s0 = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co;
      const d0 = (a * kw + b) * co * ci;
      for (let i = 0; i < ci; i++) {
        const s1 = s0 + i * co;
        for (let o = 0; o < co; o++) dst[d0 + o * ci + i] = src[s1 + o];
      }
    }
  }
  return out;
}

/** dy [N, OH, OW, C] -> zeros [N, HD, WD, C] with dy[n, y, x] placed at (top + y*sh, left + x*sw) when inside. */
function dilateAndPad(
  backend: KernelArgs['backend'],
  dy: tf.TensorInfo,
  n: number,
  oh: number,
  ow: number,
  c: number,
  sh: number,
  sw: number,
  top: number,
  left: number,
  hd: number,
  wd: number,
): tf.TensorInfo {
  const out = backend.makeOutput([n, hd, wd, c], 'float32');
  const src = heapF32(backend, dy);
  const dst = heapF32(backend, out);
  dst.fill(0);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const r = top + y * sh;
      if (r < 0 || r >= hd) continue;
      const srcRow = ((b * oh + y) * ow) * c;
      const dstRow = ((b * hd + r) * wd) * c;
      for (let x = 0; x < ow; x++) {
        const col = left + x * sw;
        if (col < 0 || col >= wd) continue;
        const s = srcRow + x * c;
        dst.set(src.subarray(s, s + c), dstRow + col * c);
      }
    }
  }
  return out;
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
};
