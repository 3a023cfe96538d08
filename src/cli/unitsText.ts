import type { RunUnits } from '../core/jobs/runControl';

/** "12 units: 5 done, 2 running, 4 queued, 1 failed" (states with no unit left out). */
export function unitCountsText(u: RunUnits): string {
  const by = new Map<string, number>();
  for (const r of u.rows) by.set(r.state, (by.get(r.state) ?? 0) + 1);
  const order = ['done', 'running', 'queued', 'pending', 'failed'] as const;
  const parts = order.filter((s) => by.get(s)).map((s) => `${by.get(s)} ${s}`);
  return `${u.counts.total} unit${u.counts.total === 1 ? '' : 's'}: ${parts.join(', ')}${u.queueProblem ? ` (${u.queueProblem})` : ''}`;
}
