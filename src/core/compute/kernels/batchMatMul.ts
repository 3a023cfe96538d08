import * as tf from '@tensorflow/tfjs-core';
import { nativeBatchMatMul } from './nativeConv';
import { input, type KernelArgs, Scope, type WasmKernel } from './util';

/**
 * BatchMatMul for wasm with transposed operands materialized first.
 *
 * The stock kernel is fast (XNNPACK) only for transposeA = transposeB = false; with either flag set it runs a
 * scalar loop ~12-15x slower (128x3136 by 3136x128: 4 ms plain, 54-61 ms transposed). Every dense-layer
 * backward pass sets one of them (dW = x^T dy, dx = dy W^T), so here the flagged operand is transposed with
 * the Transpose kernel (a copy, ~1 ms) and the stock kernel is called without flags.
 */

let stockBatchMatMul: WasmKernel | undefined;

export function setStockBatchMatMul(k: WasmKernel | undefined): void {
  stockBatchMatMul = k;
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

export function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const stock = stockBatchMatMul;
  if (!stock) throw new Error('BatchMatMul: stock wasm kernel unavailable');
  let a = input(inputs, 'a', 'BatchMatMul');
  let b = input(inputs, 'b', 'BatchMatMul');
  const transposeA = attrs.transposeA === true;
  const transposeB = attrs.transposeB === true;
  const nat = nativeBatchMatMul(backend, a, b, transposeA, transposeB);
  if (nat) return nat;
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return stock({ inputs: { a, b }, backend, attrs });
  }
  const scope = new Scope(backend);
  try {
    if (transposeA) a = scope.run('Transpose', { x: a }, { perm: swapLastTwo(a.shape.length) });
    if (transposeB) b = scope.run('Transpose', { x: b }, { perm: swapLastTwo(b.shape.length) });
    return stock({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
  } finally {
    scope.dispose();
  }
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};
