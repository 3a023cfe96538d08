import * as path from 'node:path';
import { band } from '../analysis/percentiles';
import { initBackend } from '../compute/backend';
import { keepCount } from '../select/selection';
import { slidingWindow } from '../select/slidingWindow';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import { createRun } from '../store/runStore';
import { stepsPerEpoch } from '../train/trainLoop';
import { versions } from '../versions';
import { windowRetrainStreams } from './experimentStreams';
import { prepareData } from './experimentData';
import { checkSameNoise, corruptedAmong, scoreRunNoise } from './scoreRunNoise';
import { EtaEstimator, type JobContext } from './job';
import { PRUNE_DEFAULTS, resolveScoreRun, retrain, scoresForTraining, type RetrainContext } from './pruneSweep';
import type { TrainRunConfig } from './trainRun';

/**
 * Sliding-window sweep (Data Diet, section 5): sort the training examples by score, skip the lowest `offset`, keep
 * the next `size`, retrain with the full-data budget, for a range of offsets. The best window is chosen on the
 * validation split (never on test) and its test accuracy reported.
 */
export interface WindowSweepConfig extends TrainRunConfig {
  readonly scoresFrom: string;
  readonly score: string;
  /** Window size: a fraction (< 1) or a count of the training examples. */
  readonly size: number;
  /** Offsets as fractions of the training examples (each offset + size must fit). */
  readonly offsets: readonly number[];
  readonly seeds: number;
}

export const WINDOW_DEFAULTS: Omit<WindowSweepConfig, 'dataset' | 'scoresFrom'> = {
  ...PRUNE_DEFAULTS,
  // The best window is picked on validation data.
  validation: 0.1,
  size: 0.4,
  offsets: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
  seeds: 2,
};

export interface WindowPoint {
  readonly offset: number;
  readonly offsetFraction: number;
  readonly test: number[];
  readonly val: number[];
  readonly testMean: number;
  readonly testLo: number;
  readonly testHi: number;
  readonly valMean: number;
  /** Noise study: training examples in the window whose label was corrupted. */
  readonly corrupted?: number;
}

export async function runWindowSweep(partial: Partial<WindowSweepConfig> & { dataset: string; scoresFrom: string }, ctx: JobContext): Promise<RunManifest> {
  const cfg: WindowSweepConfig = { ...WINDOW_DEFAULTS, ...partial };
  if (!(cfg.validation > 0)) throw new Error('the window sweep picks the best window on validation data: use --validation > 0');
  const report = ctx.onProgress ?? (() => {});
  const run = createRun(ctx.root, { kind: 'window', config: { ...cfg }, seeds: { root: cfg.seed, repeats: cfg.seeds }, versions: versions() });
  const base = { runId: run.id, runDir: run.dir };
  try {
    const backend = await initBackend(cfg.backend, { threads: cfg.threads });
    report({ ...base, phase: 'load', message: `loading ${cfg.dataset}`, fraction: 0 });
    // Scores from a noise study: retrain on the same noisy labels.
    const noise = scoreRunNoise(ctx.root, cfg.scoresFrom);
    const data = prepareData({ dataset: cfg.dataset, validation: cfg.validation, seed: cfg.seed, trainSubset: cfg.trainSubset, ...noise });
    const scoreDir = resolveScoreRun(ctx.root, cfg.scoresFrom, data.record.fingerprint);
    const corruptedTrained = checkSameNoise(data, scoreDir, cfg.score);
    const scores = scoresForTraining(data, scoreDir, cfg.score);
    const n = data.trainIndices.length;
    const size = keepCount(n, cfg.size);
    const offsets = cfg.offsets.map((f) => Math.round(f * n)).filter((o) => o + size <= n);
    if (offsets.length === 0) throw new Error(`no offset leaves room for a window of ${size} of ${n} examples`);
    const steps = cfg.steps ?? cfg.epochs * stepsPerEpoch(n, cfg.batchSize);
    const augment = cfg.augment === 'auto' ? data.train.shape[2] === 3 : cfg.augment;
    run.update({ backend, dataset: data.record, config: { ...cfg, steps, augment, windowSize: size, scoresRun: path.basename(scoreDir), ...noise } });

    const total = offsets.length * cfg.seeds;
    const eta = new EtaEstimator();
    const points: WindowPoint[] = [];
    let job = 0;
    let cancelled = false;
    for (const offset of offsets) {
      const positions = slidingWindow(scores, offset, size);
      const indices = Int32Array.from(positions, (p) => data.trainIndices[p]);
      const test: number[] = [];
      const val: number[] = [];
      for (let s = 0; s < cfg.seeds && !cancelled; s++, job++) {
        const j = job;
        const rctx: RetrainContext = {
          data,
          cfg,
          steps,
          augment,
          signal: ctx.signal,
          onStep: (step) => {
            const done = j * steps + step;
            const { etaSeconds } = eta.tick(done, total * steps);
            report({ ...base, phase: 'train', message: `window at ${Math.round((100 * offset) / n)}%, repeat ${s + 1}/${cfg.seeds}`, fraction: done / (total * steps), step, totalSteps: steps, etaSeconds });
          },
        };
        const res = await retrain(rctx, indices, windowRetrainStreams(cfg.seed, offset, s));
        if (!res) cancelled = true;
        else {
          test.push(res.testAccuracy);
          val.push(res.valAccuracy!);
        }
      }
      if (test.length === 0) break;
      const b = band(test);
      points.push({ offset, offsetFraction: offset / n, test, val, testMean: b.mean, testLo: b.lo, testHi: b.hi, valMean: val.reduce((a, v) => a + v, 0) / val.length, ...(data.corrupted ? { corrupted: corruptedAmong(data, indices) } : {}) });
      if (cancelled) break;
    }
    const best = points.length ? points.reduce((a, p) => (p.valMean > a.valMean ? p : a)) : undefined;
    const results = { score: cfg.score, size, examples: n, steps, ...(noise.labelNoise ? { labelNoise: noise.labelNoise, corruptedTrained } : {}), points, best: best && { offset: best.offset, offsetFraction: best.offsetFraction, valAccuracy: best.valMean, testAccuracy: best.testMean } };
    writeJsonAtomic(path.join(run.dir, 'window-sweep.json'), results);
    if (cancelled) return run.finish('cancelled', { error: `cancelled after ${job} of ${total} trainings; the table holds the finished windows`, results: { ...results, partial: true } });
    return run.finish('done', { results: { score: cfg.score, size, best: results.best } });
  } catch (e) {
    run.finish('failed', { error: (e as Error).message ?? String(e) });
    throw e;
  }
}
