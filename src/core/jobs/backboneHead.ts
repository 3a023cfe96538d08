import { HEAD_ARCHITECTURES } from '../../contract/choices';
import { InputError } from '../inputError';

/**
 * With --backbone the model is a head on the backbone's features: linear unless --model says mlp. An image model
 * (a CNN on a 1x1 "image" of features) is refused with the fix, before any run folder is made.
 */
export function withBackboneHead<T extends Readonly<Record<string, unknown>>>(input: T): T {
  if (input.backbone === undefined) return input;
  if (input.model === undefined) return { ...input, model: 'linear' };
  if (!(HEAD_ARCHITECTURES as readonly unknown[]).includes(input.model)) {
    throw new InputError(`--backbone trains a head on the backbone's features: use --model ${HEAD_ARCHITECTURES.join(' or ')}, not ${String(input.model)}`);
  }
  return input;
}
