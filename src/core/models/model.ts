import * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext, Layer, Param } from './layers';

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
  /** Trainable parameters, stable order (checkpoints and per-parameter scores rely on it). */
  readonly params: readonly Param[];
  /** Non-trainable state (batch-norm running statistics). */
  readonly state: readonly tf.Variable[];
  numParams(): number;
  dispose(): void;
}

export function modelFromLayer(spec: ModelSpec, root: Layer): Model {
  const params = root.params();
  const state = root.state();
  return {
    spec,
    forward: (x, ctx) => root.forward(x, ctx) as tf.Tensor2D,
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
