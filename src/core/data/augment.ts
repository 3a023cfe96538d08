/**
 * The standard CIFAR training augmentation (He et al. 2016; also used by the Data Diet paper): pad each
 * image by 4 pixels, take a random crop of the original size, and flip horizontally with probability 1/2.
 *
 * It runs on already-normalized float batches, so the padding value is 0 = the channel mean, which is
 * what padding a raw image with the mean colour and then normalizing would give. All randomness comes
 * from the given seeded Rng, so a run is reproducible.
 */
import type { Rng } from '../random';

export interface AugmentOptions {
  /** Padding on each side before cropping. Default 4. */
  readonly pad?: number;
  /** Random horizontal flips. Default true (turn off for digits, where a flip changes the meaning). */
  readonly flip?: boolean;
  /** Value of padded pixels. Default 0 (the mean after normalization). */
  readonly fill?: number;
  /** Write here instead of in place. */
  readonly out?: Float32Array;
}

/** One example's random transform; exposed so tests can check the pixel mapping. */
export interface CropFlip {
  /** Crop offsets into the padded image, in [0, 2 * pad]. */
  readonly dy: number;
  readonly dx: number;
  readonly flip: boolean;
}

/**
 * Apply a crop offset and flip to one HWC image: out[y][x] = in[y + dy - pad][x' + dx - pad], with
 * x' = W-1-x when flipped, or `fill` when that source pixel lies in the padding.
 * `src` and `dst` must not overlap.
 */
export function cropFlip(
  src: Float32Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  shape: readonly [number, number, number],
  pad: number,
  t: CropFlip,
  fill = 0,
): void {
  const [h, w, c] = shape;
  const rowLen = w * c;
  for (let y = 0; y < h; y++) {
    const sy = y + t.dy - pad;
    const dRow = dstOffset + y * rowLen;
    if (sy < 0 || sy >= h) {
      dst.fill(fill, dRow, dRow + rowLen);
      continue;
    }
    const sRow = srcOffset + sy * rowLen;
    for (let x = 0; x < w; x++) {
      const sx = (t.flip ? w - 1 - x : x) + t.dx - pad;
      const d = dRow + x * c;
      if (sx < 0 || sx >= w) {
        for (let k = 0; k < c; k++) dst[d + k] = fill;
      } else {
        const s = sRow + sx * c;
        for (let k = 0; k < c; k++) dst[d + k] = src[s + k];
      }
    }
  }
}

/**
 * Draw one example's transform. The draw order (dy, dx, flip) is part of the reproducibility contract:
 * changing it changes every seeded run.
 */
export function drawCropFlip(rng: Rng, pad: number, flip: boolean): CropFlip {
  const dy = pad > 0 ? rng.int(2 * pad + 1) : 0;
  const dx = pad > 0 ? rng.int(2 * pad + 1) : 0;
  return { dy, dx, flip: flip ? rng.next() < 0.5 : false };
}

/**
 * Augment `n` HWC examples of `shape` stored back to back in `batch`. In place unless `opts.out` is
 * given; returns the augmented buffer.
 */
export function augmentBatch(
  batch: Float32Array,
  n: number,
  shape: readonly [number, number, number],
  rng: Rng,
  opts: AugmentOptions = {},
): Float32Array {
  const pad = opts.pad ?? 4;
  const flip = opts.flip ?? true;
  const fill = opts.fill ?? 0;
  const size = shape[0] * shape[1] * shape[2];
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`augmentBatch: pad must be a non-negative integer, got ${pad}`);
  if (batch.length < n * size) throw new RangeError(`augmentBatch: batch has ${batch.length} floats, need ${n * size}`);
  const out = opts.out ?? batch;
  if (out.length < n * size) throw new RangeError(`augmentBatch: out has ${out.length} floats, need ${n * size}`);
  const inPlace = out.buffer === batch.buffer;
  // In place, each image is copied to a scratch buffer first: the crop reads pixels it has already written.
  const scratch = inPlace ? new Float32Array(size) : undefined;
  for (let i = 0; i < n; i++) {
    const t = drawCropFlip(rng, pad, flip);
    const base = i * size;
    if (scratch) {
      scratch.set(batch.subarray(base, base + size));
      cropFlip(scratch, 0, out, base, shape, pad, t, fill);
    } else {
      cropFlip(batch, base, out, base, shape, pad, t, fill);
    }
  }
  return out;
}
