import type { StackedImages } from './decodeImageFiles';

/** The first `count` examples and the rest, as views (no copy) of one decoded array. */
export function splitStacked(s: StackedImages, count: number): [Uint8Array, Uint8Array] {
  const size = s.shape[0] * s.shape[1] * s.shape[2];
  return [s.images.subarray(0, count * size), s.images.subarray(count * size)];
}
