/**
 * What `datadiet prune` and `datadiet window` add after their accuracy table: the chart (Vega-Lite spec and SVG in
 * the run folder, as `analyze` writes them) and the per-class counts of every kept set, with a warning for each class
 * a kept set lost.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { RetrainRow } from '../core/experiments/pruneSweep';
import type { WindowPoint } from '../core/experiments/windowSweep';
import { payloadSpec } from '../core/notebook/payloadSpec';
import { pruningCurvePayload, windowSweepPayload, type WindowSweepResults } from '../core/notebook/sweepPayloads';
import { writeChart } from './analyzeCommand';
import { keptClassTable, type KeptSet } from './keptClasses';

export interface SweepReport {
  readonly lines: string[];
  readonly warnings: string[];
}

/** Kept sets of a prune sweep in table order: full data, then each strategy by fraction. */
export function pruneKeptSets(rows: readonly RetrainRow[]): KeptSet[] {
  const groups = new Map<string, { label: string; order: [number, string, number]; perClass: number[][] }>();
  for (const r of rows) {
    if (!r.keptPerClass) continue;
    const full = r.strategy === 'full data';
    const key = full ? 'full' : `${r.strategy}\u0000${r.fractionPruned}`;
    const g = groups.get(key) ?? { label: full ? 'full data' : `${r.strategy} ${Math.round(100 * r.fractionPruned)}% pruned`, order: [full ? 0 : 1, r.strategy, r.fractionPruned], perClass: [] };
    g.perClass.push(r.keptPerClass);
    groups.set(key, g);
  }
  return [...groups.values()]
    .sort((a, b) => a.order[0] - b.order[0] || a.order[1].localeCompare(b.order[1]) || a.order[2] - b.order[2])
    .map(({ label, perClass }) => ({ label, perClass }));
}

export function windowKeptSets(points: readonly WindowPoint[], examples: number): KeptSet[] {
  return points.filter((p) => p.keptPerClass).map((p) => ({ label: `window at ${Math.round((100 * p.offset) / examples)}%`, perClass: [p.keptPerClass!] }));
}

async function chartLines(runDir: string, name: string, spec: () => TopLevelSpec, err: NodeJS.WritableStream): Promise<string[]> {
  let s: TopLevelSpec;
  try {
    s = spec();
  } catch (e) {
    // A run cancelled before its first point has nothing to draw.
    return [`  chart           none (${(e as Error).message})`];
  }
  return (await writeChart(runDir, name, s, err)).map((f) => `  chart           ${f}`);
}

function classLines(sets: readonly KeptSet[], classNames: readonly string[]): SweepReport {
  const { lines, warnings } = keptClassTable(sets, classNames);
  return { lines: lines.length ? ['  kept examples per class (mean over repeats):', ...lines.map((l) => `    ${l}`)] : [], warnings };
}

export async function pruneReport(runDir: string, classNames: readonly string[], err: NodeJS.WritableStream = process.stderr): Promise<SweepReport> {
  const file = path.join(runDir, 'prune-sweep.json');
  if (!fs.existsSync(file)) return { lines: [], warnings: [] };
  const table = JSON.parse(fs.readFileSync(file, 'utf8')) as { score?: string; rows: RetrainRow[]; partial?: boolean };
  const classes = classLines(pruneKeptSets(table.rows), classNames);
  const charts = await chartLines(runDir, 'prune-sweep', () => payloadSpec('pruningCurve', pruningCurvePayload(table)), err);
  return { lines: [...charts, ...classes.lines], warnings: classes.warnings };
}

export async function windowReport(runDir: string, classNames: readonly string[], err: NodeJS.WritableStream = process.stderr): Promise<SweepReport> {
  const file = path.join(runDir, 'window-sweep.json');
  if (!fs.existsSync(file)) return { lines: [], warnings: [] };
  const table = JSON.parse(fs.readFileSync(file, 'utf8')) as WindowSweepResults & { points: WindowPoint[] };
  const classes = classLines(windowKeptSets(table.points, table.examples), classNames);
  const charts = await chartLines(runDir, 'window-sweep', () => payloadSpec('windowSweep', windowSweepPayload(table)), err);
  return { lines: [...charts, ...classes.lines], warnings: classes.warnings };
}
