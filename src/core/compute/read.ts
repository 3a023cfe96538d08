import * as tf from '@tensorflow/tfjs-core';

/**
 * Reading tensor values back. The training, evaluation and scoring paths read asynchronously (`await t.data()`):
 * that is the only read the webgpu backend can do under Node (its synchronous read needs an OffscreenCanvas),
 * and on wasm, cpu and tfjs-node it costs nothing more. The few analyses that still read synchronously go
 * through `readSync`, which says clearly that they need another backend instead of failing deep inside tfjs.
 */
export function readSync<T extends tf.backend_util.TypedArray = Float32Array>(t: tf.Tensor, what: string): T {
  if (tf.getBackend() === 'webgpu') {
    throw new Error(`${what} reads tensors synchronously, which the webgpu backend cannot do in Node; run it with --backend wasm (or tfjs-node-gpu)`);
  }
  return t.dataSync() as T;
}
