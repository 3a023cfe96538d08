/**
 * The in-memory form every loader produces. Pixels stay as raw uint8 (HWC, row-major) so that 60,000
 * MNIST images cost 47 MB, not 188 MB; normalization happens per batch (see normalize.ts).
 */
export interface ImageDataset {
  /** Human-readable name, e.g. "mnist/train". */
  readonly name: string;
  /** N * H * W * C bytes, example-major, HWC inside an example. */
  readonly images: Uint8Array;
  /** N labels in [0, numClasses). */
  readonly labels: Int32Array;
  /** [height, width, channels] of one example. */
  readonly shape: readonly [number, number, number];
  readonly numClasses: number;
  /** Optional class names (image folders, CIFAR meta); index = label. */
  readonly classNames?: readonly string[];
  /** Where each example came from (image-folder / manifest datasets); index = example index. */
  readonly sources?: readonly string[];
  /**
   * A frozen pretrained backbone's features of each example (--backbone): when present, models train on these
   * instead of the pixels, which stay for galleries and the review queue.
   */
  readonly features?: ExampleFeatures;
}

export interface ExampleFeatures {
  /** N * dim float32, example-major. */
  readonly values: Float32Array;
  readonly dim: number;
}

/** A dataset's train and test splits as loaded from disk. */
export interface DatasetSplits {
  readonly train: ImageDataset;
  readonly test: ImageDataset;
}

import { InputError } from '../inputError';

/** Error for bad input files: always names the file and the problem, so users can act on it. */
export class DataFormatError extends InputError {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly fix?: string,
  ) {
    super(`${file}: ${problem}${fix ? ` (${fix})` : ''}`);
    this.name = 'DataFormatError';
  }
}

export function exampleSize(ds: Pick<ImageDataset, 'shape'>): number {
  return ds.shape[0] * ds.shape[1] * ds.shape[2];
}

/** What a model takes per example: the image, or [1, 1, dim] when it trains on backbone features. */
export function modelInputShape(ds: Pick<ImageDataset, 'shape' | 'features'>): [number, number, number] {
  return ds.features ? [1, 1, ds.features.dim] : [ds.shape[0], ds.shape[1], ds.shape[2]];
}

export function datasetLength(ds: ImageDataset): number {
  return ds.labels.length;
}
