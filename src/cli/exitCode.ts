import { isOnSlurm, type RunManifest } from '../contract/runManifest';

/** The exit code a run ends a command with: 0 done (or handed to Slurm), 130 cancelled, 1 failed. */
export function exitCode(m: RunManifest): number {
  if (m.status === 'done' || isOnSlurm(m)) return 0;
  return m.status === 'cancelled' ? 130 : 1;
}
