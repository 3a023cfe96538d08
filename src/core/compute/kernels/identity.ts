import * as tf from '@tensorflow/tfjs-core';
import { input, type KernelArgs } from './util';

/**
 * Identity for wasm that shares the input's data (a reference count, as the cpu backend and wasm's own Reshape
 * do) instead of copying it. tfjs data is immutable, so sharing is safe. It matters for training: with the
 * gradient tape on, the engine clones (Identity) every tensor a kernel's gradient needs, and the stock wasm
 * Identity copied each one (hundreds of activation-sized copies per ResNet step, and twice the memory).
 * String tensors (their bytes live outside the heap) still take the stock kernel.
 */
let stockIdentity: ((args: KernelArgs) => tf.TensorInfo) | undefined;

export function setStockIdentity(k: ((args: KernelArgs) => tf.TensorInfo) | undefined): void {
  stockIdentity = k;
}

function identity(args: KernelArgs): tf.TensorInfo {
  const x = input(args.inputs, 'x', 'Identity');
  if (x.dtype === 'string') {
    if (!stockIdentity) throw new Error('Identity of string tensors: stock wasm kernel unavailable');
    return stockIdentity(args);
  }
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as tf.KernelFunc,
};
