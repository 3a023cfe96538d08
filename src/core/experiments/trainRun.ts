import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend, type BackendChoice } from '../compute/backend';
import { SEED_SCHEME } from '../randomStreams';
import { trainRunStreams } from './experimentStreams';
import { buildModel } from '../models/registry';
import type { Architecture, Model } from '../models/model';
import { loadCheckpoint, saveCheckpoint } from '../store/checkpoint';
import { clearResumePoint, readResumePoint, saveResumePoint, type ResumePoint } from '../store/resumePoint';
import type { RunManifest } from '../store/runManifest';
import { createRun, METRICS, readRun, runsDir } from '../store/runStore';
import { stepsPerEpoch, trainModel, TrainingDivergedError } from '../train/trainLoop';
import { versions } from '../versions';
import { prepareData } from './experimentData';
import { assertFitsInMemory, loadedBytes } from './memoryEstimate';
import { EtaEstimator, type JobContext } from './job';

export interface TrainRunConfig {
  /** Dataset spec: `mnist`, `fashion-mnist`, `cifar10:<dir>`, `folder:<dir>`, `csv:<file>`, or a path. */
  readonly dataset: string;
  readonly model: Architecture;
  readonly width: number;
  /** Epochs of the full training split; the iteration budget is derived from it (see `steps`). */
  readonly epochs: number;
  /** Explicit iteration budget; overrides epochs. Pruned subsets keep the full-data budget. */
  readonly steps?: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  /** Fractions of the budget at which the learning rate is multiplied by `gamma`. */
  readonly milestones: readonly number[];
  readonly gamma: number;
  /** Root seed: initialization, data order, split and subset each draw from their own stream of it. */
  readonly seed: number;
  /**
   * Root seed of data order and augmentation, to vary them while the initialization stays; by default they come
   * from the run's own `train` stream (docs/randomness.md).
   */
  readonly dataSeed?: number;
  /** Fraction (0..1) or count (>= 1) of the training split held out for validation, stratified. */
  readonly validation: number;
  readonly augment: 'auto' | boolean;
  readonly backend: BackendChoice;
  readonly threads?: number;
  /** Train on a seeded random subset of this many training examples (quick looks, tests). */
  readonly trainSubset?: number;
  /** Id of a failed or cancelled run to continue from its last epoch checkpoint (see store/resumePoint.ts). */
  readonly resumedFrom?: string;
  /** annotations.jsonl whose label corrections and exclusions apply to the training split (annotations/apply.ts). */
  readonly annotations?: string;
}

export const TRAIN_DEFAULTS: Omit<TrainRunConfig, 'dataset'> = {
  model: 'cnn-small',
  width: 1,
  epochs: 2,
  batchSize: 128,
  lr: 0.05,
  momentum: 0.9,
  nesterov: true,
  weightDecay: 5e-4,
  milestones: [0.5, 0.75],
  gamma: 0.2,
  seed: 0,
  validation: 0.1,
  augment: 'auto',
  backend: 'auto',
};

/**
 * One training run end to end: backend, data, model, training with per-epoch metrics, checkpoint. Writes the run
 * directory as it goes, so a cancelled or failed run keeps everything up to its last epoch, marked as such.
 */
