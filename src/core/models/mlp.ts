import { dense, relu, sequential, type Uniform } from './layers';
import { modelFromLayer, scaled, type Model, type ModelSpec } from './model';

/** Hidden units of the MLP at width 1: a small head on pretrained features, or a pixel baseline. */
const HIDDEN = 256;

/** One hidden ReLU layer: the usual small head on a frozen backbone's features (--backbone). */
export function buildMlp(spec: ModelSpec, uniform: Uniform): Model {
  const [h, w, c] = spec.inputShape;
  const hidden = scaled(HIDDEN, spec.width);
  return modelFromLayer(
    spec,
    sequential('mlp', [dense('fc1', { inUnits: h * w * c, outUnits: hidden, init: 'he' }, uniform), relu()]),
    dense('fc2', { inUnits: hidden, outUnits: spec.numClasses, init: 'lecun' }, uniform),
  );
}
