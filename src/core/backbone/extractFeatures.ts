/**
 * Runs a frozen backbone over a dataset's images, batch by batch, and returns one feature vector per example.
 * Same inputs and backend give the same features: batch sizes depend only on the model and the memory budget.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../inputError';
import type { Backbone } from './backbone';
import { checkSourceShape, preprocessingFor, toModelInput, type InputRange, type Preprocessing } from './preprocess';

export interface ExtractOptions {
  /** Pixel range the model expects (default '0-1'; '0-255' for models that take integer pixels). */
  readonly inputRange?: InputRange;
  /** Examples per forward pass; default: as many as fit memoryBudgetBytes, at most MAX_BATCH. */
  readonly batchSize?: number;
  /** Memory one batch may take while it runs (default DEFAULT_MEMORY_BUDGET). */
  readonly memoryBudgetBytes?: number;
  /** Called after each batch with the fraction of examples done. */
  readonly onProgress?: (fraction: number) => void;
  /** Aborting stops before the next batch and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_MEMORY_BUDGET = 256 * 2 ** 20;
/** Beyond this, bigger batches no longer speed inference up and only delay progress and cancellation. */
export const MAX_BATCH = 64;

/** The preprocessing extractFeatures applies with these options (the feature cache key includes it). */
export function extractionPreprocessing(backbone: Backbone, opts: Pick<ExtractOptions, 'inputRange'> = {}): Preprocessing {
  return preprocessingFor(backbone.input, opts.inputRange ?? (backbone.input.dtype === 'int32' ? '0-255' : '0-1'));
}

/**
 * Examples per batch: the budget over the measured per-example cost plus the batch's uint8 source and float copies,
 * clamped to [1, MAX_BATCH]. A model whose signature fixes the batch gets exactly that.
 */
export function chooseBatchSize(backbone: Backbone, sourceShape: readonly [number, number, number], opts: Pick<ExtractOptions, 'batchSize' | 'memoryBudgetBytes'> = {}): number {
  if (backbone.input.fixedBatch !== undefined) return backbone.input.fixedBatch;
  if (opts.batchSize !== undefined) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new InputError(`batch size ${opts.batchSize} is not a positive whole number`);
    return opts.batchSize;
  }
  const [h, w, c] = sourceShape;
  const perExample = backbone.bytesPerExample + h * w * c * (1 + 4 * 2);
  const budget = opts.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET;
  return Math.max(1, Math.min(MAX_BATCH, Math.floor(budget / perExample)));
}

/** `images` holds `count` uint8 examples of `shape` (HWC), example-major. Returns count * featureDim values. */
export async function extractFeatures(backbone: Backbone, images: Uint8Array, shape: readonly [number, number, number], count: number, opts: ExtractOptions = {}): Promise<Float32Array> {
  checkSourceShape(shape);
  const perImage = shape[0] * shape[1] * shape[2];
  if (!Number.isInteger(count) || count < 0 || images.length < count * perImage) {
    throw new InputError(`${count} images of ${shape.join('x')} need ${count * perImage} bytes, but ${images.length} were given`);
  }
  const prep = extractionPreprocessing(backbone, opts);
  const batch = chooseBatchSize(backbone, shape, opts);
  const dim = backbone.featureDim;
  const out = new Float32Array(count * dim);
  for (let start = 0; start < count; start += batch) {
    opts.signal?.throwIfAborted();
    const n = Math.min(batch, count - start);
    // A model with a fixed batch gets its last, short batch padded with black images; their features are dropped.
    const rows = backbone.input.fixedBatch ?? n;
    const slice = images.subarray(start * perImage, (start + n) * perImage);
    const pixels = rows === n ? slice : padded(slice, rows * perImage);
    const x = tf.tidy(() => toModelInput(pixels, shape, rows, prep));
    let features: tf.Tensor2D | undefined;
    try {
      features = await backbone.embed(x);
      const values = await features.data();
      out.set(values.subarray(0, n * dim), start * dim);
    } finally {
      x.dispose();
      features?.dispose();
    }
    opts.onProgress?.((start + n) / count);
    // Let timers and messages (a cancel among them) run between batches.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

function padded(pixels: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(pixels);
  return out;
}
