// The line a running cell shows while its job trains, e.g. "prune: random 50% pruned, repeat 2/4 — 35%, ETA 1:20".
import type { JobProgress } from '../../contract/jobProgress';
import { formatEta, formatPercent } from '../format';

export function progressText(command: string, p: JobProgress): string {
  const pct = formatPercent(p.fraction, 0);
  const eta = formatEta(p.etaSeconds);
  return `${command}: ${p.message}${pct ? ` — ${pct}` : ''}${eta ? `, ETA ${eta}` : ''}${p.runId ? `\nrun ${p.runId} (interrupt the cell to stop; finished work is kept)` : ''}`;
}
