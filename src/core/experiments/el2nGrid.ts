import * as path from 'node:path';
import { spearman, spearmanMatrix, stabilityCurve } from '../analysis/spearman';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import { createRun, runsDir } from '../store/runStore';
import { readScoreTable, scoresDir, writeScoreTable } from '../store/scoreFiles';
import { versions } from '../versions';
import { definedOnly } from './definedOnly';
import type { JobContext, JobProgress } from './job';
import { runScores, SCORE_DEFAULTS, type ScoreRunConfig } from './scoreRun';

/**
 * EL2N averaged over a hyperparameter grid (learning rate x batch size x width): one score run per grid point
 * (each itself a mean over `runs` seeds), then the mean of the grid points' scores, and the Spearman correlation
 * between every pair of grid points and of each with the grid mean: how much the ranking depends on the
 * hyperparameters, and a ranking that depends on them less.
 *
 * The result is itself a score run (kind "score") whose "el2n" table holds the grid mean, one per-run column per
 * grid point, so `prune --scores <this run>` prunes with it like with any score run.
 */
export interface El2nGridConfig extends ScoreRunConfig {
  readonly lrs: readonly number[];
  readonly batchSizes: readonly number[];
  readonly widths: readonly number[];
}

export const EL2N_GRID_DEFAULTS: Omit<El2nGridConfig, 'dataset'> = {
  ...SCORE_DEFAULTS,
  scores: ['el2n'],
  runs: 1,
  trainSubset: 2000,
  lrs: [0.02, 0.05],
  batchSizes: [32, 128],
  widths: [0.5, 1],
};

export interface GridPoint {
  readonly lr: number;
  readonly batchSize: number;
  readonly width: number;
  readonly label: string;
  readonly runId: string;
}

export function gridPoints(cfg: Pick<El2nGridConfig, 'lrs' | 'batchSizes' | 'widths'>): Omit<GridPoint, 'runId'>[] {
  for (const [name, v] of [['learning rates', cfg.lrs], ['batch sizes', cfg.batchSizes], ['widths', cfg.widths]] as const) {
    if (v.length === 0) throw new Error(`the grid needs at least one value of ${name}`);
  }
  return cfg.lrs.flatMap((lr) => cfg.batchSizes.flatMap((batchSize) => cfg.widths.map((width) => ({ lr, batchSize, width, label: `lr ${lr}, batch ${batchSize}, width ${width}` }))));
}

function meanOf(columns: Float32Array[]): Float32Array {
  const out = new Float32Array(columns[0].length);
  for (const c of columns) for (let i = 0; i < out.length; i++) out[i] += c[i] / columns.length;
  return out;
}

export async function runEl2nGrid(partial: Partial<El2nGridConfig> & { dataset: string }, ctx: JobContext): Promise<RunManifest> {
  const cfg: El2nGridConfig = { ...EL2N_GRID_DEFAULTS, ...definedOnly(partial), scores: ['el2n'] } as El2nGridConfig;
  const points = gridPoints(cfg);
  const report = ctx.onProgress ?? (() => {});
  const run = createRun(ctx.root, { kind: 'score', config: { ...cfg, grid: true }, seeds: { root: cfg.seed, runs: cfg.runs }, versions: versions() });
  const base = { runId: run.id, runDir: run.dir };
  try {
    const done: GridPoint[] = [];
    const perPoint: Float32Array[] = [];
    let first: { index: Int32Array; label: Int32Array } | undefined;
    let cancelled = false;
    for (let g = 0; g < points.length; g++) {
      const p = points[g];
      const onProgress = (q: JobProgress) =>
        report({ ...q, ...base, message: `grid point ${g + 1}/${points.length} (${p.label}): ${q.message}`, fraction: (g + (q.fraction ?? 0)) / points.length });
      const m = await runScores({ ...cfg, lr: p.lr, batchSize: p.batchSize, width: p.width }, { ...ctx, onProgress });
      if (m.status !== 'done') {
        cancelled = m.status === 'cancelled';
        if (!cancelled) throw new Error(`grid point ${p.label}: score run ${m.id} ${m.status}: ${m.error ?? ''}`);
        break;
      }
      if (g === 0) run.update({ dataset: m.dataset, backend: m.backend, model: m.model });
      const table = readScoreTable(scoresDir(path.join(runsDir(ctx.root), m.id)), 'el2n');
      if (first && (table.index.length !== first.index.length || table.index.some((v, i) => v !== first!.index[i]))) {
        throw new Error(`grid point ${p.label} scored different examples than the first grid point`);
      }
      first ??= { index: table.index, label: table.label };
      perPoint.push(table.score);
      done.push({ ...p, runId: m.id });
    }
    if (done.length === 0) return run.finish('cancelled', { error: 'cancelled before the first grid point finished' });
    const score = meanOf(perPoint);
    writeScoreTable(scoresDir(run.dir), 'el2n', { name: 'el2n', index: first!.index, label: first!.label, score, perRun: perPoint });
    const correlations = done.length > 1 ? spearmanMatrix(done.map((p, i) => ({ name: p.label, values: perPoint[i] }))) : undefined;
    const withMean = done.map((p, i) => ({ label: p.label, spearman: spearman(perPoint[i], score) }));
    const results = {
      runs: done.length,
      examples: score.length,
      scores: ['el2n'],
      scoreEpoch: cfg.scoreEpoch,
      grid: done,
      correlations,
      spearmanWithMean: withMean,
      // Spearman of the mean of the first k grid points with the mean of all (the score-run stability curve).
      stability: { el2n: stabilityCurve(perPoint) },
    };
    writeJsonAtomic(path.join(run.dir, 'el2n-grid.json'), results);
    if (cancelled) return run.finish('cancelled', { error: `cancelled after ${done.length} of ${points.length} grid points; the table averages the finished ones`, results: { ...results, partial: true } });
    return run.finish('done', { results });
  } catch (e) {
    run.finish('failed', { error: (e as Error).message ?? String(e) });
    throw e;
  }
}
