import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunManifest } from '../store/runManifest';
import { readRun, runDirOf } from '../store/runStore';
import { readScoreTable, scoresDir, type ScoreTable } from '../store/scoreFiles';

/**
 * A finished (or cancelled, partial) score run found by id or folder, for analyses that read its tables without
 * loading the dataset again (label entropy, top-k overlap): the tables carry index, label and per-run scores.
 */
export interface ScoreRunRef {
  readonly dir: string;
  readonly manifest: RunManifest;
}

export function openScoreRun(root: string, ref: string): ScoreRunRef {
  const dir = runDirOf(root, ref);
  const run = readRun(dir);
  if (!run.manifest) throw new Error(`score run "${ref}" not found or unreadable: ${run.problem ?? dir}`);
  if (run.manifest.kind !== 'score') throw new Error(`run ${run.manifest.id} is a ${run.manifest.kind} run, not a score run`);
  if (run.manifest.status === 'failed' || run.manifest.status === 'running') {
    throw new Error(`score run ${run.manifest.id} is ${run.manifest.status}${run.manifest.error ? ` (${run.manifest.error})` : ''}; its tables are incomplete`);
  }
  return { dir, manifest: run.manifest };
}

/** One score table of the run, with a message naming the tables that do exist when it is missing. */
export function scoreTableOf(run: ScoreRunRef, name: string): ScoreTable {
  const dir = scoresDir(run.dir);
  const file = path.join(dir, `${name}.parquet`);
  if (!fs.existsSync(file)) {
    const have = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).map((f) => f.slice(0, -'.parquet'.length)) : [];
    throw new Error(`score run ${run.manifest.id} has no "${name}" table (${file}); it has: ${have.join(', ') || 'none'}`);
  }
  return readScoreTable(dir, name);
}

/** Number of classes of the scored dataset: from the manifest, else from the labels seen. */
export function numClassesOf(run: ScoreRunRef, labels: ArrayLike<number>): number {
  const fromManifest = run.manifest.dataset?.numClasses;
  if (fromManifest) return fromManifest;
  let max = -1;
  for (let i = 0; i < labels.length; i++) max = Math.max(max, labels[i]);
  return max + 1;
}

/**
 * Default k values for curves over k: 1-2-5 steps from 10 up to n, and n itself (where every score selects
 * everything, so the curves meet their baselines).
 */
export function defaultKs(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`defaultKs: need at least one example, got ${n}`);
  const ks: number[] = [];
  for (let decade = 10; decade < n; decade *= 10) for (const m of [1, 2, 5]) if (m * decade < n) ks.push(m * decade);
  ks.push(n);
  return ks;
}

/** Resolves user ks (counts, or fractions < 1 of n) to distinct counts in [1, n], ascending. */
export function resolveKs(n: number, ks: readonly number[] | undefined): number[] {
  if (!ks || ks.length === 0) return defaultKs(n);
  const out = ks.map((k) => {
    if (!(k > 0) || !Number.isFinite(k)) throw new RangeError(`k must be a positive count or a fraction in (0, 1), got ${k}`);
    const c = k < 1 ? Math.max(1, Math.round(k * n)) : k;
    if (!Number.isInteger(c)) throw new RangeError(`k = ${k} is not a whole number of examples`);
    if (c > n) throw new RangeError(`k = ${c} exceeds the ${n} scored examples`);
    return c;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}
