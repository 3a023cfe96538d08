import * as tf from '@tensorflow/tfjs-core';
import { FUSED_CONV } from '../compute/kernels/fusedConv';
import { nativeKernels } from '../compute/native';
import type { ForwardContext, Layer, LinearInfo, NormInfo } from './layers';

/**
 * Inference-time fusion: a convolution, the batch norm after it (or its own bias), the residual add and the ReLU
 * run as one native kernel (compute/kernels/fusedConv.ts), as PyTorch's CPU inference does. Only where nothing
 * can observe the pieces: evaluation mode, no per-layer hooks (GraNd's onLinear/onAffine), no gradient tape, and
 * the native kernels loaded on the wasm backend (without them the fused kernel would only compose the same wasm
 * kernels). Training and every gradient run the layers one by one.
 */
export function canFuseInference(ctx: ForwardContext): boolean {
  return (
    !ctx.training &&
    !ctx.onLinear &&
    !ctx.onAffine &&
    tf.engine().state.gradientDepth === 0 &&
    tf.getBackend() === 'wasm' &&
    nativeKernels() !== undefined &&
    tf.getKernel(FUSED_CONV, 'wasm') !== undefined
  );
}

/** Layers i.. of a sequential that fuse into one kernel: a conv, then a batch norm (if the conv has no bias), then a ReLU. */
export interface FusedGroup {
  readonly conv: LinearInfo;
  readonly norm?: NormInfo;
  readonly relu: boolean;
  /** How many layers the group covers. */
  readonly length: number;
}

export function fusedGroupAt(layers: readonly Layer[], i: number): FusedGroup | undefined {
  const conv = layers[i]?.conv;
  if (!conv || conv.kind !== 'conv2d' || conv.weight.variable.dtype !== 'float32') return undefined;
  const norm = conv.bias ? undefined : layers[i + 1]?.norm;
  if (!conv.bias && !norm) return undefined;
  const next = i + (norm ? 2 : 1);
  const relu = layers[next]?.isRelu === true;
  return { conv, norm, relu, length: next - i + (relu ? 1 : 0) };
}

/** relu?(conv(x) * scale + shift [+ residual]) for a group; with a residual the ReLU (if any) comes after the add. */
export function fusedConvForward(x: tf.Tensor, g: FusedGroup, residual?: tf.Tensor, reluAfterResidual = false): tf.Tensor {
  const inputs: tf.NamedTensorMap = { x, filter: g.conv.weight.variable };
  if (g.norm) Object.assign(inputs, { gamma: g.norm.gamma, beta: g.norm.beta, mean: g.norm.mean, variance: g.norm.variance });
  else inputs.bias = g.conv.bias!.variable;
  if (residual) inputs.residual = residual;
  const attrs = { strides: g.conv.stride ?? 1, pad: g.conv.pad ?? 'same', relu: g.relu || reluAfterResidual, epsilon: g.norm?.epsilon ?? 0 };
  return tf.engine().runKernel(FUSED_CONV, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}
