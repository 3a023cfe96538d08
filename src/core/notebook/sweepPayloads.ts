import type { PayloadSource, PruningCurvePayload, WindowSweepPayload } from './mime';

/**
 * Payloads of the sweep experiments, from the results they record (prune-sweep.json / window-sweep.json in the run
 * folder, or the manifest's results of a cancelled run, marked partial).
 */

/** prune-sweep.json: one row per retraining; strategy "full data" rows are the baseline. */
export interface PruneSweepResults {
  score?: string;
  rows: readonly { strategy: string; fractionPruned: number; repeat?: number; testAccuracy: number }[];
  partial?: boolean;
}

export const FULL_DATA = 'full data';

export function pruningCurvePayload(results: PruneSweepResults, opts: { title?: string; source?: PayloadSource } = {}): PruningCurvePayload {
  if (!Array.isArray(results.rows)) throw new RangeError('pruning curve: the results have no rows (expected prune-sweep.json)');
  const byStrategy = new Map<string, Map<number, number[]>>();
  const full: number[] = [];
  for (const r of results.rows) {
    if (r.strategy === FULL_DATA) {
      full.push(r.testAccuracy);
      continue;
    }
    let pts = byStrategy.get(r.strategy);
    if (!pts) byStrategy.set(r.strategy, (pts = new Map()));
    pts.set(r.fractionPruned, [...(pts.get(r.fractionPruned) ?? []), r.testAccuracy]);
  }
  if (byStrategy.size === 0) throw new RangeError(`pruning curve: no pruned trainings in the results${results.partial ? ' (the run was cancelled before the first one finished)' : ''}`);
  const out: PruningCurvePayload = {
    version: 1,
    series: [...byStrategy.entries()].map(([name, pts]) => ({
      name,
      points: [...pts.entries()].sort((a, b) => a[0] - b[0]).map(([fractionPruned, accuracies]) => ({ fractionPruned, accuracies })),
    })),
  };
  if (full.length > 0) out.fullData = full;
  if (results.score !== undefined) out.score = results.score;
  out.title = opts.title ?? `Pruning by ${results.score ?? 'score'}`;
  if (opts.source) out.source = opts.source;
  if (results.partial) out.partial = true;
  return out;
}

/** window-sweep.json. */
export interface WindowSweepResults {
  score?: string;
  size: number;
  examples: number;
  points: readonly { offset: number; test: number[]; val: number[] }[];
  best?: { offset: number };
  partial?: boolean;
}

export function windowSweepPayload(results: WindowSweepResults, opts: { title?: string; source?: PayloadSource } = {}): WindowSweepPayload {
  if (!Array.isArray(results.points) || results.points.length === 0) throw new RangeError('window sweep: the results have no finished window');
  const out: WindowSweepPayload = {
    version: 1,
    size: results.size,
    n: results.examples,
    points: results.points.map((p) => ({ offset: p.offset, val: [...p.val], test: [...p.test] })),
  };
  if (results.best) out.best = { offset: results.best.offset };
  if (results.score !== undefined) out.score = results.score;
  if (opts.title !== undefined) out.title = opts.title;
  if (opts.source) out.source = opts.source;
  if (results.partial) out.partial = true;
  return out;
}
