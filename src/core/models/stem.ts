import { IMAGENET_STEM_MIN_SIDE, type Architecture, type Stem, type StemChoice } from '../../contract/choices';

export { IMAGENET_STEM_MIN_SIDE, STEM_CHOICES, type Stem, type StemChoice } from '../../contract/choices';

/**
 * Which ResNet stem a model gets. The low-resolution stem keeps the full input side through stage 1, which at
 * 64 px and more costs 16x the multiply-adds of the ImageNet stem for little gain, so `auto` switches there.
 */
export function resolveStem(choice: StemChoice | undefined, inputShape: readonly [number, number, number]): Stem {
  if (choice === 'cifar' || choice === 'imagenet') return choice;
  return Math.min(inputShape[0], inputShape[1]) >= IMAGENET_STEM_MIN_SIDE ? 'imagenet' : 'cifar';
}

/** Architectures built with a stem to choose (the others ignore the option). */
export function hasStem(arch: Architecture): boolean {
  return arch === 'resnet18' || arch === 'resnet50';
}
