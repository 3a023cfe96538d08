import * as tf from '@tensorflow/tfjs-core';
import { heapF32, input, type KernelArgs, type WasmKernel } from './util';

/**
 * Sum and Mean for wasm over axes that are not the innermost ones.
 *
 * The stock kernels first transpose the input so that the reduced axes come last (a full copy), then reduce.
 * Training reduces over leading axes all the time: bias and batch-norm gradients sum over [N, H, W] of NHWC
 * tensors, global average pooling and batch-norm statistics average over [H, W] or [N, H, W]. When the reduced
 * axes are one contiguous block followed by kept axes, the input is a [outer, R, inner] array and the result
 * out[o, i] = sum_r x[o, r, i] is accumulated here in one pass (in float64, like the cpu backend's JS sums).
 * Other cases go to the stock kernels.
 */

let stockSum: WasmKernel | undefined;
let stockMean: WasmKernel | undefined;

export function setStockReducers(sum: WasmKernel | undefined, mean: WasmKernel | undefined): void {
  stockSum = sum;
  stockMean = mean;
}

/** [outer, R, inner] when the (normalized, sorted) axes form one block that is not at the end; else undefined. */
export function middleBlock(shape: readonly number[], axes: readonly number[]): [number, number, number] | undefined {
  if (axes.length === 0) return undefined;
  const sorted = [...axes].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1] + 1) return undefined;
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (last === shape.length - 1) return undefined; // innermost: the stock kernel needs no transpose
  let outer = 1;
  let r = 1;
  let inner = 1;
  for (let i = 0; i < shape.length; i++) {
    if (i < first) outer *= shape[i];
    else if (i <= last) r *= shape[i];
    else inner *= shape[i];
  }
  return [outer, r, inner];
}

function reduce(args: KernelArgs, mean: boolean): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x', mean ? 'Mean' : 'Sum');
  const stock = mean ? stockMean : stockSum;
  if (!stock) throw new Error(`${mean ? 'Mean' : 'Sum'}: stock wasm kernel unavailable`);
  const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const block = x.dtype === 'float32' ? middleBlock(x.shape, axes) : undefined;
  if (!block || block[1] === 0) return stock({ inputs: { x }, backend, attrs });
  const [outer, r, inner] = block;
  const keptShape = x.shape.filter((_, i) => !axes.includes(i));
  const outShape = attrs.keepDims ? tf.backend_util.expandShapeToKeepDim(keptShape, axes) : keptShape;
  const out = backend.makeOutput(outShape, 'float32');
  const src = heapF32(backend, x);
  const dst = heapF32(backend, out);
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    let p = o * r * inner;
    let j = 0;
    // Four rows per pass: a quarter of the accumulator traffic.
    for (; j + 4 <= r; j += 4, p += 4 * inner) {
      const p1 = p + inner;
      const p2 = p1 + inner;
      const p3 = p2 + inner;
      for (let i = 0; i < inner; i++) acc[i] += src[p + i] + src[p1 + i] + (src[p2 + i] + src[p3 + i]);
    }
    for (; j < r; j++, p += inner) {
      for (let i = 0; i < inner; i++) acc[i] += src[p + i];
    }
    const q = o * inner;
    if (mean) for (let i = 0; i < inner; i++) dst[q + i] = acc[i] / r;
    else for (let i = 0; i < inner; i++) dst[q + i] = acc[i];
  }
  return out;
}

export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => reduce(args, false)) as unknown as tf.KernelFunc,
};

export const meanConfig: tf.KernelConfig = {
  kernelName: tf.Mean,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => reduce(args, true)) as unknown as tf.KernelFunc,
};