export async function runTraining(partial: Partial<TrainRunConfig> & { dataset: string }, ctx: JobContext): Promise<RunManifest> {
  const config: TrainRunConfig = { ...TRAIN_DEFAULTS, ...partial };
  const streams = trainRunStreams(config.seed, config.dataSeed);
  const report = ctx.onProgress ?? (() => {});
  const run = createRun(ctx.root, {
    kind: 'train',
    // Not resumedFrom: "rerun with the same configuration" must start over, not resume again (it is in results).
    config: { ...config, resumedFrom: undefined },
    seeds: { root: config.seed, ...(config.dataSeed !== undefined ? { data: config.dataSeed } : {}) },
    versions: versions(),
  });
  const base = { runId: run.id, runDir: run.dir };
  try {
    report({ ...base, phase: 'backend', message: 'choosing a compute backend', fraction: 0 });
    const backend = await initBackend(config.backend, { threads: config.threads });
    run.update({ backend });

    report({ ...base, phase: 'load', message: `loading ${config.dataset}`, fraction: 0 });
    const t0 = performance.now();
    const data = prepareData({ dataset: config.dataset, validation: config.validation, seed: config.seed, trainSubset: config.trainSubset, annotations: config.annotations });
    const steps = config.steps ?? config.epochs * stepsPerEpoch(data.trainIndices.length, config.batchSize);
    const augment = config.augment === 'auto' ? data.train.shape[2] === 3 : config.augment;
    const model = buildModel(
      { arch: config.model, width: config.width, inputShape: data.train.shape, numClasses: data.train.numClasses },
      streams.init.uniform(),
    );
    await assertFitsInMemory(model, { batchSize: config.batchSize, width: config.width, datasetBytes: loadedBytes(data) });
    const resume = config.resumedFrom ? resumeInto(model, path.join(runsDir(ctx.root), config.resumedFrom), run.dir, steps) : undefined;
    // Continuing at step t: the rest of the budget, on the same schedule; the data order after t is a fresh one.
    const offset = resume?.step ?? 0;
    const epochOffset = resume?.epoch ?? 0;
    run.update({
      dataset: data.record,
      model: { arch: config.model, width: config.width, params: model.numParams() },
      config: { ...config, resumedFrom: undefined, steps, augment },
      timings: { ...run.manifest.timings, loadSeconds: (performance.now() - t0) / 1000 },
    });

    const eta = new EtaEstimator();
    let trainSeconds = 0;
    let lastReport = 0;
    try {
      const result = await trainModel(
        model,
        { train: data.train, trainIndices: data.trainIndices, val: data.val, test: data.test, stats: data.stats },
        { ...config, steps: steps - offset, scheduleSteps: steps, scheduleOffset: offset, dataStream: offset ? streams.data.derive('resume', { step: offset }) : streams.data, augment },
        {
          signal: ctx.signal,
          onStep: (rel) => {
            const s = { ...rel, step: rel.step + offset, totalSteps: steps, epoch: rel.epoch + epochOffset };
            const { etaSeconds, secondsPerUnit: secondsPerStep } = eta.tick(rel.step, rel.totalSteps);
            const now = performance.now();
            if (now - lastReport < 200 && s.step !== s.totalSteps) return; // throttle: progress is for humans
            lastReport = now;
            report({
              ...base,
              phase: 'train',
              message: `epoch ${s.epoch}, step ${s.step}/${s.totalSteps}, loss ${s.loss.toFixed(4)}`,
              fraction: s.step / s.totalSteps,
              step: s.step,
              totalSteps: s.totalSteps,
              epoch: s.epoch,
              loss: s.loss,
              examplesPerSecond: config.batchSize / secondsPerStep,
              etaSeconds,
            });
          },
          onEpoch: async (rel) => {
            const m = { ...rel, epoch: rel.epoch + epochOffset, step: rel.step + offset };
            trainSeconds += m.trainSeconds;
            run.appendMetrics({ ...m, time: new Date().toISOString() });
            // Weights at each epoch end, so a killed engine's run can be resumed (datadiet runs resume <id>).
            if (m.step < steps) await saveResumePoint(model, run.dir, m.epoch, m.step);
            report({
              ...base,
              phase: 'eval',
              message: `epoch ${m.epoch}: test accuracy ${(100 * (m.test?.accuracy ?? NaN)).toFixed(2)}%`,
              fraction: m.step / steps,
              step: m.step,
              totalSteps: steps,
              epoch: m.epoch,
            });
          },
        },
      );
      report({ ...base, phase: 'save', message: 'saving weights', fraction: 1 });
      await saveCheckpoint(model, run.dir, 'weights');
      const last = result.epochs[result.epochs.length - 1];
      const results = {
        steps: result.stepsDone + offset,
        epochs: result.epochs.length + epochOffset,
        testAccuracy: last?.test?.accuracy,
        testLoss: last?.test?.loss,
        valAccuracy: last?.val?.accuracy,
        ...(resume ? { resumedFrom: config.resumedFrom, resumedAtStep: resume.step } : {}),
        trainExamplesPerSecond: trainSeconds > 0 ? result.epochs.reduce((s, e) => s + e.examplesPerSecond * e.trainSeconds, 0) / trainSeconds : undefined,
      };
      if (result.cancelled) {
        return run.finish('cancelled', {
          error: `cancelled after ${result.stepsDone} of ${steps} steps; results are partial`,
          results: { ...results, partial: true },
          timings: { ...run.manifest.timings, trainSeconds },
        });
      }
      clearResumePoint(run.dir);
      return run.finish('done', { results, timings: { ...run.manifest.timings, trainSeconds } });
    } finally {
      model.dispose();
    }
  } catch (e) {
    const message = e instanceof TrainingDivergedError ? e.message : (e as Error).message ?? String(e);
    run.finish('failed', { error: message });
    throw e;
  }
}

/**
 * Loads the last epoch checkpoint of run `fromDir` into `model` and carries its metrics up to that epoch into the
 * new run; undefined (a rerun from the start) when it has none.
 */
function resumeInto(model: Model, fromDir: string, toDir: string, steps: number): ResumePoint | undefined {
  const point = readResumePoint(fromDir);
  if (!point || point.step >= steps) return undefined;
  // Weights trained under another seed scheme saw another validation split and subset: start over instead.
  if ((readRun(fromDir).manifest?.seedScheme ?? 1) !== SEED_SCHEME) return undefined;
  loadCheckpoint(model, fromDir, point.checkpoint);
  const kept = fs.existsSync(path.join(fromDir, METRICS))
    ? fs
        .readFileSync(path.join(fromDir, METRICS), 'utf8')
        .split('\n')
        .filter((l) => {
          try {
            return (JSON.parse(l) as { epoch: number }).epoch <= point.epoch;
          } catch {
            return false; // blank or torn by the kill
          }
        })
    : [];
  if (kept.length) fs.writeFileSync(path.join(toDir, METRICS), kept.join('\n') + '\n');
  return point;
}
