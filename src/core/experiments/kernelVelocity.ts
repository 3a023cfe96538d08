import type { KernelVelocityParams } from '../../contract/jobParams';
import type { JobInput } from '../../contract/jobOptions';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { normalizeBatch } from '../data/normalize';
import { kernelDistance } from '../dynamics/kernelDistance';
import { logitNtkGram } from '../dynamics/ntkGram';
import type { Model } from '../models/model';
import { buildModel } from '../models/registry';
import { recordedStem, trainedModelSpec } from './trainedModel';
import { probedTrainingStreams } from './experimentStreams';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import { stepsPerEpoch, trainModel } from '../train/trainLoop';
import { el2nNow } from './el2nNow';
import { loadTraining, type ExperimentData } from './experimentData';
import { definedOnly } from './definedOnly';
import { EtaEstimator, type JobContext } from './job';
import { probedModelRecord } from './probedTraining';
import { resolveScoreRun, scoresForTraining } from './pruneSweep';
import { trainingBackend, trainingSeeds, type Experiment } from '../jobs/experiment';
import { runJob, type StartOptions } from '../jobs/runner';
import { oneUnit, publishUnitFiles, readUnitResults, writeUnitResults } from '../jobs/singleUnit';

export type KernelVelocityConfig = KernelVelocityParams;

import { KERNEL_VELOCITY_DEFAULTS } from '../../contract/jobDefaults';
import { modelInputShape } from '../data/dataset';

export { KERNEL_VELOCITY_DEFAULTS };

export interface VelocityRow {
  /** Velocity between the end of epoch t and of epoch t + 1. */
  readonly epoch: number;
  readonly window: number;
  /** First sorted position of the window, and that as a fraction of the trained examples. */
  readonly start: number;
  readonly startFraction: number;
  readonly meanScore: number;
  readonly velocity: number;
}

/** Evenly spread window starts from the lowest (0) to the highest (n - m) scores. */
export function windowStarts(n: number, size: number, windows: number): number[] {
  if (!(Number.isInteger(size) && size >= 1 && size <= n)) throw new RangeError(`window size must be an integer in [1, ${n}] (the trained examples), got ${size}`);
  if (!(Number.isInteger(windows) && windows >= 1)) throw new RangeError(`need at least one window, got ${windows}`);
  if (windows === 1) return [0];
  return [...new Set(Array.from({ length: windows }, (_, w) => Math.round((w * (n - size)) / (windows - 1))))];
}

interface Window {
  readonly start: number;
  /** Dataset indices of its examples. */
  readonly indices: Int32Array;
  readonly meanScore: number;
}

function windowsOf(data: ExperimentData, scores: Float32Array, starts: number[], size: number): Window[] {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b] || a - b);
  return starts.map((start) => {
    const pos = order.slice(start, start + size);
    return { start, indices: Int32Array.from(pos, (p) => data.trainIndices[p]), meanScore: pos.reduce((s, p) => s + scores[p], 0) / size };
  });
}

function gramOf(model: Model, data: ExperimentData, idx: Int32Array): Float32Array {
  const [h, w, c] = modelInputShape(data.train);
  const x = tf.tensor4d(normalizeBatch(data.train, idx, data.stats), [idx.length, h, w, c]);
  try {
    return logitNtkGram(model, x).gram;
  } finally {
    x.dispose();
  }
}

export function resolveKernelVelocityConfig(input: JobInput<'kernel-velocity'>): KernelVelocityConfig {
  const cfg = { ...KERNEL_VELOCITY_DEFAULTS, ...definedOnly(input) } as KernelVelocityConfig;
  if (typeof cfg.dataset !== 'string') throw new Error('kernel-velocity job needs a "dataset" (e.g. "mnist")');
  return cfg;
}

interface VelocityState {
  readonly data: ExperimentData;
  readonly starts: number[];
  /** Scores of a given score run (one order for all epochs); absent: EL2N of the model at each epoch. */
  readonly fixed?: Float32Array;
  readonly steps: number;
  readonly augment: boolean;
}

const TABLE = 'kernel-velocity.json';

/**
 * One probed training as one work unit (every epoch's velocity needs the previous epoch's Grams). A cancelled
 * unit leaves the table of its finished epochs in the run folder, as before units.
 */
