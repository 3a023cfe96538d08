import * as tf from '@tensorflow/tfjs-core';
import { batchMatMulConfig, setStockBatchMatMul } from './batchMatMul';
import { channelBroadcastConfigs, setStockChannelOps } from './channelBroadcast';
import { conv2DConfig, setStockConv2D } from './conv2d';
import { conv2DBackpropFilterConfig } from './conv2dBackpropFilter';
import { conv2DBackpropInputConfig } from './conv2dBackpropInput';
import { affineGradSqNormsConfig } from './affineGradSqNorms';
import { convGradSqNormsConfig } from './convGradSqNorms';
import { fusedKernelConfigs } from './fused';
import { fusedConvConfig } from './fusedConv';
import { identityConfig, setStockIdentity } from './identity';
import { maxPoolGradConfig } from './maxPoolGrad';
import { meanConfig, setStockReducers, sumConfig } from './reduce';
import { setStockSlice, sliceConfig, splitVConfig, unpackConfig } from './slice';
import { setStockTranspose, transposeConfig } from './transpose';
import type { WasmKernel } from './util';

/**
 * Kernels registered for the wasm backend on top of (or instead of) the stock ones, and why:
 *
 * - Conv2D: direct SIMD loops (convDirect.ts) where they apply (outputs >= 4 wide, Co % 8 == 0): faster than
 *   XNNPACK per thread (even with its packed filter cached), and XNNPACK re-packs the filter every training step.
 * - Conv2DBackpropFilter: not registered by tfjs-backend-wasm at all, so any conv weight gradient throws.
 *   SIMD tap loops (../simd.ts convGradTap) over NHWC x and dy; XNNPACK-based fallbacks.
 * - Conv2DBackpropInput: the stock kernel is a scalar loop; this one runs the direct loops (polyphase for
 *   strides > 1: no multiply-adds with inserted zeros), else a Conv2D (XNNPACK) over the padded (for strides > 1
 *   polyphase-combined) output gradient with the rotated filter.
 * - Slice, Unpack, SplitV: the stock ones copy the whole input out of the heap per call (per output for
 *   Unpack/SplitV); these copy only the sliced region.
 * - BatchMatMul: the stock kernel runs a scalar loop (~12-15x slower) when transposeA or transposeB is set,
 *   which every dense-layer backward pass does; the flagged operand is transposed first.
 * - MaxPoolGrad: the stock kernel is ~9x slower than a JS pass over NHWC.
 * - Sum, Mean over leading/middle axes (bias and batch-norm gradients, global average pooling): the stock
 *   kernels transpose the whole input first; these reduce in one pass.
 * - Transpose: the stock kernel is a generic index loop; 2-D / NHWC<->CHWN / outer-axis swaps run on SIMD loops.
 * - Multiply, Add, Sub by a per-channel vector [C] over [..., C]: one SIMD pass instead of the stock
 *   generic broadcast (channelBroadcast.ts); everything else goes to the stock kernels.
 * - Identity: the stock kernel copies; the engine clones every tensor a gradient needs, so it shares the data.
 * - DataDiet* (new names, no stock counterpart): fused batch norm (statistics, apply + ReLU, backward),
 *   residual add + ReLU and the SGD momentum step on SIMD loops (fused.ts), called by models/layers.ts and
 *   train/sgd.ts on wasm; the per-example conv weight and batch-norm affine gradient norms of GraNd
 *   (convGradSqNorms.ts, affineGradSqNorms.ts); DataDietFusedConv, an inference convolution with its batch norm
 *   (or bias), residual add and ReLU folded in (fusedConv.ts), called by models/fusedInference.ts.
 *
 * When the native kernels are loaded (../native.ts: oneDNN through native/), Conv2D, Conv2DBackpropInput,
 * Conv2DBackpropFilter, BatchMatMul and DataDietConvGradSqNorms hand their work to them first (nativeConv.ts) and
 * run the loops below only without them or for a shape oneDNN declines.
 *
 * The SIMD loops (../simd.ts) run on the backend's heap and, with the threaded backend, on their own worker
 * threads (as many as the backend's threads) between XNNPACK calls.
 *
 * Everything else a small CNN or ResNet needs in training (Conv2D, Relu/Step, MaxPool/MaxPoolGrad,
 * AvgPool/AvgPoolGrad, Mean/Sum, BatchMatMul, Softmax/LogSoftmax parts, Rsqrt, Tile, PadV2, ...) is registered
 * by tfjs-backend-wasm itself; `missingTrainingKernels()` checks that list.
 */
