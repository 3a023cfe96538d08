import { isOnSlurm, type RunManifest } from '../contract/runManifest';

/**
 * A run handed to Slurm and not waited for (no --wait): says where it went and how to follow it, sets the exit code,
 * and returns true, so that the command prints no report of a run that has not run yet. --json prints the manifest.
 */
export function reportSubmitted(m: RunManifest, flags: { readonly json?: boolean }, out: NodeJS.WritableStream): boolean {
  if (!isOnSlurm(m) || flags.json) return false;
  const s = m.execution?.slurm;
  out.write(`run ${m.id}: submitted to Slurm: array job ${s?.arrayJobId} (${s?.units.length} units), merge job ${s?.mergeJobId}\n`);
  out.write(`  follow it with   datadiet runs show ${m.id}\n  cancel it with   datadiet runs cancel ${m.id}\n`);
  process.exitCode = 0;
  return true;
}
