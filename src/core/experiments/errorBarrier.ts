import type { ErrorBarrierParams } from '../../contract/jobParams';
import type { JobInput } from '../../contract/jobOptions';
import * as path from 'node:path';
import { band } from '../analysis/percentiles';
import { recomputeBatchNormStats } from '../dynamics/batchNormStats';
import { alphaGrid, errorBarrier } from '../dynamics/errorBarrier';
import { interpolateWeights, loadWeights, snapshotWeights, type WeightSnapshot } from '../dynamics/weights';
import { buildModel } from '../models/registry';
import { recordedStem, trainedModelSpec } from './trainedModel';
import { permutation } from '../random';
import { RandomStream } from '../randomStreams';
import { probedTrainingStreams } from './experimentStreams';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import { evaluate } from '../train/evaluate';
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

export type ErrorBarrierConfig = ErrorBarrierParams;

import { ERROR_BARRIER_DEFAULTS } from '../../contract/jobDefaults';

export { ERROR_BARRIER_DEFAULTS };

export const BARRIER_SETS = ['highest', 'lowest', 'random', 'test'] as const;
export type BarrierSet = (typeof BARRIER_SETS)[number];

export interface BarrierRow {
  readonly spawnStep: number;
  readonly spawnFraction: number;
  readonly pair: number;
  readonly set: BarrierSet;
  /** Error at each alpha. */
  readonly errors: number[];
  readonly barrier: number;
  readonly alphaAtMax: number;
}

export interface BarrierPoint {
  readonly spawnStep: number;
  readonly set: BarrierSet;
  readonly barriers: number[];
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
}

/** Mean and 16th-84th percentile band of the barrier per (set, spawn step). */
export function summarizeBarriers(rows: readonly BarrierRow[]): BarrierPoint[] {
  const groups = new Map<string, BarrierRow[]>();
  for (const r of rows) groups.set(`${r.set}\u0000${r.spawnStep}`, [...(groups.get(`${r.set}\u0000${r.spawnStep}`) ?? []), r]);
  return [...groups.values()]
    .map((g) => {
      const barriers = g.map((r) => r.barrier);
      return { spawnStep: g[0].spawnStep, set: g[0].set, barriers, ...band(barriers) };
    })
    .sort((a, b) => BARRIER_SETS.indexOf(a.set) - BARRIER_SETS.indexOf(b.set) || a.spawnStep - b.spawnStep);
}

export function resolveErrorBarrierConfig(input: JobInput<'error-barrier'>): ErrorBarrierConfig {
  const cfg = { ...ERROR_BARRIER_DEFAULTS, ...definedOnly(input) } as ErrorBarrierConfig;
  if (typeof cfg.dataset !== 'string') throw new Error('error-barrier job needs a "dataset" (e.g. "mnist")');
  if (cfg.spawnFractions.some((f) => !(f >= 0 && f < 1))) throw new Error(`spawn fractions must be in [0, 1), got ${cfg.spawnFractions.join(', ')}`);
  return cfg;
}

interface BarrierState {
  readonly data: ExperimentData;
  readonly steps: number;
  readonly perEpoch: number;
  readonly spawnSteps: number[];
  /** Scores of a given score run; absent: EL2N of the parent at the score epoch. */
  readonly fixed?: Float32Array;
  readonly augment: boolean;
  readonly alphas: number[];
}

const TABLE = 'error-barrier.json';

/**
 * The parent and all its children as one work unit: every spawn starts from the parent's weights at its step and
 * the subsets come from the parent's scores, so the spawns are not independent trainings. A cancelled unit leaves
 * the table of its finished children pairs in the run folder, as before units.
 */
