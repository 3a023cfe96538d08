import { buildCnnSmall } from './cnn';
import type { Uniform } from './layers';
import { buildLinear } from './linear';
import { buildMlp } from './mlp';
import type { Architecture, Model, ModelSpec } from './model';
import { buildResnet } from './resnet';
import { buildVgg } from './vgg';

export { ARCHITECTURES } from '../../contract/choices';
import { ARCHITECTURES } from '../../contract/choices';

export function isArchitecture(name: string): name is Architecture {
  return (ARCHITECTURES as readonly string[]).includes(name);
}

/** Builds a freshly initialized model; `uniform` is the seeded source that makes initialization reproducible. */
export function buildModel(spec: ModelSpec, uniform: Uniform): Model {
  if (!(spec.width > 0)) throw new Error(`model width must be > 0, got ${spec.width}`);
  switch (spec.arch) {
    case 'linear':
      return buildLinear(spec, uniform);
    case 'mlp':
      return buildMlp(spec, uniform);
    case 'cnn-small':
      return buildCnnSmall(spec, uniform);
    case 'vgg11':
    case 'vgg13':
    case 'vgg16':
      return buildVgg({ ...spec, arch: spec.arch }, uniform);
    case 'resnet18':
    case 'resnet50':
      return buildResnet({ ...spec, arch: spec.arch }, uniform);
    default:
      throw new Error(`unknown model "${String(spec.arch)}"; choose one of ${ARCHITECTURES.join(', ')}`);
  }
}
