/**
 * Reading a study step's results from its run folder: merged tables of finished runs, and for sweeps that are
 * still going the rows of the units finished so far (a unit's row is final once its folder exists).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { band } from '../../src/core/analysis/percentiles';
import { summarize, type PrunePoint, type RetrainRow } from '../../src/core/experiments/pruneSweep';
import { isUnitDone, readPlan, unitDir } from '../../src/core/jobs/unitStore';
import { readScoreTable, scoresDir, type ScoreTable } from '../../src/core/store/scoreFiles';
import type { StepState } from './studyDriver';

export const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 'n/a' : `${(100 * x).toFixed(2)}%`);
export const bandText = (p: { mean: number; lo: number; hi: number } | undefined) => (p ? `${pct(p.mean)} [${pct(p.lo)}, ${pct(p.hi)}]` : 'pending');

export const isDone = (s: StepState | undefined): boolean => s?.run?.manifest.status === 'done';

/** The run's JSON table (e.g. prune-sweep.json) when the run is done, else undefined. */
export function doneTable<T>(s: StepState | undefined, file: string): T | undefined {
  if (!isDone(s)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(path.join(s!.run!.dir, file), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

// Several sections read the same step's rows; a report reads fresh states, so one read per state is one per report.
const rowsRead = new WeakMap<StepState, readonly unknown[]>();

/** The rows of the finished units (each unit's `row.json`), finished run or not. */
export function unitRows<T>(s: StepState | undefined): readonly T[] {
  if (!s?.run) return [];
  const known = rowsRead.get(s);
  if (known) return known as readonly T[];
  const out: T[] = [];
  for (const u of readPlan(s.run.dir)) {
    if (!isUnitDone(s.run.dir, u.key)) continue;
    const file = path.join(unitDir(s.run.dir, u.key), 'row.json');
    if (fs.existsSync(file)) out.push(JSON.parse(fs.readFileSync(file, 'utf8')) as T);
  }
  rowsRead.set(s, Object.freeze(out));
  return out;
}

/** A prune sweep's points so far (mean and 16-84 band per strategy and fraction). */
export function prunePoints(s: StepState | undefined): PrunePoint[] {
  return summarize(unitRows<RetrainRow>(s));
}

export function pruneRows(s: StepState | undefined): readonly RetrainRow[] {
  return unitRows<RetrainRow>(s);
}

export function pointAt(points: readonly PrunePoint[], strategy: string, fraction: number): PrunePoint | undefined {
  return points.find((p) => p.strategy === strategy && Math.abs(p.fractionPruned - fraction) < 1e-9);
}

/** A score table of a finished score run (mean column, per-run columns, labels), or undefined. */
export function scoreTable(s: StepState | undefined, name: string): ScoreTable | undefined {
  if (!isDone(s)) return undefined;
  try {
    return readScoreTable(scoresDir(s!.run!.dir), name);
  } catch {
    return undefined;
  }
}

/** The results a finished run recorded in its manifest. */
export function results<T>(s: StepState | undefined): T | undefined {
  return isDone(s) ? (s!.run!.manifest.results as T) : undefined;
}

/** "pending (3 of 40 units)" for a step that has not finished. */
export function pendingText(s: StepState | undefined): string {
  if (!s) return 'not in this study';
  if (s.waitingFor) return `pending (waits for ${s.waitingFor.join(', ')})`;
  if (!s.run) return 'pending (not started)';
  return `pending (${s.run.unitsDone} of ${s.run.unitsTotal} units finished)`;
}

export { band };
