import * as tf from '@tensorflow/tfjs-core';
import { augmentBatch } from '../data/augment';
import type { ImageDataset } from '../data/dataset';
import { normalizeBatch, type ChannelStats } from '../data/normalize';
import type { StateUpdate } from '../models/layers';
import type { Model } from '../models/model';
import { permutation } from '../random';
import type { RandomStream } from '../randomStreams';
import { evaluate, type EvalResult } from './evaluate';
import { crossEntropy } from './loss';
import { learningRateAt } from './schedule';
import { Sgd } from './sgd';

export interface TrainOptions {
  readonly batchSize: number;
  readonly lr: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  /** Total SGD iterations. Fixed independently of the subset size, as the papers require for pruned retraining. */
  readonly steps: number;
  /**
   * Length of the run whose learning-rate schedule applies, when training stops early on purpose (scores at
   * epoch t of a longer run). Defaults to `steps`.
   */
  readonly scheduleSteps?: number;
  /**
   * Step of the schedule at which this call starts (a child spawned from a parent at step t* continues the
   * parent's learning-rate schedule instead of restarting it). Defaults to 0.
   */
  readonly scheduleOffset?: number;
  /** Fractions of `steps` where the learning rate is multiplied by `gamma`. */
  readonly milestones: readonly number[];
  readonly gamma: number;
  /** Fraction of the schedule over which the learning rate rises linearly from lr/warmup-steps to lr (0: none). */
  readonly warmup?: number;
  /**
   * The training's data stream: the order of examples draws from its `data-order` child, augmentation from its
   * `augment` child. Initialization is the model builder's business (the training's `init` stream).
   */
  readonly dataStream: RandomStream;
  readonly augment: boolean;
  /**
   * Evaluate the held-out splits at an epoch's end only once this many steps have passed since the last
   * evaluation, and always after the last step (default: every epoch). A small pruned subset trained for the
   * full-data budget has thousands of short epochs; evaluating after each costs many times the training.
   */
  readonly evalEverySteps?: number;
}

export interface TrainData {
  readonly train: ImageDataset;
  /** Which examples of `train` to train on (a pruned subset); all when absent. */
  readonly trainIndices?: Int32Array;
  readonly val?: ImageDataset;
  readonly test?: ImageDataset;
  readonly stats: ChannelStats;
}

export interface EpochMetrics {
  readonly epoch: number;
  readonly step: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** Absent without the split, and at epochs between evaluations (evalEverySteps). */
  readonly val?: EvalResult;
  readonly test?: EvalResult;
  /** Seconds spent on training steps in this epoch (evaluation excluded). */
  readonly trainSeconds: number;
  readonly examplesPerSecond: number;
}

export interface StepInfo {
  readonly step: number;
  readonly totalSteps: number;
  readonly epoch: number;
  readonly loss: number;
  readonly lr: number;
}

export interface TrainHooks {
  readonly onStep?: (s: StepInfo) => void;
  readonly onEpoch?: (m: EpochMetrics) => void | Promise<void>;
  /**
   * Every minibatch's training-mode logits (n x numClasses), the examples' indices and labels: forgetting events,
   * area under the margin and data maps are read off these.
   */
  readonly onBatch?: (b: { indices: Int32Array; labels: Int32Array; logits: Float32Array; predicted: Int32Array; epoch: number }) => void;
  readonly signal?: AbortSignal;
}

export interface TrainResult {
  readonly stepsDone: number;
  readonly epochs: readonly EpochMetrics[];
  readonly cancelled: boolean;
}

export class TrainingDivergedError extends Error {
  constructor(readonly step: number, readonly loss: number) {
    super(`training diverged at step ${step}: loss is ${loss}; lower the learning rate`);
    this.name = 'TrainingDivergedError';
  }
}

export interface StepResult {
  readonly loss: number;
  /** The batch's logits (n x numClasses, row-major) from the training-mode forward pass. */
  readonly logits: Float32Array;
  readonly predicted: Int32Array;
}

/**
 * One SGD iteration on a normalized batch (NHWC floats): forward in training mode, backward, update, then the
 * batch-norm running statistics. Shared by the training loop and the benchmark so both time the same work.
 */
