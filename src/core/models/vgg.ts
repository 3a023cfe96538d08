import { batchNorm, conv2d, dense, flatten, maxPool, relu, sequential, type Layer, type Uniform } from './layers';
import { modelFromLayer, scaled, type Model, type ModelSpec } from './model';

/** VGG configurations (numbers = 3x3 conv channels, 'M' = 2x2 max-pool), the CIFAR variants with batch norm. */
const CONFIGS: Record<'vgg11' | 'vgg13' | 'vgg16', (number | 'M')[]> = {
  vgg11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
};

export function buildVgg(spec: ModelSpec & { arch: 'vgg11' | 'vgg13' | 'vgg16' }, uniform: Uniform): Model {
  const [h0, w0, c0] = spec.inputShape;
  const layers: Layer[] = [];
  let c = c0;
  let h = h0;
  let w = w0;
  let convIndex = 0;
  let poolIndex = 0;
  for (const item of CONFIGS[spec.arch]) {
    if (item === 'M') {
      // Small inputs (MNIST 28x28) run out of resolution before the 5th pool; skip pools that would reach 0.
      if (h >= 2 && w >= 2) {
        layers.push(maxPool(`pool${++poolIndex}`));
        h = Math.floor(h / 2);
        w = Math.floor(w / 2);
      }
      continue;
    }
    const out = scaled(item, spec.width);
    const name = `conv${++convIndex}`;
    layers.push(conv2d(name, { kernel: 3, inChannels: c, outChannels: out, bias: false }, uniform));
    layers.push(batchNorm(`${name}.bn`, out));
    layers.push(relu());
    c = out;
  }
  // The classifier flattens the last feature map; the embedding pools it instead (penultimate.ts).
  const head = sequential('classifier', [flatten(), dense('fc', { inUnits: h * w * c, outUnits: spec.numClasses, init: 'lecun' }, uniform)]);
  return modelFromLayer(spec, sequential(spec.arch, layers), head);
}
