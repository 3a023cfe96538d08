import type { WindowParams } from '../../contract/jobParams';
import type { JobInput } from '../../contract/jobOptions';
import * as path from 'node:path';
import { band } from '../analysis/percentiles';
import { classCounts } from '../analysis/classCounts';
import { keepCount } from '../select/selection';
import { slidingWindow } from '../select/slidingWindow';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import { windowRetrainStreams } from './experimentStreams';
import { corruptedAmong } from './scoreRunNoise';
import { recordedStem } from './trainedModel';
import * as fs from 'node:fs';
import type { JobContext } from './job';
import { definedOnly } from './definedOnly';
import { trainingBackend, type Experiment } from '../jobs/experiment';
import type { StartOptions } from '../jobs/runner';
import { loadScoredData, retrain, unitRetrainContext, type ScoredData } from './pruneSweep';

export type WindowSweepConfig = WindowParams;

import { WINDOW_DEFAULTS } from '../../contract/jobDefaults';

export { WINDOW_DEFAULTS };

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
  /** Examples of each class in the window (label order). */
  readonly keptPerClass?: number[];
}

export function resolveWindowConfig(input: JobInput<'window'>): WindowSweepConfig {
  const cfg: WindowSweepConfig = { ...WINDOW_DEFAULTS, ...definedOnly(input) } as WindowSweepConfig;
  if (typeof cfg.dataset !== 'string') throw new Error('window job needs a "dataset" (e.g. "mnist")');
  if (typeof cfg.scoresFrom !== 'string') throw new Error('window job needs "scoresFrom": the id or folder of a score run');
  if (!(cfg.validation > 0)) throw new Error('the window sweep picks the best window on validation data: use --validation > 0');
  if (cfg.offsets.length === 0 || cfg.offsets.some((o) => !(o >= 0 && o < 1))) throw new Error(`window offsets must be fractions in [0, 1), got ${cfg.offsets.join(', ')}`);
  if (!(Number.isInteger(cfg.seeds) && cfg.seeds >= 1)) throw new Error(`repeats (seeds) must be a positive integer, got ${cfg.seeds}`);
  return cfg;
}

interface WindowState extends ScoredData {
  readonly size: number;
}

/** Unit i: offset cfg.offsets[floor(i / seeds)], repeat i % seeds. */
const unitPoint = (cfg: WindowSweepConfig, index: number) => ({ offsetFraction: cfg.offsets[Math.floor(index / cfg.seeds)], repeat: index % cfg.seeds });

export interface WindowRow {
  readonly offset: number;
  readonly repeat: number;
  readonly testAccuracy: number;
  readonly valAccuracy: number;
  readonly corrupted?: number;
  /** Examples of each class in the window (label order). */
  readonly keptPerClass?: number[];
}

/**
 * Sliding-window sweep as work units: one retraining per offset x repeat (an offset whose window does not fit the
 * trained examples is recorded as skipped); the merge groups the repeats per offset and picks the best window on
 * validation accuracy.
 */
export const windowExperiment: Experiment<WindowSweepConfig, WindowState, 'window'> = {
  job: 'window',
  mergesEmpty: true,
  resolve: (input) => resolveWindowConfig(input),
  seeds: (cfg) => ({ root: cfg.seed, repeats: cfg.seeds }),
  backend: trainingBackend,
  plan: (cfg) =>
    cfg.offsets.flatMap((f, o) => Array.from({ length: cfg.seeds }, (_, s) => ({ index: o * cfg.seeds + s, key: `offset-${f}-r${s}`, label: `window at ${Math.round(100 * f)}%, repeat ${s + 1}/${cfg.seeds}` }))),

  async prepare(cfg, ctx) {
    const loaded = await loadScoredData(cfg, ctx);
    const n = loaded.data.trainIndices.length;
    const size = keepCount(n, cfg.size);
    if (!cfg.offsets.some((f) => Math.round(f * n) + size <= n)) throw new Error(`no offset leaves room for a window of ${size} of ${n} examples`);
    return Promise.resolve({
      state: { ...loaded, size },
      record: { dataset: loaded.data.record, config: { ...cfg, steps: loaded.steps, augment: loaded.augment, stem: recordedStem(cfg, loaded.data.train), windowSize: size, scoresRun: path.basename(loaded.scoreDir), ...loaded.noise } },
    });
  },

  async runUnit(unit, cfg, st, ctx) {
    const { offsetFraction, repeat } = unitPoint(cfg, unit.index);
    const { data } = st;
    const n = data.trainIndices.length;
    const offset = Math.round(offsetFraction * n);
    if (offset + st.size > n) {
      writeJsonAtomic(path.join(ctx.outDir, 'skipped.json'), { offset, size: st.size, examples: n });
      return true;
    }
    const indices = Int32Array.from(slidingWindow(st.scores, offset, st.size), (p) => data.trainIndices[p]);
    const res = await retrain(unitRetrainContext(cfg, st, unit, ctx), indices, windowRetrainStreams(cfg.seed, offset, repeat));
    if (!res) return false;
    const keptPerClass = classCounts(data.train.labels, indices, data.train.numClasses);
    const row: WindowRow = { offset, repeat, testAccuracy: res.testAccuracy, valAccuracy: res.valAccuracy!, keptPerClass, ...(data.corrupted ? { corrupted: corruptedAmong(data, indices) } : {}) };
    writeJsonAtomic(path.join(ctx.outDir, 'row.json'), row);
    return true;
  },

  merge(cfg, done, st, ctx) {
    const n = st.data.trainIndices.length;
    const rows = done.filter((d) => fs.existsSync(path.join(d.dir, 'row.json'))).map((d) => JSON.parse(fs.readFileSync(path.join(d.dir, 'row.json'), 'utf8')) as WindowRow);
    const offsets = [...new Set(rows.map((r) => r.offset))];
    const points: WindowPoint[] = offsets.map((offset) => {
      const group = rows.filter((r) => r.offset === offset);
      const test = group.map((r) => r.testAccuracy);
      const val = group.map((r) => r.valAccuracy);
      const b = band(test);
      // The window is the same examples in every repeat (one score order): its class counts are the first repeat's.
      const kept = group[0].keptPerClass ? { keptPerClass: group[0].keptPerClass } : {};
      return { offset, offsetFraction: offset / n, test, val, testMean: b.mean, testLo: b.lo, testHi: b.hi, valMean: val.reduce((a, v) => a + v, 0) / val.length, ...kept, ...(group[0].corrupted !== undefined ? { corrupted: group[0].corrupted } : {}) };
    });
    const best = points.length ? points.reduce((a, p) => (p.valMean > a.valMean ? p : a)) : undefined;
    const bestRecord = best && { offset: best.offset, offsetFraction: best.offsetFraction, valAccuracy: best.valMean, testAccuracy: best.testMean };
    const results = { score: cfg.score, size: st.size, examples: n, steps: st.steps, ...(st.noise.labelNoise ? { labelNoise: st.noise.labelNoise, corruptedTrained: st.corruptedTrained } : {}), points, best: bestRecord };
    writeJsonAtomic(path.join(ctx.runDir, 'window-sweep.json'), { ...results, ...(ctx.complete ? {} : { partial: true }) });
    return { score: cfg.score, size: st.size, best: bestRecord };
  },
};

export function runWindowSweep(partial: JobInput<'window'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  // Imported when called: the runner's registry imports this module.
  return import('../jobs/runner').then(({ runJob }) => runJob('window', partial, ctx, opts));
}
