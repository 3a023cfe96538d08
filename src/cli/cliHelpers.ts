import type { JobContext } from '../core/experiments/job';
import type { StartOptions } from '../core/jobs/runner';
import type { RunManifest } from '../contract/runManifest';

/**
 * What main.ts shares with the command files (analyzeCommand.ts, dynamicsCommands.ts), passed in so that they do
 * not import each other.
 */
export interface CliHelpers {
  /**
   * Runs a job with Ctrl-C cancellation and progress on stderr; returns the final manifest and the run folder.
   * `flags` are the command's parsed flags: they carry the execution options (--executor, --parallel, --slurm-*,
   * --wait), which reach the job as `opts`.
   */
  runWithProgress(job: (ctx: JobContext, opts: StartOptions) => Promise<RunManifest>, root: string, flags: object): Promise<{ manifest: RunManifest; runDir: string }>;
}