export const kernelVelocityExperiment: Experiment<KernelVelocityConfig, VelocityState, 'kernel-velocity'> = {
  job: 'kernel-velocity',
  resolve: (input) => resolveKernelVelocityConfig(input),
  seeds: trainingSeeds,
  backend: trainingBackend,
  plan: () => oneUnit('kernel velocity'),

  async prepare(cfg, ctx) {
    const { data, steps, augment } = await loadTraining(cfg, ctx, { labelNoise: cfg.labelNoise, noiseSeed: cfg.noiseSeed, noiseKind: cfg.noiseKind });
    const n = data.trainIndices.length;
    const starts = windowStarts(n, cfg.windowSize, cfg.windows);
    const fixed = cfg.scoresFrom ? scoresForTraining(data, resolveScoreRun(ctx.root, cfg.scoresFrom, data.record.fingerprint), cfg.score) : undefined;
    return Promise.resolve({
      state: { data, starts, fixed, steps, augment },
      record: { dataset: data.record, model: probedModelRecord(cfg, data), config: { ...cfg, steps, augment, windowStarts: starts, stem: recordedStem(cfg, data.train) } },
    });
  },

  async runUnit(_unit, cfg, { data, starts, fixed, steps, augment }, ctx) {
    const n = data.trainIndices.length;
    const streams = probedTrainingStreams(cfg.seed, cfg.dataSeed);
    const model = buildModel(trainedModelSpec(cfg, data.train), streams.init.uniform());
    const rows: VelocityRow[] = [];
    const eta = new EtaEstimator();
    try {
      // Windows of epoch t and their Grams at t; at t + 1 the same examples' Grams give the velocities.
      const take = (epoch: number) => {
        ctx.progress((epoch * stepsPerEpoch(n, cfg.batchSize)) / steps, { phase: 'score', message: `epoch ${epoch}: Gram matrices of ${starts.length} windows` });
        const windows = windowsOf(data, fixed ?? el2nNow(model, data), starts, cfg.windowSize);
        return { epoch, windows, grams: windows.map((w) => gramOf(model, data, w.indices)) };
      };
      let prev = take(0);
      const res = await trainModel(
        model,
        { train: data.train, trainIndices: data.trainIndices, stats: data.stats },
        { ...cfg, steps, dataStream: streams.data, augment },
        {
          signal: ctx.signal,
          onStep: (s) => {
            const { etaSeconds } = eta.tick(s.step, steps);
            ctx.progress(s.step / steps, { phase: 'train', message: `epoch ${s.epoch}, step ${s.step}/${steps}`, step: s.step, totalSteps: steps, loss: s.loss, etaSeconds });
          },
          onEpoch: (m) => {
            prev.windows.forEach((w, i) => {
              const velocity = kernelDistance(prev.grams[i], gramOf(model, data, w.indices));
              rows.push({ epoch: prev.epoch, window: i, start: w.start, startFraction: w.start / n, meanScore: w.meanScore, velocity });
            });
            ctx.progress(m.step / steps, { phase: 'eval', message: `kernel velocity, epoch ${prev.epoch} to ${m.epoch}: ${rows.slice(-prev.windows.length).map((r) => r.velocity.toFixed(3)).join(' ')}` });
            if (m.step < steps) prev = take(m.epoch);
          },
        },
      );
      const results = { score: fixed ? cfg.score : 'el2n (this model, epoch t)', scoresFrom: cfg.scoresFrom, windowSize: cfg.windowSize, windows: starts.length, examples: n, classes: data.train.numClasses, steps, rows };
      if (res.cancelled) {
        writeJsonAtomic(path.join(ctx.runDir, TABLE), results);
        return false;
      }
      writeJsonAtomic(path.join(ctx.outDir, TABLE), results);
      writeUnitResults(ctx.outDir, { ...results, rows: undefined, epochs: [...new Set(rows.map((r) => r.epoch))].length });
      return true;
    } finally {
      model.dispose();
    }
  },

  merge(_cfg, [unit], _st, ctx) {
    publishUnitFiles(unit, ctx.runDir, [TABLE]);
    return readUnitResults(unit);
  },
};

export function runKernelVelocity(partial: JobInput<'kernel-velocity'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  return runJob('kernel-velocity', partial, ctx, opts);
}