export const WASM_KERNEL_OVERRIDES: readonly tf.KernelConfig[] = [
  conv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  maxPoolGradConfig,
  sumConfig,
  meanConfig,
  sliceConfig,
  unpackConfig,
  splitVConfig,
  identityConfig,
  transposeConfig,
  ...fusedKernelConfigs,
  fusedConvConfig,
  convGradSqNormsConfig,
  affineGradSqNormsConfig,
  ...channelBroadcastConfigs,
];

const stock = new Map<string, tf.KernelConfig>();

/**
 * Registers the kernels above for backend 'wasm' (idempotent). Replaced stock kernels are remembered so that
 * `unregisterWasmKernels()` can restore them.
 */
export function registerWasmKernels(): string[] {
  const registered: string[] = [];
  for (const cfg of WASM_KERNEL_OVERRIDES) {
    const current = tf.getKernel(cfg.kernelName, 'wasm');
    if (current?.kernelFunc === cfg.kernelFunc) continue;
    if (current) {
      if (!stock.has(cfg.kernelName)) stock.set(cfg.kernelName, current);
      tf.unregisterKernel(cfg.kernelName, 'wasm');
    }
    // Keep the stock kernel's setup/dispose hooks: the engine runs the registered kernels' setupFunc when a wasm
    // backend instance is (re)created, and the stock function some overrides fall back to needs it.
    const orig = stock.get(cfg.kernelName);
    tf.registerKernel({ ...cfg, setupFunc: orig?.setupFunc, disposeFunc: orig?.disposeFunc });
    registered.push(cfg.kernelName);
  }
  setStockSlice(stock.get(tf.Slice)?.kernelFunc as unknown as WasmKernel | undefined);
  setStockBatchMatMul(stock.get(tf.BatchMatMul)?.kernelFunc as unknown as WasmKernel | undefined);
  setStockIdentity(stock.get(tf.Identity)?.kernelFunc as unknown as WasmKernel | undefined);
  setStockTranspose(stock.get(tf.Transpose)?.kernelFunc as unknown as WasmKernel | undefined);
  setStockConv2D(stock.get(tf.Conv2D)?.kernelFunc as unknown as WasmKernel | undefined);
  setStockChannelOps({
    Multiply: stock.get(tf.Multiply)?.kernelFunc as unknown as WasmKernel | undefined,
    Add: stock.get(tf.Add)?.kernelFunc as unknown as WasmKernel | undefined,
    Sub: stock.get(tf.Sub)?.kernelFunc as unknown as WasmKernel | undefined,
  });
  setStockReducers(
    stock.get(tf.Sum)?.kernelFunc as unknown as WasmKernel | undefined,
    stock.get(tf.Mean)?.kernelFunc as unknown as WasmKernel | undefined,
  );
  return registered;
}

/** Puts the stock wasm kernels back (for comparisons in tests and benchmarks). */
export function unregisterWasmKernels(): void {
  for (const cfg of WASM_KERNEL_OVERRIDES) {
    const current = tf.getKernel(cfg.kernelName, 'wasm');
    if (current?.kernelFunc !== cfg.kernelFunc) continue;
    tf.unregisterKernel(cfg.kernelName, 'wasm');
    const orig = stock.get(cfg.kernelName);
    if (orig) tf.registerKernel(orig);
  }
}

/**
 * Kernels that training the built-in models runs (forward, backward and SGD/momentum/Adam updates, measured
 * with tf.profile on the cpu backend) and that must therefore exist for a backend.
 */
export const TRAINING_KERNELS: readonly string[] = [
  'Add', 'AvgPool', 'AvgPoolGrad', 'BatchMatMul', 'Cast', 'Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Equal',
  'Exp', 'FusedBatchNorm', 'Identity', 'Log', 'Max', 'MaxPool', 'MaxPoolGrad', 'Maximum', 'Mean', 'Multiply',
  'Neg', 'PadV2', 'Pow', 'RealDiv', 'Relu', 'Reshape', 'Rsqrt', 'Slice', 'Sqrt', 'Square', 'Step', 'Sub', 'Sum',
  'Tile', 'Transpose', 'ZerosLike', 'OnesLike', 'Fill', 'Concat', 'StridedSlice', 'OneHot', 'Softmax', 'ArgMax',
];

/** Names from TRAINING_KERNELS that `backendName` does not register. */
export function missingTrainingKernels(backendName: string): string[] {
  const have = new Set(tf.getKernelsForBackend(backendName).map((k) => k.kernelName));
  return TRAINING_KERNELS.filter((k) => !have.has(k));
}
