import type { PruneParams } from '../../contract/jobParams';
import type { JobInput } from '../../contract/jobOptions';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { band } from '../analysis/percentiles';
import { classCounts } from '../analysis/classCounts';
import { buildModel } from '../models/registry';
import { modelChoice, recordedStem, trainedModelSpec } from './trainedModel';
import { SEED_SCHEME } from '../randomStreams';
import { select, type StrategyName } from '../select/selection';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import { readRun, runDirOf } from '../store/runStore';
import { readScoreTable, scoresDir } from '../store/scoreFiles';
import { stepsPerEpoch, trainModel, type EpochMetrics } from '../train/trainLoop';
import { loadTraining, type ExperimentData } from './experimentData';
import { checkSameNoise, corruptedAmong, scoreRunNoise, type RunNoise } from './scoreRunNoise';
import { scoreRunInputs } from './scoreRunInputs';
import { assertFitsInMemory, loadedBytes } from './memoryEstimate';
import type { JobContext } from './job';
import { definedOnly } from './definedOnly';
import { InputError } from '../inputError';
import { trainingBackend, type Experiment, type RunContext, type UnitContext } from '../jobs/experiment';
import type { WorkUnit } from '../../contract/workUnit';
import type { StartOptions } from '../jobs/runner';
import { type TrainRunConfig } from './trainRun';
import { retrainStreams, selectionStream, type SweepPoint, type TrainingStreams } from './experimentStreams';

export type PruneSweepConfig = PruneParams;

import { PRUNE_DEFAULTS } from '../../contract/jobDefaults';

export { PRUNE_DEFAULTS };

export interface RetrainRow {
  readonly strategy: string;
  readonly fractionPruned: number;
  readonly kept: number;
  /** Which repeat (0..seeds-1) of this point: its `retrain` and `select` streams are indexed by it. */
  readonly repeat: number;
  readonly testAccuracy: number;
  readonly valAccuracy?: number;
  /** Noise study: kept training examples whose label was corrupted. */
  readonly corruptedKept?: number;
  /** Kept examples of each class (label order): a class at 0 is gone from the kept set. */
  readonly keptPerClass?: number[];
  /**
   * At each test evaluation (about once per full-data epoch): training loss and accuracy, test accuracy (a
   * retraining that collapsed shows where).
   */
  readonly curve?: RetrainCurvePoint[];
}

export interface RetrainCurvePoint {
  /** Passes over the kept subset so far. */
  readonly epoch: number;
  /** SGD steps so far: comparable across subsets of different sizes. */
  readonly step?: number;
  /** Mean training loss and accuracy since the previous point. */
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy?: number;
}

/**
 * The retraining curve at its evaluations: one point per evaluated epoch, its training loss and accuracy averaged
 * (by steps) over the epochs since the previous point.
 */
export function curveAtEvaluations(epochs: readonly EpochMetrics[]): RetrainCurvePoint[] {
  const out: RetrainCurvePoint[] = [];
  let loss = 0;
  let correct = 0;
  let steps = 0;
  let prevStep = 0;
  for (const e of epochs) {
    const n = e.step - prevStep;
    prevStep = e.step;
    loss += e.trainLoss * n;
    correct += e.trainAccuracy * n;
    steps += n;
    if (!e.test) continue;
    out.push({ epoch: e.epoch, step: e.step, trainLoss: loss / Math.max(1, steps), trainAccuracy: correct / Math.max(1, steps), testAccuracy: e.test.accuracy });
    loss = correct = steps = 0;
  }
  return out;
}

/** Finds a score run by id or folder and checks it scored this dataset. */
export function resolveScoreRun(root: string, ref: string, fingerprint: string): string {
  const dir = runDirOf(root, ref);
  const run = readRun(dir);
  if (!run.manifest) throw new InputError(`score run "${ref}" not found or unreadable: ${run.problem ?? dir}`);
  if (run.manifest.kind !== 'score') throw new InputError(`run ${run.manifest.id} is a ${run.manifest.kind} run, not a score run`);
  if (run.manifest.dataset && run.manifest.dataset.fingerprint !== fingerprint) {
    throw new InputError(`run ${run.manifest.id} scored a different dataset (fingerprint ${run.manifest.dataset.fingerprint.slice(0, 12)}…, this one ${fingerprint.slice(0, 12)}…)`);
  }
  checkSeedScheme(run.manifest);
  return dir;
}

