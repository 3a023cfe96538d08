/**
 * A run's headline result in a few words, by kind: what `datadiet runs` shows in its RESULT column and `runs show`
 * under "results". Reads only the manifest's results (no tables), so listing many runs stays fast.
 */
import type { RunManifest } from '../contract/runManifest';
import { plural } from '../core/plural';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

interface Point {
  readonly strategy: string;
  readonly fractionPruned: number;
  readonly mean: number;
}

/** Prune sweep: full-data accuracy, and the most pruned point that stays within a point of it (else the best one). */
export function pruneHeadline(summary: readonly Point[]): string {
  const full = summary.find((p) => p.strategy === 'full data');
  const pruned = summary.filter((p) => p.strategy !== 'full data');
  if (pruned.length === 0) return full ? `full data ${pct(full.mean)}` : '';
  const close = full ? pruned.filter((p) => p.mean >= full.mean - 0.01) : [];
  const pick = (close.length ? close : pruned).reduce((a, p) => (p.fractionPruned > a.fractionPruned || (p.fractionPruned === a.fractionPruned && p.mean > a.mean) ? p : a));
  const best = close.length ? pick : pruned.reduce((a, p) => (p.mean > a.mean ? p : a));
  return `${full ? `full ${pct(full.mean)}; ` : ''}${close.length ? 'most pruned within 1 pt' : 'best'}: ${best.strategy} ${Math.round(100 * best.fractionPruned)}% pruned ${pct(best.mean)}`;
}

export function runHeadline(m: Pick<RunManifest, 'kind' | 'results' | 'config'>): string {
  const r = (m.results ?? {}) as Record<string, unknown>;
  if (num(r.testAccuracy)) return `test ${pct(r.testAccuracy)}${num(r.valAccuracy) ? `, val ${pct(r.valAccuracy)}` : ''}`;
  if (Array.isArray(r.summary)) return pruneHeadline(r.summary as Point[]);
  const best = r.best as { offsetFraction?: number; testAccuracy?: number } | undefined;
  if (best && num(best.offsetFraction) && num(best.testAccuracy)) return `best window at ${Math.round(100 * best.offsetFraction)}%: test ${pct(best.testAccuracy)}`;
  if (m.kind === 'audit' && num(r.rows)) {
    const acc = num(r.outOfFoldAccuracy) ? `out-of-fold ${pct(r.outOfFoldAccuracy)}; ` : '';
    return `${acc}~${num(r.estimatedIssues) ? r.estimatedIssues.toLocaleString('en-US') : '?'} label issues, ${num(r.flagged) ? r.flagged.toLocaleString('en-US') : '?'} flagged of ${r.rows.toLocaleString('en-US')} rows`;
  }
  if (num(r.labelIssues)) {
    // Imported predictions: what the suspects found in them.
    return `${plural(r.labelIssues, 'label issue')} in ${num(r.examples) ? r.examples.toLocaleString('en-US') : '?'} imported predictions (${r.suspectMethod === 'threshold' ? 'threshold' : 'confident learning'})`;
  }
  if (r.stability && typeof r.stability === 'object') {
    const names = Object.keys(r.stability);
    const detection = r.detection as Record<string, { auroc?: number }> | undefined;
    const auroc = detection ? `; noisy-label AUROC ${Object.entries(detection).map(([k, v]) => `${k} ${num(v.auroc) ? v.auroc.toFixed(2) : '?'}`).join(', ')}` : '';
    return `${names.join(', ')} of ${num(r.examples) ? r.examples.toLocaleString('en-US') : '?'} examples${num(r.runs) ? `, ${plural(r.runs, 'run')}` : ''}${auroc}`;
  }
  const dup = m.kind === 'duplicates' ? (r.counts as { groups?: unknown; leakage?: unknown; labelConflict?: unknown } | undefined) : undefined;
  if (dup && num(dup.groups) && num(dup.leakage) && num(dup.labelConflict)) return `${plural(dup.groups, 'duplicate group')}: ${dup.leakage} train/test leakage, ${dup.labelConflict} label conflict${dup.labelConflict === 1 ? '' : 's'}`;
  return '';
}
