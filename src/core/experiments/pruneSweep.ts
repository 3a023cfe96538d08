import * as fs from 'node:fs';
import * as path from 'node:path';
import { band } from '../analysis/percentiles';
import { initBackend } from '../compute/backend';
import { buildModel } from '../models/registry';
import { SEED_SCHEME } from '../randomStreams';
import { select, type StrategyName } from '../select/selection';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import { createRun, readRun, runsDir } from '../store/runStore';
import { readScoreTable, scoresDir } from '../store/scoreFiles';
import { stepsPerEpoch, trainModel } from '../train/trainLoop';
import { versions } from '../versions';
import { prepareData, type ExperimentData } from './experimentData';
import { checkSameNoise, corruptedAmong, scoreRunNoise } from './scoreRunNoise';
import { assertFitsInMemory, loadedBytes } from './memoryEstimate';
import { EtaEstimator, type JobContext } from './job';
import { TRAIN_DEFAULTS, type TrainRunConfig } from './trainRun';
import { retrainStreams, selectionStream, type SweepPoint, type TrainingStreams } from './experimentStreams';

/**
 * Prune sweep (Data Diet, figure 1): for each pruned fraction x strategy x seed, retrain from scratch on the kept
 * subset with the SAME iteration budget and schedule as full data, and record test accuracy; full-data runs are the
 * baseline. Scores come from an earlier `score` run on the same dataset (checked by fingerprint).
 */
export interface PruneSweepConfig extends TrainRunConfig {
  /** Score run: its id (under the root) or its folder. */
  readonly scoresFrom: string;
  /** Score table in that run, e.g. "el2n". */
  readonly score: string;
  readonly strategies: readonly StrategyName[];
  /** Fractions of the training examples pruned, in (0, 1). */
  readonly fractions: readonly number[];
  /** Repeats per point: repeat s trains from the `retrain[fraction,repeat=s,strategy]` stream, draws from `select[...]`. */
  readonly seeds: number;
  readonly classBalanced: boolean;
  /** 'non-extreme': fraction dropped from the top first. */
  readonly dropFraction?: number;
}

export const PRUNE_DEFAULTS: Omit<PruneSweepConfig, 'dataset' | 'scoresFrom'> = {
  ...TRAIN_DEFAULTS,
  validation: 0,
  score: 'el2n',
  strategies: ['keep-top', 'random'],
  fractions: [0.3, 0.5, 0.7],
  seeds: 4,
  classBalanced: false,
};

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
}