export const errorBarrierExperiment: Experiment<ErrorBarrierConfig, BarrierState, 'error-barrier'> = {
  job: 'error-barrier',
  resolve: (input) => resolveErrorBarrierConfig(input),
  seeds: trainingSeeds,
  backend: trainingBackend,
  plan: () => oneUnit('error barrier'),

  async prepare(cfg, ctx) {
    const { data, steps, augment } = await loadTraining(cfg, ctx);
    const n = data.trainIndices.length;
    if (!(Number.isInteger(cfg.subsetSize) && cfg.subsetSize >= 1 && 2 * cfg.subsetSize <= n)) throw new Error(`--subset-size must be an integer with 2 x size <= ${n} trained examples (highest and lowest must not overlap), got ${cfg.subsetSize}`);
    const perEpoch = stepsPerEpoch(n, cfg.batchSize);
    const spawnSteps = [...new Set(cfg.spawnFractions.map((f) => Math.round(f * steps)))].sort((a, b) => a - b);
    const fixed = cfg.scoresFrom ? scoresForTraining(data, resolveScoreRun(ctx.root, cfg.scoresFrom, data.record.fingerprint), cfg.score) : undefined;
    if (!fixed && cfg.scoreEpoch * perEpoch > steps) throw new Error(`score epoch ${cfg.scoreEpoch} is past the end of training (${steps} steps)`);
    const alphas = alphaGrid(cfg.alphaSteps);
    return Promise.resolve({
      state: { data, steps, perEpoch, spawnSteps, fixed, augment, alphas },
      record: { dataset: data.record, model: probedModelRecord(cfg, data), config: { ...cfg, steps, augment, spawnSteps, alphas, stem: recordedStem(cfg, data.train) } },
    });
  },

  async runUnit(_unit, cfg, { data, steps, perEpoch, spawnSteps, fixed, augment, alphas }, ctx) {
    const n = data.trainIndices.length;
    const root = RandomStream.root(cfg.seed);
    const parent = probedTrainingStreams(cfg.seed, cfg.dataSeed);
    const model = buildModel(trainedModelSpec(cfg, data.train), parent.init.uniform());
    const trainData = { train: data.train, trainIndices: data.trainIndices, stats: data.stats };
    const options = { ...cfg, steps, scheduleSteps: steps, augment };
    const eta = new EtaEstimator();
    // Work: parent steps, then per spawn and pair two children of (T - t*) steps.
    const parentSteps = Math.max(spawnSteps[spawnSteps.length - 1], fixed ? 0 : cfg.scoreEpoch * perEpoch);
    const total = parentSteps + spawnSteps.reduce((s, t) => s + 2 * cfg.pairs * (steps - t), 0);
    let done = 0;
    const tick = (message: string) => (s: { step: number; loss: number }) => {
      const { etaSeconds } = eta.tick(done + s.step, total);
      ctx.progress((done + s.step) / total, { phase: 'train', message, step: s.step, loss: s.loss, etaSeconds });
    };
    try {
      // 1. Parent: snapshots at the spawn steps, scores at the score epoch.
      const snapshots = new Map<number, WeightSnapshot>();
      if (spawnSteps[0] === 0) snapshots.set(0, snapshotWeights(model));
      let scores = fixed;
      let cancelled = false;
      if (parentSteps > 0) {
        const res = await trainModel(model, trainData, { ...options, steps: parentSteps, dataStream: parent.data }, {
          signal: ctx.signal,
          onStep: (s) => {
            if (spawnSteps.includes(s.step)) snapshots.set(s.step, snapshotWeights(model));
            tick(`parent, step ${s.step}/${parentSteps}`)(s);
          },
          onEpoch: (m) => {
            if (!fixed && m.epoch === cfg.scoreEpoch) scores = el2nNow(model, data);
          },
        });
        cancelled = res.cancelled;
        done += parentSteps;
      }
      const rows: BarrierRow[] = [];
      if (!cancelled) {
        // 2. The three training subsets (positions into trainIndices -> dataset indices).
        const order = Array.from(scores!.keys()).sort((a, b) => scores![a] - scores![b] || a - b);
        const k = cfg.subsetSize;
        const pick = (pos: ArrayLike<number>) => Int32Array.from(Array.from(pos, (p) => data.trainIndices[p])).sort();
        const rand = permutation(n, root.derive('barrier-random-set').rng()).subarray(0, k);
        const testIdx = cfg.testExamples !== undefined && cfg.testExamples < data.test.labels.length ? Int32Array.from({ length: cfg.testExamples }, (_, i) => i) : undefined;
        const sets: Record<BarrierSet, () => Promise<number>> = {
          highest: async () => 1 - (await evaluate(model, data.train, data.stats, pick(order.slice(n - k)))).accuracy,
          lowest: async () => 1 - (await evaluate(model, data.train, data.stats, pick(order.slice(0, k)))).accuracy,
          random: async () => 1 - (await evaluate(model, data.train, data.stats, pick(rand))).accuracy,
          test: async () => 1 - (await evaluate(model, data.test, data.stats, testIdx)).accuracy,
        };
        const bnRng = root.derive('barrier-bn-batches').rng();
        const bnBatches = Array.from({ length: model.state.length ? cfg.bnBatches : 0 }, () => {
          const p = permutation(n, bnRng).subarray(0, Math.min(n, cfg.batchSize));
          return Int32Array.from(p, (q) => data.trainIndices[q]);
        });
        // 3. Children and their interpolations.
        outer: for (const t of spawnSteps) {
          for (let pair = 0; pair < cfg.pairs; pair++) {
            const children: WeightSnapshot[] = [];
            for (let child = 0; child < 2; child++) {
              loadWeights(model, snapshots.get(t)!);
              // Both children start from the parent's weights at t; only their data orders differ, each from its own stream.
              const childData = parent.data.derive('barrier-child', { spawn: t, pair, child });
              if (t < steps) {
                const res = await trainModel(model, trainData, { ...options, steps: steps - t, scheduleOffset: t, dataStream: childData }, { signal: ctx.signal, onStep: tick(`spawn at step ${t}: pair ${pair + 1}, child ${child + 1}`) });
                done += steps - t;
                if (res.cancelled) {
                  cancelled = true;
                  break outer;
                }
              }
              children.push(snapshotWeights(model));
            }
            const errors: Record<BarrierSet, number[]> = { highest: [], lowest: [], random: [], test: [] };
            for (const alpha of alphas) {
              loadWeights(model, interpolateWeights(children[0], children[1], alpha));
              recomputeBatchNormStats(model, data.train, data.stats, bnBatches);
              for (const set of BARRIER_SETS) errors[set].push(await sets[set]());
            }
            for (const set of BARRIER_SETS) {
              const b = errorBarrier(alphas, errors[set]);
              rows.push({ spawnStep: t, spawnFraction: t / steps, pair, set, errors: errors[set], barrier: b.barrier, alphaAtMax: b.alpha });
            }
            ctx.progress(done / total, { phase: 'eval', message: `spawn at step ${t}: barrier ${BARRIER_SETS.map((s) => `${s} ${(100 * rows.find((r) => r.spawnStep === t && r.pair === pair && r.set === s)!.barrier).toFixed(2)}%`).join(', ')}` });
          }
        }
      }
      const summary = summarizeBarriers(rows);
      const results = { score: fixed ? cfg.score : `el2n (parent, epoch ${cfg.scoreEpoch})`, scoresFrom: cfg.scoresFrom, subsetSize: cfg.subsetSize, examples: n, steps, spawnSteps, alphas, bnRecomputed: model.state.length > 0, rows, summary };
      if (cancelled) {
        writeJsonAtomic(path.join(ctx.runDir, TABLE), results);
        return false;
      }
      writeJsonAtomic(path.join(ctx.outDir, TABLE), results);
      writeUnitResults(ctx.outDir, { score: results.score, steps, spawnSteps, summary: summary.map(({ barriers: _b, ...p }) => p) });
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

export function runErrorBarrier(partial: JobInput<'error-barrier'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  return runJob('error-barrier', partial, ctx, opts);
}
