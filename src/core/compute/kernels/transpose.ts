import * as tf from '@tensorflow/tfjs-core';
import { simdRuntime } from '../simd';
import { input, type KernelArgs, type WasmKernel } from './util';

/**
 * Transpose for wasm. The stock kernel is a generic index loop (an NHWC -> CHWN transpose of 2M floats takes
 * ~9 ms, a [131072, 16] 2-D transpose ~11 ms); the conv weight-gradient and the strided input-gradient paths
 * transpose activation-sized tensors several times per layer. Here the permutation is first simplified (size-1
 * axes dropped, axes that stay neighbours merged) and three common forms run on SIMD loops:
 *   [A, M, B] -> [B, M, A]   (2-D transposes, NHWC <-> CHWN) with A, B multiples of 4: 4x4 register blocks
 *   [A, B, I] -> [B, A, I]   (swapping outer axes over contiguous runs) with I a multiple of 4
 *   [O, A, B, I] -> [O, B, A, I]
 * Everything else (and other dtypes than float32/int32) goes to the stock kernel.
 */
let stockTranspose: WasmKernel | undefined;

export function setStockTranspose(k: WasmKernel | undefined): void {
  stockTranspose = k;
}

/** Drops size-1 axes and merges input axes that stay adjacent and in order in the output. */
export function simplifyPermutation(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const keep = shape.map((d, i) => (d === 1 ? -1 : i)).filter((i) => i >= 0);
  const renum = new Map(keep.map((axis, i) => [axis, i]));
  let s = keep.map((i) => shape[i]);
  let p = perm.filter((a) => renum.has(a)).map((a) => renum.get(a)!);
  for (let k = 0; k + 1 < p.length; ) {
    if (p[k + 1] === p[k] + 1) {
      const a = p[k];
      s = [...s.slice(0, a), s[a] * s[a + 1], ...s.slice(a + 2)];
      p = p.filter((_, i) => i !== k + 1).map((x) => (x > a ? x - 1 : x));
    } else {
      k++;
    }
  }
  return { shape: s, perm: p };
}

function transpose(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x', 'Transpose');
  const perm = (attrs.perm as number[]).map((a) => (a < 0 ? a + x.shape.length : a));
  const stock = (): tf.TensorInfo => {
    if (!stockTranspose) throw new Error('Transpose: stock wasm kernel unavailable');
    return stockTranspose(args);
  };
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return stock();
  const rt = simdRuntime(backend);
  if (!rt) return stock();
  const outShape = perm.map((a) => x.shape[a]);
  const { shape: s, perm: p } = simplifyPermutation(x.shape, perm);
  const out = (): tf.TensorInfo => backend.makeOutput(outShape, x.dtype);
  if (p.length <= 1) {
    // The order of the elements does not change: share the data, as Reshape does.
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: outShape, dtype: x.dtype };
  }
  const is = (...q: number[]) => p.length === q.length && q.every((v, i) => p[i] === v);
  let form: (() => tf.TensorInfo) | undefined;
  if (is(1, 0) && s[0] % 4 === 0 && s[1] % 4 === 0) {
    form = () => {
      const o = out();
      rt.fn.transposeAMB(rt.offset(x.dataId), rt.offset(o.dataId), s[0], 1, s[1]);
      return o;
    };
  } else if (is(2, 1, 0) && s[0] % 4 === 0 && s[2] % 4 === 0) {
    form = () => {
      const o = out();
      rt.fn.transposeAMB(rt.offset(x.dataId), rt.offset(o.dataId), s[0], s[1], s[2]);
      return o;
    };
  } else if (is(1, 0, 2) && s[2] % 4 === 0) {
    form = () => {
      const o = out();
      rt.fn.swapABI(rt.offset(x.dataId), rt.offset(o.dataId), s[0], s[1], s[2] * 4);
      return o;
    };
  } else if (is(0, 2, 1, 3) && s[3] % 4 === 0) {
    form = () => {
      const o = out();
      const block = s[1] * s[2] * s[3] * 4;
      const src = rt.offset(x.dataId);
      const dst = rt.offset(o.dataId);
      for (let k = 0; k < s[0]; k++) rt.fn.swapABI(src + k * block, dst + k * block, s[1], s[2], s[3] * 4);
      return o;
    };
  }
  return form ? form() : stock();
}

export const transposeConfig: tf.KernelConfig = {
  kernelName: tf.Transpose,
  backendName: 'wasm',
  kernelFunc: transpose as unknown as tf.KernelFunc,
};