export async function trainStep(model: Model, sgd: Sgd, vars: tf.Variable[], xs: Float32Array, labels: Int32Array, lr: number): Promise<StepResult> {
  const n = labels.length;
  const [h, w, c] = model.spec.inputShape;
  const updates: StateUpdate[] = [];
  const [lossT, logitsT] = tf.tidy(() => {
    const x = tf.tensor4d(xs, [n, h, w, c]);
    const y = tf.tensor1d(labels, 'int32');
    let logitsKept: tf.Tensor2D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.forward(x, { training: true, stateUpdates: updates });
      logitsKept = tf.keep(logits);
      return crossEntropy(logits, y);
    }, vars);
    sgd.step(vars, grads, lr);
    return [value, logitsKept!];
  });
  for (const u of updates) {
    u.variable.assign(u.value);
    u.value.dispose();
  }
  // Asynchronous reads: the only kind the webgpu backend has in Node (compute/read.ts).
  try {
    const [lossV, logitsV] = await Promise.all([lossT.data(), logitsT.data()]);
    const logits = logitsV as Float32Array;
    return { loss: lossV[0], logits, predicted: argMaxRows(logits, model.spec.numClasses) };
  } finally {
    lossT.dispose();
    logitsT.dispose();
  }
}

export function argMaxRows(values: Float32Array, width: number): Int32Array {
  const n = values.length / width;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < width; k++) if (values[i * width + k] > values[i * width + best]) best = k;
    out[i] = best;
  }
  return out;
}

export function stepsPerEpoch(examples: number, batchSize: number): number {
  return Math.max(1, Math.ceil(examples / batchSize));
}

/** Lets the event loop run (cancel messages, progress writes) between steps without a timer's delay. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Trains `model` in place. Epoch boundaries are passes over the (sub)set; the run ends after exactly
 * `options.steps` iterations or on cancellation (checked every step); a non-finite loss throws
 * TrainingDivergedError after the epochs so far were reported through onEpoch.
 */
export async function trainModel(model: Model, data: TrainData, options: TrainOptions, hooks: TrainHooks = {}): Promise<TrainResult> {
  const { train, stats } = data;
  const indices = data.trainIndices ?? Int32Array.from({ length: train.labels.length }, (_, i) => i);
  if (indices.length === 0) throw new Error('cannot train on an empty subset');
  const orderRng = options.dataStream.derive('data-order').rng();
  const augmentRng = options.dataStream.derive('augment').rng();
  const sgd = new Sgd(options);
  const vars = model.params.map((p) => p.variable);
  const perEpoch = stepsPerEpoch(indices.length, options.batchSize);
  const totalSteps = options.scheduleSteps ?? options.steps;
  const schedule = { baseLr: options.lr, milestones: options.milestones, gamma: options.gamma, totalSteps, warmupSteps: Math.round((options.warmup ?? 0) * totalSteps) };
  const epochs: EpochMetrics[] = [];
  let step = 0;
  let epoch = 0;
  let cancelled = false;
  let evaluatedAt = 0;
  try {
    while (step < options.steps && !cancelled) {
      epoch++;
      const order = permutation(indices.length, orderRng);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let trainMs = 0;
      for (let b = 0; b < perEpoch && step < options.steps; b++) {
        if (hooks.signal?.aborted) {
          cancelled = true;
          break;
        }
        const t0 = performance.now();
        const start = b * options.batchSize;
        const batchIdx = Int32Array.from(order.subarray(start, Math.min(order.length, start + options.batchSize)), (o) => indices[o]);
        const n = batchIdx.length;
        const xs = normalizeBatch(train, batchIdx, stats);
        if (options.augment && !train.features) augmentBatch(xs, n, train.shape, augmentRng);
        const lr = learningRateAt(schedule, step + (options.scheduleOffset ?? 0));
        const labels = Int32Array.from(batchIdx, (i) => train.labels[i]);
        const { loss, logits, predicted } = await trainStep(model, sgd, vars, xs, labels, lr);
        trainMs += performance.now() - t0;
        step++;
        if (!Number.isFinite(loss)) throw new TrainingDivergedError(step, loss);
        lossSum += loss * n;
        for (let i = 0; i < n; i++) if (predicted[i] === train.labels[batchIdx[i]]) correct++;
        seen += n;
        hooks.onBatch?.({ indices: batchIdx, labels, logits, predicted, epoch });
        hooks.onStep?.({ step, totalSteps: options.steps, epoch, loss, lr });
        await yieldToEventLoop();
      }
      if (seen === 0) break;
      const evaluateNow = cancelled || step >= options.steps || step - evaluatedAt >= (options.evalEverySteps ?? 0);
      if (evaluateNow) evaluatedAt = step;
      const metrics: EpochMetrics = {
        epoch,
        step,
        lr: learningRateAt(schedule, Math.max(0, step - 1)),
        trainLoss: lossSum / seen,
        trainAccuracy: correct / seen,
        val: data.val && evaluateNow ? await evaluate(model, data.val, stats) : undefined,
        test: data.test && evaluateNow ? await evaluate(model, data.test, stats) : undefined,
        trainSeconds: trainMs / 1000,
        examplesPerSecond: seen / (trainMs / 1000),
      };
      epochs.push(metrics);
      await hooks.onEpoch?.(metrics);
    }
  } finally {
    sgd.dispose();
  }
  return { stepsDone: step, epochs, cancelled };
}