/**
 * A score run whose validation split, subset or label noise came from another seed scheme cannot be matched here:
 * the same seed now draws other examples. Say so, instead of failing later on a missing score.
 */
function checkSeedScheme(m: RunManifest): void {
  const scheme = m.seedScheme ?? 1;
  if (scheme === SEED_SCHEME) return;
  const c = m.config;
  const drawn = [
    typeof c.validation === 'number' && c.validation > 0 ? 'validation split' : '',
    typeof c.trainSubset === 'number' ? 'training subset' : '',
    typeof c.labelNoise === 'number' && c.labelNoise > 0 ? 'label noise' : '',
  ].filter(Boolean);
  if (drawn.length === 0) return;
  throw new Error(
    `score run ${m.id} was made with seed scheme ${scheme} and this version uses ${SEED_SCHEME} (docs/randomness.md): its ${drawn.join(', ')} ` +
      `cannot be reproduced from its seed any more. Score again (Data Diet: Rerun, or datadiet score with the same options) and prune with the new run.`,
  );
}

/** Scores of the trained examples, in the order of data.trainIndices; every trained example must be scored. */
export function scoresForTraining(data: ExperimentData, scoreDir: string, name: string): Float32Array {
  const table = readScoreTable(scoresDir(scoreDir), name);
  const byIndex = new Map<number, number>();
  table.index.forEach((idx, row) => byIndex.set(idx, table.score[row]));
  return Float32Array.from(data.trainIndices, (i) => {
    const v = byIndex.get(i);
    if (v === undefined) throw new InputError(`score table "${name}" in ${scoreDir} has no score for training example ${i}: ${scoredOtherExamples(scoreDir)}`);
    return v;
  });
}

/** The hint when a score run did not score what this run trains on: the data options it used, to use again. */
function scoredOtherExamples(scoreDir: string): string {
  const c = readRun(scoreDir).manifest?.config ?? {};
  const opt = (flag: string, v: unknown) => (v === undefined ? `no ${flag}` : `${flag} ${String(v)}`);
  return `the score run trained on other examples; use the options it used (--seed ${String(c.seed ?? 0)}, ${opt('--subset', c.trainSubset)}, --validation ${String(c.validation ?? 0)}) or score the whole training split (--validation 0, no --subset)`;
}

export interface RetrainContext {
  readonly data: ExperimentData;
  readonly cfg: TrainRunConfig;
  /** Full-data iteration budget, used for every subset. */
  readonly steps: number;
  readonly augment: boolean;
  readonly signal?: AbortSignal;
  readonly onStep?: (step: number) => void;
}

/** Trains a fresh model (from `streams.init`) on the given dataset indices; undefined if cancelled. */
export async function retrain(ctx: RetrainContext, indices: Int32Array, streams: TrainingStreams): Promise<{ testAccuracy: number; valAccuracy?: number; curve: RetrainCurvePoint[] } | undefined> {
  const { data, cfg } = ctx;
  const model = buildModel(trainedModelSpec(cfg, data.train), streams.init.uniform());
  await assertFitsInMemory(model, { batchSize: cfg.batchSize, width: cfg.width, datasetBytes: loadedBytes(data) });
  try {
    const res = await trainModel(
      model,
      { train: data.train, trainIndices: indices, val: data.val, test: data.test, stats: data.stats },
      // The test split is evaluated about once per full-data epoch, whatever the subset's size.
      { ...cfg, steps: ctx.steps, dataStream: streams.data, augment: ctx.augment, evalEverySteps: stepsPerEpoch(data.trainIndices.length, cfg.batchSize) },
      { signal: ctx.signal, onStep: (s) => ctx.onStep?.(s.step) },
    );
    if (res.cancelled) return undefined;
    const last = res.epochs[res.epochs.length - 1];
    return { testAccuracy: last.test!.accuracy, valAccuracy: last.val?.accuracy, curve: curveAtEvaluations(res.epochs) };
  } finally {
    model.dispose();
  }
}

/** A retraining as one unit of a sweep: the sweep's budget and data, the unit's progress and cancellation. */
export function unitRetrainContext(cfg: TrainRunConfig, st: ScoredData, unit: WorkUnit, ctx: UnitContext): RetrainContext {
  return {
    data: st.data,
    cfg,
    steps: st.steps,
    augment: st.augment,
    signal: ctx.signal,
    onStep: (step) => ctx.progress(step / st.steps, { phase: 'train', message: unit.label, step, totalSteps: st.steps }),
  };
}

