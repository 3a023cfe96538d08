import { conv2d, dense, flatten, maxPool, relu, sequential, type Uniform } from './layers';
import { modelFromLayer, scaled, type Model, type ModelSpec } from './model';

/**
 * The papers' small MNIST-style net: conv32-pool-conv64-pool-dense128-dense (3x3 'same' convs, 2x2 max-pool),
 * all scaled by the width multiplier. Matches bench/torch_bench.py's cnn-small layer for layer.
 */
export function buildCnnSmall(spec: ModelSpec, uniform: Uniform): Model {
  const [h, w, c] = spec.inputShape;
  const c1 = scaled(32, spec.width);
  const c2 = scaled(64, spec.width);
  const d1 = scaled(128, spec.width);
  const flat = Math.floor(h / 4) * Math.floor(w / 4) * c2;
  return modelFromLayer(
    spec,
    sequential('cnn-small', [
      conv2d('conv1', { kernel: 3, inChannels: c, outChannels: c1 }, uniform),
      relu(),
      maxPool('pool1'),
      conv2d('conv2', { kernel: 3, inChannels: c1, outChannels: c2 }, uniform),
      relu(),
      maxPool('pool2'),
      flatten(),
      dense('fc1', { inUnits: flat, outUnits: d1 }, uniform),
      relu(),
    ]),
    dense('fc2', { inUnits: d1, outUnits: spec.numClasses, init: 'lecun' }, uniform),
  );
}
