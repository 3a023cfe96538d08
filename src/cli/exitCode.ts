import type { RunManifest } from '../contract/runManifest';

/** The exit code a run ends a command with: 0 done (or handed to Slurm), 130 cancelled, 1 failed. */
export function exitCode(m: RunManifest): number {
  if (m.status === 'done' || (m.status === 'running' && m.execution?.executor === 'slurm')) return 0;
  return m.status === 'cancelled' ? 130 : 1;
}
