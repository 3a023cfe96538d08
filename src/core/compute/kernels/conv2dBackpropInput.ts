import * as tf from '@tensorflow/tfjs-core';
import { convBackpropInputDirect } from './convDirect';
import { nativeConvInputGrad } from './nativeConv';
import { fastSlice } from './slice';
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
 *
 * Equal strides s > 1 take a polyphase path instead (`viaPhases`): the zero-dilated dyd wastes s*s - 1 of every
 * s*s multiply-adds (a 3x3 stride-2 backward cost 4x its forward conv). Each of the s*s output phases
 * dx[n, s*i + py, s*j + px] is a stride-1 correlation of dy with a sub-filter; all phases run as ONE Conv2D
 * with s*s*Ci output channels, and one Transpose interleaves them (3x3 stride 2: 16/9 of the forward work).
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

  const nat = nativeConvInputGrad(backend, dy, filter, info);
  if (nat) return nat;
  const direct = convBackpropInputDirect(backend, dy, filter, info);
  if (direct) return direct;
  if (sh === sw && sh > 1) {
    const out = viaPhases(backend, dy, filter, info);
    if (out) return out;
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

/**
 * Stride s in both directions. Input row r = s*i + py receives dy[oh] * W[a] for a = r + padTop - s*oh, i.e.
 * a = s*t + py + padTop with t = i - oh. Over all phases t spans [t0, t1]; with u = t1 - t the phase output is
 *   dxp[n, i, j, (py*s + px)*Ci + ci] = sum_{u, v, co} dy[n, i - t1 + u, j - t1' + v, co] * Wc[u, v, co, (py, px, ci)]
 * a stride-1 conv over dy padded by t1 above (and t1' left), with Wc = W at (s*(t1-u) + py + padTop, ...) or 0.
 * Returns undefined when a needed pad would be negative (the caller takes the dilated path).
 */
function viaPhases(
  backend: KernelArgs['backend'],
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | undefined {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: s, padInfo } = info;
  const range = (k: number, pad: number): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = 0; p < s; p++) {
      lo = Math.min(lo, Math.ceil((-p - pad) / s));
      hi = Math.max(hi, Math.floor((k - 1 - p - pad) / s));
    }
    return [lo, hi];
  };
  const [t0y, t1y] = range(kh, padInfo.top);
  const [t0x, t1x] = range(kw, padInfo.left);
  const kcy = t1y - t0y + 1;
  const kcx = t1x - t0x + 1;
  const hp = Math.ceil(h / s);
  const wp = Math.ceil(w / s);
  const top = t1y;
  const left = t1x;
  const bottom = hp - oh - t0y;
  const right = wp - ow - t0x;
  if (kcy <= 0 || kcx <= 0 || top < 0 || left < 0 || bottom < 0 || right < 0) return undefined;
  const scope = new Scope(backend);
  try {
    const cout = s * s * ci;
    const wc = scope.track(backend.makeOutput([kcy, kcx, co, cout], 'float32'));
    const src = heapF32(backend, filter);
    const dst = heapF32(backend, wc);
    dst.fill(0);
    for (let u = 0; u < kcy; u++) {
      for (let py = 0; py < s; py++) {
        const a = s * (t1y - u) + py + padInfo.top;
        if (a < 0 || a >= kh) continue;
        for (let v = 0; v < kcx; v++) {
          for (let px = 0; px < s; px++) {
            const b = s * (t1x - v) + px + padInfo.left;
            if (b < 0 || b >= kw) continue;
            const s0 = (a * kw + b) * ci * co; // W[a, b, :, :] is [Ci, Co]
            const d0 = (u * kcx + v) * co * cout + (py * s + px) * ci;
            for (let i = 0; i < ci; i++) {
              const s1 = s0 + i * co;
              for (let o = 0; o < co; o++) dst[d0 + o * cout + i] = src[s1 + o];
            }
          }
        }
      }
    }
    const pad: tf.backend_util.ExplicitPadding = [[0, 0], [top, bottom], [left, right], [0, 0]];
    const phases = scope.run('Conv2D', { x: dy, filter: wc }, { strides: [1, 1], pad, dilations: [1, 1], dataFormat: 'NHWC' });
    // Interleave: [N, hp, wp, (py, px, Ci)] -> [N, hp, py, wp, px, Ci] (the stock DepthToSpace is ~50x slower).
    const six: tf.TensorInfo = { dataId: phases.dataId, dtype: 'float32', shape: [n, hp, wp, s, s, ci] };
    const inter = scope.run('Transpose', { x: six }, { perm: [0, 1, 3, 2, 4, 5] });
    let out: tf.TensorInfo = { dataId: inter.dataId, dtype: 'float32', shape: [n, hp * s, wp * s, ci] };
    if (hp * s !== h || wp * s !== w) return fastSlice(backend, out, [0, 0, 0, 0], [n, h, w, ci]);
    scope.release(inter);
    return out;
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
