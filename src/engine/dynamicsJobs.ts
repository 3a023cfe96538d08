import { runEl2nGrid, type El2nGridConfig } from '../core/experiments/el2nGrid';
import { runErrorBarrier, type ErrorBarrierConfig } from '../core/experiments/errorBarrier';
import type { JobContext } from '../core/experiments/job';
import { runKernelVelocity, type KernelVelocityConfig } from '../core/experiments/kernelVelocity';
import type { RunManifest } from '../core/store/runManifest';

/** Engine jobs of the training-dynamics and transfer experiments (registered in jobs.ts). */
export const DYNAMICS_JOBS = ['kernel-velocity', 'error-barrier', 'el2n-grid'] as const;
export type DynamicsJob = (typeof DYNAMICS_JOBS)[number];

export function dynamicsJob(job: DynamicsJob, params: Record<string, unknown>, ctx: JobContext): Promise<RunManifest> {
  if (typeof params.dataset !== 'string') throw new Error(`${job} job needs a "dataset" (e.g. "mnist")`);
  switch (job) {
    case 'kernel-velocity':
      return runKernelVelocity(params as Partial<KernelVelocityConfig> & { dataset: string }, ctx);
    case 'error-barrier':
      return runErrorBarrier(params as Partial<ErrorBarrierConfig> & { dataset: string }, ctx);
    case 'el2n-grid':
      return runEl2nGrid(params as Partial<El2nGridConfig> & { dataset: string }, ctx);
  }
}
