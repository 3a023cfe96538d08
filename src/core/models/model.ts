import * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext, Layer, Param } from './layers';
import { penultimateEmbedding } from './penultimate';

export type { Architecture } from '../../contract/choices';
import type { Architecture, StemChoice } from '../../contract/choices';

export interface ModelSpec {
  readonly arch: Architecture;
  /** Channel/unit multiplier: 0.25 gives a ResNet-18 with stages 16/32/64/128 that trains on a CPU. */
  readonly width: number;
  /** [height, width, channels] of one input example. */
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  /** ResNets' stem (stem.ts resolveStem); absent = 'auto'. Other architectures ignore it. */
  readonly stem?: StemChoice;
}

/** A built network: its parameters are tf.Variables owned by the model; dispose() frees them. */
export interface Model {
  readonly spec: ModelSpec;
  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D;
  /**
   * The logits and the penultimate activations (the final classifier's input) of one forward pass, for recording
   * embeddings while scoring. Convolutional feature maps are global-average-pooled to one value per channel (see
   * penultimate.ts), so the embedding is [n, D] with D at most a few hundred for every built-in model but ResNet-50.
   */
  forwardWithEmbedding(x: tf.Tensor4D, ctx: ForwardContext): { logits: tf.Tensor2D; embedding: tf.Tensor2D };
  /** Whether the penultimate activations are learned features: false for `linear`, whose classifier reads the input. */
  readonly hasHiddenLayer: boolean;
  /** Trainable parameters, stable order (checkpoints and per-parameter scores rely on it). */
  readonly params: readonly Param[];
  /** Non-trainable state (batch-norm running statistics). */
  readonly state: readonly tf.Variable[];
  numParams(): number;
  dispose(): void;
}

/**
 * A model from its body (everything up to the classifier) and its classifier head. Parameters keep the order of the
 * one sequential network the two make (body first): checkpoints and per-parameter scores rely on it. `forward` is
 * the same ops as that network's, so training speed does not change; `forwardWithEmbedding` also hands out the
 * body's output, pooled (penultimate.ts).
 */
export function modelFromLayer(spec: ModelSpec, body: Layer, head: Layer): Model {
  const params = [...body.params(), ...head.params()];
  const state = [...body.state(), ...head.state()];
  return {
    spec,
    forward: (x, ctx) => head.forward(body.forward(x, ctx), ctx) as tf.Tensor2D,
    forwardWithEmbedding(x, ctx) {
      const features = body.forward(x, ctx);
      return { logits: head.forward(features, ctx) as tf.Tensor2D, embedding: penultimateEmbedding(features) };
    },
    hasHiddenLayer: body.params().length > 0,
    params,
    state,
    numParams: () => params.reduce((s, p) => s + p.variable.size, 0),
    dispose() {
      for (const p of params) p.variable.dispose();
      for (const v of state) v.dispose();
    },
  };
}

/** Channels scaled by the width multiplier, never below 1. */
export function scaled(channels: number, width: number): number {
  return Math.max(1, Math.round(channels * width));
}
