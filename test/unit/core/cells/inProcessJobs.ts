import type { EngineJob, ExecEnv } from '../../../../src/core/cells/execute';
import { runJob } from '../../../../src/core/jobs/runner';

/**
 * ExecEnv.runJob for the cell tests: the engine's real jobs, in process (what the engine process runs), with their
 * runs under `root`; `onStart` sees each job as it starts.
 */
export function inProcessJobs(root: string, onStart?: (job: EngineJob) => void): NonNullable<ExecEnv['runJob']> {
  return (job, params, onProgress, signal) => {
    onStart?.(job);
    return runJob(job, params, { root, signal, onProgress }) as ReturnType<NonNullable<ExecEnv['runJob']>>;
  };
}
