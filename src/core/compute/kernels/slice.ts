import * as tf from '@tensorflow/tfjs-core';
import { input, type KernelArgs, type WasmBackend, type WasmKernel } from './util';

/**
 * Slice, Unpack and SplitV for wasm without the whole-input copy.
 *
 * The stock wasm Slice starts with `backend.readSync(x.dataId)`, which copies the entire input out of the wasm
 * heap (HEAPU8.slice) on every call, and Unpack/SplitV call it once per output: unstacking a batch of 128
 * costs 128 copies of the batch. Here the input is read through a view of the heap and only the requested
 * region is copied, as contiguous runs.
 */

let stockSlice: WasmKernel | undefined;

/** The stock kernel, used for string tensors (their bytes live outside the heap). */
export function setStockSlice(k: WasmKernel | undefined): void {
  stockSlice = k;
}

export function fastSlice(
  backend: WasmBackend,
  x: tf.TensorInfo,
  begin: number | number[],
  size?: number | number[],
): tf.TensorInfo {
  if (x.dtype === 'string') {
    if (!stockSlice) throw new Error('Slice of string tensors: stock wasm kernel unavailable');
    return stockSlice({ inputs: { x }, backend, attrs: { begin, size: size ?? -1 } as tf.NamedAttrMap });
  }
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  tf.slice_util.assertParamsValid(x as tf.Tensor, b, s);
  const out = backend.makeOutput(s, x.dtype);
  let total = 1;
  for (const d of s) total *= d;
  if (total === 0) return out;
  // Views only after makeOutput: an allocation may grow (and detach) the heap.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  copyRegion(src, dst, x.shape, b, s);
  return out;
}

/** Copies the region begin..begin+size of a row-major array of `shape` into `dst`, in contiguous runs. */
export function copyRegion(
  src: tf.backend_util.TypedArray,
  dst: tf.backend_util.TypedArray,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
): void {
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0];
    return;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  // Axes after k are taken whole, so each run covers size[k] * strides[k] consecutive elements.
  let k = rank - 1;
  while (k > 0 && begin[k] === 0 && size[k] === shape[k]) k--;
  const run = size[k] * strides[k];
  let base = 0;
  for (let i = 0; i <= k; i++) base += begin[i] * strides[i];
  if (k === 0) {
    dst.set(src.subarray(base, base + run), 0);
    return;
  }
  const idx = new Array<number>(k).fill(0);
  let outer = 1;
  for (let i = 0; i < k; i++) outer *= size[i];
  let off = base;
  for (let o = 0; o < outer; o++) {
    dst.set(src.subarray(off, off + run), o * run);
    // Odometer over axes 0..k-1.
    for (let a = k - 1; a >= 0; a--) {
      idx[a]++;
      off += strides[a];
      if (idx[a] < size[a]) break;
      off -= idx[a] * strides[a];
      idx[a] = 0;
    }
  }
}

function slice(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x', 'Slice');
  return fastSlice(backend, x, attrs.begin as number | number[], attrs.size as number | number[] | undefined);
}

function unpack(args: KernelArgs): tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const value = input(inputs, 'value', 'Unpack');
  const rank = value.shape.length;
  let axis = attrs.axis as number;
  if (axis < 0) axis += rank;
  const count = value.shape[axis];
  const outShape = value.shape.filter((_, i) => i !== axis);
  const begin = new Array<number>(rank).fill(0);
  const size = value.shape.slice();
  size[axis] = 1;
  const outs: tf.TensorInfo[] = [];
  for (let i = 0; i < count; i++) {
    begin[axis] = i;
    const t = fastSlice(backend, value, begin, size);
    outs.push({ dataId: t.dataId, dtype: t.dtype, shape: outShape });
  }
  return outs;
}

function splitV(args: KernelArgs): tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x', 'SplitV');
  const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits as number | number[], axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  const size = x.shape.slice();
  return sizes.map((s) => {
    const sz = size.slice();
    sz[axis] = s;
    const t = fastSlice(backend, x, begin, sz);
    begin[axis] += s;
    return t;
  });
}

export const sliceConfig: tf.KernelConfig = {
  kernelName: tf.Slice,
  backendName: 'wasm',
  kernelFunc: slice as unknown as tf.KernelFunc,
};

export const unpackConfig: tf.KernelConfig = {
  kernelName: tf.Unpack,
  backendName: 'wasm',
  kernelFunc: unpack as unknown as tf.KernelFunc,
};

export const splitVConfig: tf.KernelConfig = {
  kernelName: tf.SplitV,
  backendName: 'wasm',
  kernelFunc: splitV as unknown as tf.KernelFunc,
};
