import type { JobContext } from '../core/experiments/job';
import { runPruneSweep, type PruneSweepConfig } from '../core/experiments/pruneSweep';
import { runScores, type ScoreRunConfig } from '../core/experiments/scoreRun';
import { runWindowSweep, type WindowSweepConfig } from '../core/experiments/windowSweep';
import { runTraining, type TrainRunConfig } from '../core/experiments/trainRun';
import type { JobName } from './protocol';
import { seed000Job } from './seed000Jobs';
import { dynamicsJob } from './dynamicsJobs';

/** Job name -> implementation; the engine process and the CLI share this table. */
export async function runJob(job: JobName, params: Record<string, unknown>, ctx: JobContext): Promise<unknown> {
  switch (job) {
    case 'train': {
      if (typeof params.dataset !== 'string') throw new Error('train job needs a "dataset" (e.g. "mnist")');
      return runTraining(params as Partial<TrainRunConfig> & { dataset: string }, ctx);
    }
    case 'score': {
      if (typeof params.dataset !== 'string') throw new Error('score job needs a "dataset" (e.g. "mnist")');
      return runScores(params as Partial<ScoreRunConfig> & { dataset: string }, ctx);
    }
    case 'prune': {
      if (typeof params.dataset !== 'string') throw new Error('prune job needs a "dataset" (e.g. "mnist")');
      if (typeof params.scoresFrom !== 'string') throw new Error('prune job needs "scoresFrom": the id or folder of a score run');
      return runPruneSweep(params as Partial<PruneSweepConfig> & { dataset: string; scoresFrom: string }, ctx);
    }
    case 'window': {
      if (typeof params.dataset !== 'string') throw new Error('window job needs a "dataset" (e.g. "mnist")');
      if (typeof params.scoresFrom !== 'string') throw new Error('window job needs "scoresFrom": the id or folder of a score run');
      return runWindowSweep(params as Partial<WindowSweepConfig> & { dataset: string; scoresFrom: string }, ctx);
    }
    case 'entropy':
    case 'overlap':
    case 'grad-heatmap':
    case 'grad-sum':
    case 'strategies':
    case 'noise-study':
      return seed000Job(job, params, ctx);
    case 'kernel-velocity':
    case 'error-barrier':
    case 'el2n-grid':
      return dynamicsJob(job, params, ctx);
    default:
      throw new Error(`unknown job "${String(job)}"`);
  }
}
