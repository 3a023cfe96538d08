import { dense, flatten, sequential, type Uniform } from './layers';
import { modelFromLayer, type Model, type ModelSpec } from './model';

/**
 * Multinomial logistic regression on raw pixels: the fastest sanity baseline. It has no hidden layer: the input of
 * its classifier, its "penultimate activations", is the flattened input itself (`hasHiddenLayer` is false).
 */
export function buildLinear(spec: ModelSpec, uniform: Uniform): Model {
  const [h, w, c] = spec.inputShape;
  return modelFromLayer(spec, sequential('linear', [flatten()]), dense('fc', { inUnits: h * w * c, outUnits: spec.numClasses, init: 'lecun' }, uniform));
}
