import { dense, sequential, type Uniform } from './layers';
import { modelFromLayer, type Model, type ModelSpec } from './model';

/** Multinomial logistic regression on raw pixels: the fastest sanity baseline. */
export function buildLinear(spec: ModelSpec, uniform: Uniform): Model {
  const [h, w, c] = spec.inputShape;
  return modelFromLayer(
    spec,
    sequential('linear', [dense('fc', { inUnits: h * w * c, outUnits: spec.numClasses, init: 'lecun' }, uniform)]),
  );
}
