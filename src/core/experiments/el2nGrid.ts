import type { El2nGridParams } from '../../contract/jobParams';
import { checkParams, type JobInput } from '../../contract/jobOptions';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spearman, spearmanMatrix, stabilityCurve } from '../analysis/spearman';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import { runsDir } from '../store/runStore';
import { readScoreTable, scoresDir, writeScoreTable } from '../store/scoreFiles';
import { definedOnly } from './definedOnly';
import type { JobContext, JobProgress } from './job';
import type { Experiment } from '../jobs/experiment';
import { runJob, type StartOptions } from '../jobs/runner';
import { resolveScoreConfig, runScores, scoreExperiment, type ScoreRunConfig } from './scoreRun';

export type El2nGridConfig = El2nGridParams;

import { EL2N_GRID_DEFAULTS } from '../../contract/jobDefaults';

export { EL2N_GRID_DEFAULTS };

export interface GridPoint {
  readonly lr: number;
  readonly weightDecay: number;
  readonly batchSize: number;
  readonly width: number;
  readonly label: string;
  readonly runId: string;
}

export function gridPoints(cfg: Pick<El2nGridConfig, 'lrs' | 'weightDecays' | 'batchSizes' | 'widths'>): Omit<GridPoint, 'runId'>[] {
  for (const [name, v] of [['learning rates', cfg.lrs], ['weight decays', cfg.weightDecays], ['batch sizes', cfg.batchSizes], ['widths', cfg.widths]] as const) {
    if (v.length === 0) throw new Error(`the grid needs at least one value of ${name}`);
  }
  return cfg.lrs.flatMap((lr) =>
    cfg.weightDecays.flatMap((weightDecay) =>
      cfg.batchSizes.flatMap((batchSize) => cfg.widths.map((width) => ({ lr, weightDecay, batchSize, width, label: `lr ${lr}, wd ${weightDecay}, batch ${batchSize}, width ${width}` }))),
    ),
  );
}

function meanOf(columns: Float32Array[]): Float32Array {
  const out = new Float32Array(columns[0].length);
  for (const c of columns) for (let i = 0; i < out.length; i++) out[i] += c[i] / columns.length;
  return out;
}

/** The grid's parameters: recorded as a score run ("grid": true) that prune reads like any other. */
export type El2nGridResolved = El2nGridConfig & { readonly grid: true; readonly runKind: 'score' };

export function resolveEl2nGridConfig(input: JobInput<'el2n-grid'>): El2nGridResolved {
  const cfg = { ...EL2N_GRID_DEFAULTS, ...definedOnly(input), scores: ['el2n'], grid: true, runKind: 'score' } as El2nGridResolved;
  if (typeof cfg.dataset !== 'string') throw new Error('el2n-grid job needs a "dataset" (e.g. "mnist")');
  // Every grid point's score run is checked now, before any of them trains.
  for (const p of gridPoints(cfg)) resolveScoreConfig(checkParams('score', { ...pointConfig(cfg, p) }));
  return cfg;
}

/** The score run of one grid point: the grid's configuration at that learning rate, weight decay, batch size and width. */
function pointConfig(cfg: El2nGridResolved, p: Omit<GridPoint, 'runId'>): ScoreRunConfig {
  // The grid's own parameters stay out: the point is a plain score run (its parameters are checked as one).
  const { grid: _grid, runKind: _kind, lrs: _lrs, weightDecays: _wds, batchSizes: _batchSizes, widths: _widths, ...rest } = cfg;
  return { ...rest, lr: p.lr, weightDecay: p.weightDecay, batchSize: p.batchSize, width: p.width };
}

const POINT = 'point.json';

/**
 * One unit per grid point, each a score run of its own (listed in the grid's table by id); the unit keeps its
 * EL2N table, and the merge averages the finished points in grid order.
 */
