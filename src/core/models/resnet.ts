import { batchNorm, conv2d, dense, globalAvgPool, maxPool, relu, residual, sequential, type Layer, type Uniform } from './layers';
import { modelFromLayer, scaled, type Model, type ModelSpec } from './model';
import { resolveStem, type Stem } from './stem';

/**
 * ResNets: a stem, four stages with first-block strides 1,2,2,2, global average pool, linear classifier. The stem
 * is the papers' low-resolution one for CIFAR (3x3 stride 1, no max-pool) or torchvision's ImageNet one
 * (stem.ts resolveStem picks by input size). The stages' convs pad TensorFlow's 'same' way, as they always have
 * here: on an even side a strided 3x3 conv's windows sit one pixel lower and further right than with torchvision's
 * padding=1 (the output size is the same).
 */
function convBn(name: string, cin: number, cout: number, kernel: number, stride: number, u: Uniform): Layer[] {
  return [
    conv2d(name, { kernel, inChannels: cin, outChannels: cout, stride, bias: false }, u),
    batchNorm(`${name}.bn`, cout),
  ];
}

function shortcut(name: string, cin: number, cout: number, stride: number, u: Uniform): Layer | undefined {
  if (stride === 1 && cin === cout) return undefined;
  return sequential(name, convBn(name, cin, cout, 1, stride, u));
}

function basicBlock(name: string, cin: number, cout: number, stride: number, u: Uniform): Layer {
  const main = sequential(`${name}.main`, [
    ...convBn(`${name}.conv1`, cin, cout, 3, stride, u),
    relu(),
    ...convBn(`${name}.conv2`, cout, cout, 3, 1, u),
  ]);
  return residual(name, main, shortcut(`${name}.shortcut`, cin, cout, stride, u));
}

function bottleneck(name: string, cin: number, mid: number, stride: number, u: Uniform): Layer {
  const cout = mid * 4;
  const main = sequential(`${name}.main`, [
    ...convBn(`${name}.conv1`, cin, mid, 1, 1, u),
    relu(),
    ...convBn(`${name}.conv2`, mid, mid, 3, stride, u),
    relu(),
    ...convBn(`${name}.conv3`, mid, cout, 1, 1, u),
  ]);
  return residual(name, main, shortcut(`${name}.shortcut`, cin, cout, stride, u));
}

/**
 * torchvision's ImageNet stem: conv 7x7 stride 2 padding 3 (no bias), batch norm, ReLU, max-pool 3x3 stride 2
 * padding 1. Both pad PyTorch's way (numeric pads): tfjs 'same' would put 2 rows above and 3 below an even side
 * and shift every window by one pixel against torchvision.
 */
function imagenetStem(cin: number, cout: number, u: Uniform): Layer[] {
  return [
    conv2d('stem', { kernel: 7, inChannels: cin, outChannels: cout, stride: 2, pad: 3, bias: false }, u),
    batchNorm('stem.bn', cout),
    relu(),
    maxPool('stem.pool', 3, 2, 1),
  ];
}

function stemLayers(stem: Stem, cin: number, cout: number, u: Uniform): Layer[] {
  return stem === 'imagenet' ? imagenetStem(cin, cout, u) : [...convBn('stem', cin, cout, 3, 1, u), relu()];
}

export function buildResnet(spec: ModelSpec & { arch: 'resnet18' | 'resnet50' }, u: Uniform): Model {
  const c0 = spec.inputShape[2];
  const widths = [64, 128, 256, 512].map((c) => scaled(c, spec.width));
  const stem = scaled(64, spec.width);
  const layers: Layer[] = stemLayers(resolveStem(spec.stem, spec.inputShape), c0, stem, u);
  let cin = stem;
  const bottle = spec.arch === 'resnet50';
  const blocks = bottle ? [3, 4, 6, 3] : [2, 2, 2, 2];
  widths.forEach((width, s) => {
    for (let b = 0; b < blocks[s]; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      const name = `stage${s + 1}.block${b}`;
      layers.push(bottle ? bottleneck(name, cin, width, stride, u) : basicBlock(name, cin, width, stride, u));
      cin = bottle ? width * 4 : width;
    }
  });
  layers.push(globalAvgPool());
  return modelFromLayer(spec, sequential(spec.arch, layers), dense('fc', { inUnits: cin, outUnits: spec.numClasses, init: 'lecun' }, u));
}
