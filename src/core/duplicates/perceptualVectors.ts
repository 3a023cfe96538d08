/**
 * What two copies of one picture share after resizing and re-encoding: its coarse light and dark layout. Each image
 * becomes a small gray thumbnail (antialiased resize to side x side, luma), minus its mean, scaled to unit length. The
 * cosine similarity of two such vectors is the correlation of their thumbnails: a resized or JPEG-recompressed copy
 * keeps ~0.99 (noise and interpolation live in frequencies the thumbnail averages away), while brightness and
 * contrast changes cancel out. Colour is ignored, so a recoloured copy counts as near too.
 *
 * A one-colour image has no layout: its vector is all zeros, and it is compared only for exact copies.
 */
import { resizeBilinear } from '../data/resample';
import type { VectorRows } from '../similarity/vectorRows';

/** Thumbnail side: 16 x 16 = 256 values per image, enough to tell apart different pictures of one class. */
export const THUMBNAIL_SIDE = 16;

export interface ImageRows {
  readonly count: number;
  /** [height, width, channels] shared by every image. */
  readonly shape: readonly [number, number, number];
  /** Row r's uint8 pixels (HWC). */
  image(r: number): Uint8Array;
}

/** The vector of one image (side * side float32, zero-mean and unit-length, or all zeros when flat). */
export function perceptualVector(px: Uint8Array, shape: readonly [number, number, number], side = THUMBNAIL_SIDE, out = new Float32Array(side * side)): Float32Array {
  const [h, w, c] = shape;
  const small = h === side && w === side ? px : resizeBilinear(px, w, h, c, side, side);
  let mean = 0;
  for (let p = 0; p < side * side; p++) {
    out[p] = c >= 3 ? 0.299 * small[p * c] + 0.587 * small[p * c + 1] + 0.114 * small[p * c + 2] : small[p * c];
    mean += out[p];
  }
  mean /= side * side;
  let norm = 0;
  for (let p = 0; p < side * side; p++) {
    out[p] -= mean;
    norm += out[p] * out[p];
  }
  // Below a hundredth of a gray level of spread the image is flat: rounding noise must not become a direction.
  const flat = norm < 1e-4 * side * side;
  const inv = flat ? 0 : 1 / Math.sqrt(norm);
  for (let p = 0; p < side * side; p++) out[p] *= inv;
  return out;
}

/** Every row's vector, as one N x side^2 matrix. */
export function perceptualVectors(images: ImageRows, side = THUMBNAIL_SIDE, onProgress?: (done: number, total: number) => void): VectorRows {
  const d = side * side;
  const values = new Float32Array(images.count * d);
  for (let r = 0; r < images.count; r++) {
    perceptualVector(images.image(r), images.shape, side, values.subarray(r * d, (r + 1) * d));
    if (onProgress && (r + 1) % 5000 === 0) onProgress(r + 1, images.count);
  }
  return { values, dim: d };
}