export const el2nGridExperiment: Experiment<El2nGridResolved, undefined, 'el2n-grid'> = {
  job: 'el2n-grid',
  resolve: (input) => resolveEl2nGridConfig(input),
  seeds: (cfg) => ({ root: cfg.seed, runs: cfg.runs }),
  backend: (cfg) => ({ choice: cfg.backend, threads: cfg.threads }),
  plan: (cfg) => {
    const points = gridPoints(cfg);
    return points.map((p, index) => ({ index, key: `p${index}-lr${p.lr}-wd${p.weightDecay}-bs${p.batchSize}-w${p.width}`, label: `grid point ${index + 1}/${points.length} (${p.label})` }));
  },

  async prepare(cfg, ctx) {
    // The grid run records what its first point's score run records (dataset, model); this also checks the data
    // and the memory before anything trains.
    const { record } = await scoreExperiment.prepare(resolveScoreConfig(pointConfig(cfg, gridPoints(cfg)[0])), ctx);
    const { runKind: _kind, ...config } = cfg;
    // The stem as the score runs resolve it (the same dataset for every point).
    return { state: undefined, record: { dataset: record?.dataset, model: record?.model, config: { ...config, stem: record?.config?.stem ?? config.stem } } };
  },

  async runUnit(unit, cfg, _st, ctx) {
    const p = gridPoints(cfg)[unit.index];
    const onProgress = ({ runId: _id, runDir: _dir, fraction, ...q }: JobProgress) => ctx.progress(fraction ?? 0, { ...q, message: `${unit.label}: ${q.message}` });
    const m = await runScores(pointConfig(cfg, p), { root: ctx.root, signal: ctx.signal, onProgress });
    if (m.status === 'cancelled') return false;
    if (m.status !== 'done') throw new Error(`grid point ${p.label}: score run ${m.id} ${m.status}: ${m.error ?? ''}`);
    writeScoreTable(ctx.outDir, 'el2n', readScoreTable(scoresDir(path.join(runsDir(ctx.root), m.id)), 'el2n'));
    const point: GridPoint = { ...p, runId: m.id };
    writeJsonAtomic(path.join(ctx.outDir, POINT), point);
    return true;
  },

  merge(cfg, done, _st, ctx) {
    const grid: GridPoint[] = [];
    const perPoint: Float32Array[] = [];
    let first: { index: Int32Array; label: Int32Array } | undefined;
    for (const d of done) {
      const point = JSON.parse(fs.readFileSync(path.join(d.dir, POINT), 'utf8')) as GridPoint;
      const table = readScoreTable(d.dir, 'el2n');
      if (first && (table.index.length !== first.index.length || table.index.some((v, i) => v !== first!.index[i]))) {
        throw new Error(`grid point ${point.label} scored different examples than the first grid point`);
      }
      first ??= { index: table.index, label: table.label };
      perPoint.push(table.score);
      grid.push(point);
    }
    const score = meanOf(perPoint);
    writeScoreTable(scoresDir(ctx.runDir), 'el2n', { name: 'el2n', index: first!.index, label: first!.label, score, perRun: perPoint });
    const correlations = grid.length > 1 ? spearmanMatrix(grid.map((p, i) => ({ name: p.label, values: perPoint[i] }))) : undefined;
    const withMean = grid.map((p, i) => ({ label: p.label, spearman: spearman(perPoint[i], score) }));
    const results = {
      runs: grid.length,
      examples: score.length,
      scores: ['el2n'],
      scoreEpoch: cfg.scoreEpoch,
      grid,
      correlations,
      spearmanWithMean: withMean,
      // Spearman of the mean of the first k grid points with the mean of all (the score-run stability curve).
      stability: { el2n: stabilityCurve(perPoint) },
    };
    writeJsonAtomic(path.join(ctx.runDir, 'el2n-grid.json'), results);
    return results;
  },
};

export function runEl2nGrid(partial: JobInput<'el2n-grid'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  return runJob('el2n-grid', partial, ctx, opts);
}