export interface PrunePoint {
  readonly strategy: string;
  readonly fractionPruned: number;
  readonly accuracies: number[];
  /** Noise study: corrupted labels among the kept examples, per repeat. */
  readonly corruptedKept?: number[];
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
}

/** Mean and 16th-84th percentile band per (strategy, fraction), in fraction order. */
export function summarize(rows: readonly RetrainRow[]): PrunePoint[] {
  const groups = new Map<string, RetrainRow[]>();
  for (const r of rows) {
    const key = `${r.strategy}\u0000${r.fractionPruned}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()]
    .map((g) => {
      const acc = g.map((r) => r.testAccuracy);
      const corrupted = g.every((r) => r.corruptedKept !== undefined) ? { corruptedKept: g.map((r) => r.corruptedKept!) } : {};
      return { strategy: g[0].strategy, fractionPruned: g[0].fractionPruned, accuracies: acc, ...corrupted, ...band(acc) };
    })
    .sort((a, b) => a.strategy.localeCompare(b.strategy) || a.fractionPruned - b.fractionPruned);
}

export function resolvePruneConfig(input: JobInput<'prune'>): PruneSweepConfig {
  const cfg: PruneSweepConfig = { ...PRUNE_DEFAULTS, ...definedOnly(input) } as PruneSweepConfig;
  if (typeof cfg.dataset !== 'string') throw new Error('prune job needs a "dataset" (e.g. "mnist")');
  if (typeof cfg.scoresFrom !== 'string') throw new Error('prune job needs "scoresFrom": the id or folder of a score run');
  if (cfg.fractions.length === 0 || cfg.fractions.some((f) => !(f > 0 && f < 1))) throw new Error(`pruned fractions must be in (0, 1), got ${cfg.fractions.join(', ')}`);
  if (cfg.strategies.length === 0) throw new Error('the sweep needs at least one strategy');
  if (!(Number.isInteger(cfg.seeds) && cfg.seeds >= 1)) throw new Error(`repeats (seeds) must be a positive integer, got ${cfg.seeds}`);
  return cfg;
}

/** The sweep's points in their fixed order: per repeat, full data (unless turned off) then every fraction x strategy. */
export function sweepPoints(cfg: Pick<PruneSweepConfig, 'seeds' | 'fractions' | 'strategies'> & { readonly fullData?: boolean }): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (let s = 0; s < cfg.seeds; s++) {
    if (cfg.fullData !== false) points.push({ strategy: 'full data', fraction: 0, repeat: s });
    for (const fraction of cfg.fractions) for (const strategy of cfg.strategies) points.push({ strategy, fraction, repeat: s });
  }
  return points;
}

const pointKey = (p: SweepPoint) => (p.strategy === 'full data' ? `full-r${p.repeat}` : `${p.strategy}-f${p.fraction}-r${p.repeat}`);
const pointLabel = (p: SweepPoint, repeats: number) => (p.strategy === 'full data' ? 'full data' : `${p.strategy} ${Math.round(p.fraction * 100)}% pruned`) + `, repeat ${p.repeat + 1}/${repeats}`;

/** Loads the data and the scores of the score run it prunes by (which must have scored this data). */
export interface ScoredData {
  readonly data: ExperimentData;
  readonly scoreDir: string;
  readonly scores: Float32Array;
  readonly noise: RunNoise;
  readonly steps: number;
  readonly augment: boolean;
  readonly corruptedTrained: number;
}

export async function loadScoredData(cfg: PruneSweepConfig | (TrainRunConfig & { scoresFrom: string; score: string }), ctx: Pick<RunContext, 'root' | 'report' | 'signal'>, annotations?: string): Promise<ScoredData> {
  // Scores from a noise study: retrain on the same noisy labels.
  const noise = scoreRunNoise(ctx.root, cfg.scoresFrom);
  const inherited = scoreRunInputs(ctx.root, cfg.scoresFrom);
  const geometry = cfg.imageSize === undefined ? inherited.geometry : {};
  const scoredOn = inherited.backbone;
  if (scoredOn && cfg.backbone === undefined) {
    throw new InputError(`score run ${cfg.scoresFrom} trained a head on the features of the backbone ${scoredOn}: give --backbone ${scoredOn} (and a head: --model linear or mlp) to retrain the same way`);
  }
  const { data, steps, augment } = await loadTraining(cfg, ctx, { ...(annotations ? { annotations } : {}), ...noise, ...geometry });
  const scoreDir = resolveScoreRun(ctx.root, cfg.scoresFrom, data.record.fingerprint);
  const corruptedTrained = checkSameNoise(data, scoreDir, cfg.score);
  const scores = scoresForTraining(data, scoreDir, cfg.score);
  return { data, scoreDir, scores, noise, steps, augment, corruptedTrained };
}

export interface PruneState extends ScoredData {
  readonly labels: Int32Array;
  readonly scoresModel?: RunManifest['model'];
}

/**
 * Prune sweep as work units: one unit per point (strategy x fraction x repeat, and full data per repeat), each a
 * retraining from its own `retrain[...]` streams; the merge summarizes the rows in plan order.
 */
export const pruneExperiment: Experiment<PruneSweepConfig, PruneState, 'prune'> = {
  job: 'prune',
  mergesEmpty: true,
  resolve: (input) => resolvePruneConfig(input),
  seeds: (cfg) => ({ root: cfg.seed, repeats: cfg.seeds }),
  backend: trainingBackend,
  plan: (cfg) => sweepPoints(cfg).map((p, index) => ({ index, key: pointKey(p), label: pointLabel(p, cfg.seeds) })),

  async prepare(cfg, ctx) {
    const loaded = await loadScoredData(cfg, ctx, cfg.annotations);
    const { data, scoreDir, noise, steps, augment } = loaded;
    // Transfer: scores of one architecture may prune for another; the dataset fingerprint is what must match.
    const scoresModel = readRun(scoreDir).manifest?.model;
    const labels = Int32Array.from(data.trainIndices, (i) => data.train.labels[i]);
    return Promise.resolve({
      state: { ...loaded, labels, scoresModel },
      record: { dataset: data.record, config: { ...cfg, steps, augment, stem: recordedStem(cfg, data.train), scoresRun: path.basename(scoreDir), scoresModel, ...noise } },
    });
  },

  async runUnit(unit, cfg, st, ctx) {
    const point = sweepPoints(cfg)[unit.index];
    const { strategy, fraction, repeat } = point;
    const { data } = st;
    const n = data.trainIndices.length;
    // Each training and each random draw has its own stream: a retraining never shares an init with a score run
    // or another point, and the random baseline never shares a draw with the label noise (docs/randomness.md).
    const kept = strategy === 'full data' ? n : Math.round((1 - fraction) * n);
    const positions =
      strategy === 'full data'
        ? Int32Array.from({ length: n }, (_, i) => i)
        : select({ name: strategy as StrategyName, classBalanced: cfg.classBalanced }, st.scores, st.labels, kept, {
            ...(strategy === 'random' || strategy === 'gradient-cdf' ? { stream: selectionStream(cfg.seed, point) } : {}),
            ...(strategy === 'non-extreme' && cfg.dropFraction !== undefined ? { dropFraction: cfg.dropFraction } : {}),
          });
    const indices = Int32Array.from(positions, (p) => data.trainIndices[p]);
    const res = await retrain(unitRetrainContext(cfg, st, unit, ctx), indices, retrainStreams(cfg.seed, point));
    if (!res) return false;
    const keptPerClass = classCounts(data.train.labels, indices, data.train.numClasses);
    const row: RetrainRow = { strategy, fractionPruned: fraction, kept, repeat, ...res, keptPerClass, ...(data.corrupted ? { corruptedKept: corruptedAmong(data, indices) } : {}) };
    writeJsonAtomic(path.join(ctx.outDir, 'row.json'), row);
    ctx.progress(1, { phase: 'eval', message: `${unit.label}: test accuracy ${(100 * res.testAccuracy).toFixed(2)}%` });
    return true;
  },

  merge(cfg, done, st, ctx) {
    const rows = done.map((d) => JSON.parse(fs.readFileSync(path.join(d.dir, 'row.json'), 'utf8')) as RetrainRow);
    const summary = summarize(rows);
    const n = st.data.trainIndices.length;
    const base = { score: cfg.score, scoresModel: st.scoresModel, steps: st.steps, examples: n };
    writeJsonAtomic(path.join(ctx.runDir, 'prune-sweep.json'), { ...base, model: modelChoice(cfg, st.data.train), rows, summary, ...(ctx.complete ? {} : { partial: true }) });
    return { ...base, summary: summary.map(({ accuracies: _a, ...p }) => p) };
  },
};

export function runPruneSweep(partial: JobInput<'prune'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  // Imported when called: the runner's registry imports this module.
  return import('../jobs/runner').then(({ runJob }) => runJob('prune', partial, ctx, opts));
}
