/**
 * The pixel grid every example of a dataset is brought to. Without a size, images keep theirs and must all agree
 * (a silent resample would change what the scores measure); with one, each image is resized as torchvision's
 * `Resize(S)` + `CenterCrop(S)` does ('crop'), or scaled to fit and padded with black ('pad').
 */
import type { ResizeMode } from '../../contract/choices';
import { InputError } from '../inputError';

export type { ResizeMode };

export interface ImageGeometry {
  /** Side of the square output in pixels; absent = every image keeps its own size. */
  readonly size?: number;
  readonly resize: ResizeMode;
}

export const NATIVE_GEOMETRY: ImageGeometry = { resize: 'crop' };

/** Largest --image-size accepted: far beyond what a CPU can train on, small enough that a typo is caught. */
export const MAX_IMAGE_SIZE = 1024;

export function geometryOf(size: number | undefined, resize: ResizeMode | undefined): ImageGeometry {
  if (size !== undefined && !(Number.isInteger(size) && size >= 4 && size <= MAX_IMAGE_SIZE)) {
    throw new InputError(`--image-size must be a whole number of pixels from 4 to ${MAX_IMAGE_SIZE}, got ${size}`);
  }
  return size === undefined ? { resize: resize ?? 'crop' } : { size, resize: resize ?? 'crop' };
}

/** Stable text for cache keys, fingerprints and messages: "native", "32px crop". */
export function describeGeometry(g: ImageGeometry): string {
  return g.size === undefined ? 'native' : `${g.size}px ${g.resize}`;
}