/** Finds a score run by id or folder and checks it scored this dataset. */
export function resolveScoreRun(root: string, ref: string, fingerprint: string): string {
  const dir = fs.existsSync(path.join(ref, 'manifest.json')) ? ref : path.join(runsDir(root), ref);
  const run = readRun(dir);
  if (!run.manifest) throw new Error(`score run "${ref}" not found or unreadable: ${run.problem ?? dir}`);
  if (run.manifest.kind !== 'score') throw new Error(`run ${run.manifest.id} is a ${run.manifest.kind} run, not a score run`);
  if (run.manifest.dataset && run.manifest.dataset.fingerprint !== fingerprint) {
    throw new Error(`run ${run.manifest.id} scored a different dataset (fingerprint ${run.manifest.dataset.fingerprint.slice(0, 12)}…, this one ${fingerprint.slice(0, 12)}…)`);
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
    if (v === undefined) throw new Error(`score table "${name}" in ${scoreDir} has no score for training example ${i}; score the whole training split`);
    return v;
  });
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
export async function retrain(ctx: RetrainContext, indices: Int32Array, streams: TrainingStreams): Promise<{ testAccuracy: number; valAccuracy?: number } | undefined> {
  const { data, cfg } = ctx;
  const model = buildModel({ arch: cfg.model, width: cfg.width, inputShape: data.train.shape, numClasses: data.train.numClasses }, streams.init.uniform());
  await assertFitsInMemory(model, { batchSize: cfg.batchSize, width: cfg.width, datasetBytes: loadedBytes(data) });
  try {
    const res = await trainModel(
      model,
      { train: data.train, trainIndices: indices, val: data.val, test: data.test, stats: data.stats },
      { ...cfg, steps: ctx.steps, dataStream: streams.data, augment: ctx.augment },
      { signal: ctx.signal, onStep: (s) => ctx.onStep?.(s.step) },
    );
    if (res.cancelled) return undefined;
    const last = res.epochs[res.epochs.length - 1];
    return { testAccuracy: last.test!.accuracy, valAccuracy: last.val?.accuracy };
  } finally {
    model.dispose();
  }
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

export async function runPruneSweep(partial: Partial<PruneSweepConfig> & { dataset: string; scoresFrom: string }, ctx: JobContext): Promise<RunManifest> {
  const cfg: PruneSweepConfig = { ...PRUNE_DEFAULTS, ...partial };
  if (cfg.fractions.some((f) => !(f > 0 && f < 1))) throw new Error(`pruned fractions must be in (0, 1), got ${cfg.fractions.join(', ')}`);
  const report = ctx.onProgress ?? (() => {});
  const run = createRun(ctx.root, { kind: 'prune', config: { ...cfg }, seeds: { root: cfg.seed, repeats: cfg.seeds }, versions: versions() });
  const base = { runId: run.id, runDir: run.dir };
  try {
    const backend = await initBackend(cfg.backend, { threads: cfg.threads });
    report({ ...base, phase: 'load', message: `loading ${cfg.dataset}`, fraction: 0 });
    // Scores from a noise study: retrain on the same noisy labels.
    const noise = scoreRunNoise(ctx.root, cfg.scoresFrom);
    const data = prepareData({ dataset: cfg.dataset, validation: cfg.validation, seed: cfg.seed, trainSubset: cfg.trainSubset, annotations: cfg.annotations, ...noise });
    const scoreDir = resolveScoreRun(ctx.root, cfg.scoresFrom, data.record.fingerprint);
    checkSameNoise(data, scoreDir, cfg.score);
    const scores = scoresForTraining(data, scoreDir, cfg.score);
    const labels = Int32Array.from(data.trainIndices, (i) => data.train.labels[i]);
    const n = data.trainIndices.length;
    const steps = cfg.steps ?? cfg.epochs * stepsPerEpoch(n, cfg.batchSize);
    const augment = cfg.augment === 'auto' ? data.train.shape[2] === 3 : cfg.augment;
    // Transfer: scores of one architecture may prune for another; the dataset fingerprint is what must match.
    const scoresModel = readRun(scoreDir).manifest?.model;
    run.update({ backend, dataset: data.record, config: { ...cfg, steps, augment, scoresRun: path.basename(scoreDir), scoresModel, ...noise } });

    const jobs: SweepPoint[] = [];
    for (let s = 0; s < cfg.seeds; s++) {
      jobs.push({ strategy: 'full data', fraction: 0, repeat: s });
      for (const fraction of cfg.fractions) for (const strategy of cfg.strategies) jobs.push({ strategy, fraction, repeat: s });
    }
    const rows: RetrainRow[] = [];
    const eta = new EtaEstimator();
    const rctx = (j: number): RetrainContext => ({
      data,
      cfg,
      steps,
      augment,
      signal: ctx.signal,
      onStep: (step) => {
        const done = j * steps + step;
        const { etaSeconds } = eta.tick(done, jobs.length * steps);
        report({ ...base, phase: 'train', message: `${jobs[j].strategy} ${Math.round(jobs[j].fraction * 100)}% pruned, repeat ${jobs[j].repeat + 1}/${cfg.seeds}`, fraction: done / (jobs.length * steps), step, totalSteps: steps, etaSeconds });
      },
    });
    for (let j = 0; j < jobs.length; j++) {
      const point = jobs[j];
      const { strategy, fraction, repeat } = point;
      // Each training and each random draw has its own stream: a retraining never shares an init with a score run
      // or another point, and the random baseline never shares a draw with the label noise (docs/randomness.md).
      const kept = strategy === 'full data' ? n : Math.round((1 - fraction) * n);
      const positions =
        strategy === 'full data'
          ? Int32Array.from({ length: n }, (_, i) => i)
          : select({ name: strategy as StrategyName, classBalanced: cfg.classBalanced }, scores, labels, kept, {
              ...(strategy === 'random' || strategy === 'gradient-cdf' ? { stream: selectionStream(cfg.seed, point) } : {}),
              ...(strategy === 'non-extreme' && cfg.dropFraction !== undefined ? { dropFraction: cfg.dropFraction } : {}),
            });
      const indices = Int32Array.from(positions, (p) => data.trainIndices[p]);
      const res = await retrain(rctx(j), indices, retrainStreams(cfg.seed, point));
      if (!res) break;
      rows.push({ strategy, fractionPruned: fraction, kept, repeat, ...res, ...(data.corrupted ? { corruptedKept: corruptedAmong(data, indices) } : {}) });
      report({ ...base, phase: 'eval', message: `${strategy} ${Math.round(fraction * 100)}% pruned, repeat ${repeat + 1}: test accuracy ${(100 * res.testAccuracy).toFixed(2)}%`, fraction: (j + 1) / jobs.length });
    }
    const summary = summarize(rows);
    const results = { score: cfg.score, scoresModel, model: { arch: cfg.model, width: cfg.width }, rows, summary, steps, examples: n };
    writeJsonAtomic(path.join(run.dir, 'prune-sweep.json'), results);
    if (rows.length < jobs.length) {
      return run.finish('cancelled', { error: `cancelled after ${rows.length} of ${jobs.length} trainings; the table holds the finished ones`, results: { ...results, partial: true } });
    }
    return run.finish('done', { results: { score: cfg.score, scoresModel, summary: summary.map(({ accuracies: _a, ...p }) => p), steps, examples: n } });
  } catch (e) {
    run.finish('failed', { error: (e as Error).message ?? String(e) });
    throw e;
  }
}
