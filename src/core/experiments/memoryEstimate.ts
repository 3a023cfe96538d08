/**
 * Out-of-memory risk, estimated before a job trains anything: a batch size or width that does not fit would
 * otherwise crash the engine (or freeze the machine in swap) minutes into a run. The estimate is
 *   parameters x 4 bytes x 3 (weights, gradients, momentum)
 * + batch x activation bytes per example x 3 (forward activations kept for backward, their gradients, workspace)
 * + per-example gradients (exact GraNd without ghost norms: batch x parameters x 4 bytes)
 * + the dataset's pixels (uint8) and one normalized float32 batch,
 * with activations measured, not guessed: one training-mode forward pass of 2 examples under tf.profile, on the model
 * as built (a ResNet's ImageNet stem, stride 4, shrinks every later activation 16x; its CIFAR stem keeps the full
 * side). It is compared with the free system memory and, on the wasm backend, with WebAssembly's 4 GiB address space.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { Model, ModelSpec } from '../models/model';
import type { StateUpdate } from '../models/layers';
import { hasStem, IMAGENET_STEM_MIN_SIDE, resolveStem } from '../models/stem';

/** wasm32 addresses at most 4 GiB; tfjs-backend-wasm keeps every tensor inside that one memory. */
export const WASM_MEMORY_LIMIT = 4 * 1024 ** 3;
/** Leave this share of free memory to the rest of the system (the extension host, the editor, caches). */
export const FREE_MEMORY_SHARE = 0.8;

export interface MemoryEstimate {
  readonly paramBytes: number;
  readonly activationBytesPerExample: number;
  readonly batchSize: number;
  /** Bytes that do not scale with the batch: parameters (x3) and the dataset. */
  readonly fixedBytes: number;
  /** Bytes per example of a batch: activations (x3), a normalized input, per-example gradients if any. */
  readonly perExampleBytes: number;
  readonly totalBytes: number;
}

export interface MemoryBudget {
  readonly bytes: number;
  /** What the bytes are, for the message: "free memory" or "the wasm backend's 4 GiB". */
  readonly what: string;
}

export interface JobShape {
  readonly batchSize: number;
  /** Model width multiplier, for the suggestion. */
  readonly width: number;
  /** Pixels of the train and test splits, in bytes (uint8). */
  readonly datasetBytes: number;
  /** Exact per-example gradients are materialized (GraNd with convMethod "direct"). */
  readonly perExampleGradients?: boolean;
  /** A ResNet runs its CIFAR stem on images of IMAGENET_STEM_MIN_SIDE px or more: suggest the ImageNet stem. */
  readonly cifarStemOnLargeImages?: boolean;
}

/** A ResNet asked for the CIFAR stem on images large enough for the ImageNet one (JobShape's hint). */
export function cifarStemOnLargeImages(spec: ModelSpec): boolean {
  const [h, w] = spec.inputShape;
  return hasStem(spec.arch) && resolveStem(spec.stem, spec.inputShape) === 'cifar' && Math.min(h, w) >= IMAGENET_STEM_MIN_SIDE;
}

/** Activation bytes per example of a training-mode forward pass, measured on 2 examples. */
export async function measureActivationBytes(model: Model): Promise<number> {
  const [h, w, c] = model.spec.inputShape;
  const updates: StateUpdate[] = [];
  const before = tf.memory().numBytes;
  const info = await tf.profile(() =>
    tf.tidy(() => {
      const x = tf.zeros([2, h, w, c]) as tf.Tensor4D;
      return model.forward(x, { training: true, stateUpdates: updates });
    }),
  );
  (info.result as tf.Tensor).dispose();
  for (const u of updates) u.value.dispose();
  return Math.max(0, info.peakBytes - before) / 2;
}

export function estimateMemory(params: number, activationBytesPerExample: number, job: JobShape, inputFloats: number): MemoryEstimate {
  const paramBytes = params * 4;
  const fixedBytes = 3 * paramBytes + job.datasetBytes;
  const perExampleBytes = 3 * activationBytesPerExample + 4 * inputFloats + (job.perExampleGradients ? paramBytes : 0);
  return { paramBytes, activationBytesPerExample, batchSize: job.batchSize, fixedBytes, perExampleBytes, totalBytes: fixedBytes + job.batchSize * perExampleBytes };
}

/** What a job may use: most of the free memory, and on wasm at most its 4 GiB memory. */
export function memoryBudget(backend: string, free = os.freemem()): MemoryBudget {
  const sys = Math.floor(free * FREE_MEMORY_SHARE);
  if (backend === 'wasm' && WASM_MEMORY_LIMIT < sys) return { bytes: WASM_MEMORY_LIMIT, what: "the wasm backend's 4 GiB memory" };
  return { bytes: sys, what: `${Math.round(FREE_MEMORY_SHARE * 100)}% of the free memory (${gib(free)} free)` };
}

export function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(bytes < 1024 ** 3 ? 2 : 1)} GiB`;
}

/** Null when the job fits; otherwise the message, with the largest batch size that fits or a smaller width. */
export function memoryProblem(est: MemoryEstimate, budget: MemoryBudget, job: JobShape): string | null {
  if (est.totalBytes <= budget.bytes) return null;
  const head =
    `this job needs about ${gib(est.totalBytes)} (parameters ${gib(3 * est.paramBytes)}, ` +
    `batch of ${job.batchSize} x ${gib(est.perExampleBytes)} per example, data ${gib(job.datasetBytes)}), ` +
    `more than ${budget.what}`;
  const maxBatch = Math.floor((budget.bytes - est.fixedBytes) / est.perExampleBytes);
  const stem = job.cifarStemOnLargeImages ? ', --stem imagenet (the stages then run at a quarter of the image side)' : '';
  if (maxBatch >= 1) return `${head}: use a batch size of at most ${maxBatch}${job.perExampleGradients ? ' (or --conv-method ghost)' : ''}${stem}, or a smaller width`;
  return `${head}: even a batch of 1 does not fit; use a smaller width (now ${job.width})${stem} or a smaller model`;
}

export class OutOfMemoryRiskError extends Error {
  constructor(message: string, readonly estimate: MemoryEstimate) {
    super(message);
    this.name = 'OutOfMemoryRiskError';
  }
}

/** Measure, estimate, compare; throws OutOfMemoryRiskError with a suggestion when the job would not fit. */
export async function checkJobMemory(model: Model, job: JobShape, budget = memoryBudget(tf.getBackend())): Promise<MemoryEstimate> {
  const [h, w, c] = model.spec.inputShape;
  const est = estimateMemory(model.numParams(), await measureActivationBytes(model), job, h * w * c);
  const problem = memoryProblem(est, budget, { ...job, cifarStemOnLargeImages: job.cifarStemOnLargeImages ?? cifarStemOnLargeImages(model.spec) });
  if (problem) throw new OutOfMemoryRiskError(problem, est);
  return est;
}

/** checkJobMemory for a model built for the job: disposed when the job is refused, so the engine does not leak it. */
export async function assertFitsInMemory(model: Model, job: JobShape): Promise<MemoryEstimate> {
  try {
    return await checkJobMemory(model, job);
  } catch (e) {
    model.dispose();
    throw e;
  }
}

type Loaded = { readonly images: Uint8Array; readonly features?: { readonly values: Float32Array } };

/** Pixel (and backbone feature) bytes of the splits a job keeps loaded. */
export function loadedBytes(data: { readonly train: Loaded; readonly test: Loaded }): number {
  const bytes = (d: Loaded) => d.images.byteLength + (d.features?.values.byteLength ?? 0);
  return bytes(data.train) + bytes(data.test);
}
