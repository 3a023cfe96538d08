import * as tf from '@tensorflow/tfjs-core';
import type { Model, ModelSpec } from '../../../src/core/models/model';
import { buildModel } from '../../../src/core/models/registry';
import { makeRng } from '../../../src/core/random';

/**
 * A seeded model with every tensor away from its trivial initial value: biases and batch-norm gamma, beta and running
 * statistics random, so bias layouts and inference-mode batch norm are really exercised by a reference comparison.
 * `initSeed` draws the weights, `drawSeed` the rest.
 */
export function perturbedModel(spec: ModelSpec, initSeed: number, drawSeed: number): Model {
  const model = buildModel(spec, makeRng(initSeed).next);
  const rng = makeRng(drawSeed);
  const u = (lo: number, hi: number) => lo + (hi - lo) * rng.next();
  const set = (v: tf.Variable, draw: () => number) => tf.tidy(() => v.assign(tf.tensor(Float32Array.from({ length: v.size }, draw), v.shape)));
  for (const p of model.params) {
    if (p.role === 'bias') set(p.variable, () => u(-0.1, 0.1));
    else if (p.role === 'gamma') set(p.variable, () => u(0.5, 1.5));
    else if (p.role === 'beta') set(p.variable, () => u(-0.3, 0.3));
  }
  for (const v of model.state) {
    if (v.name.includes('running_mean')) set(v, () => u(-0.3, 0.3));
    else if (v.name.includes('running_var')) set(v, () => u(0.5, 2));
    else throw new Error(`unexpected state variable ${v.name}`);
  }
  return model;
}
