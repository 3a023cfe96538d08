// One-line summaries of experiment results for the runs view and end-of-job notifications. Pure.
import type { RunManifest } from '../contract/runManifest';
import { formatPercent } from './format';

function percent(n: number): string {
  return `${Math.round(n * 100)}%`;
}

/** A prune sweep: test accuracy of each strategy at the largest pruned fraction, best first. */
export function pruneSummary(m: RunManifest): string | undefined {
  const summary = m.results?.summary;
  if (!Array.isArray(summary) || !summary.length) return undefined;
  const pts = summary as { strategy: string; fractionPruned: number; mean: number }[];
  const maxF = Math.max(...pts.map((p) => p.fractionPruned));
  const at = pts.filter((p) => p.fractionPruned === maxF).sort((a, b) => b.mean - a.mean);
  return `at ${percent(maxF)} pruned: ${at.map((p) => `${p.strategy} ${formatPercent(p.mean)}`).join(', ')}`;
}

/** "best window: offset 30%, 97.1% test" */
export function windowSummary(m: RunManifest): string | undefined {
  const best = m.results?.best as { offsetFraction?: number; testAccuracy?: number } | undefined;
  if (!best || typeof best.offsetFraction !== 'number') return undefined;
  return `best window at offset ${percent(best.offsetFraction)}: ${formatPercent(best.testAccuracy)} test`;
}

/** "AUROC el2n 0.93, grand 0.91" for a score run with injected noise. */
export function detectionSummary(m: RunManifest): string | undefined {
  const d = m.results?.detection as Record<string, { auroc?: number }> | undefined;
  if (!d || typeof d !== 'object') return undefined;
  const parts = Object.entries(d)
    .filter(([, v]) => typeof v?.auroc === 'number')
    .map(([k, v]) => `${k} ${v.auroc!.toFixed(3)}`);
  return parts.length ? `noisy-label AUROC: ${parts.join(', ')}` : undefined;
}
