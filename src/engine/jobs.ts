import type { JobContext } from '../core/experiments/job';
import { runScores, type ScoreRunConfig } from '../core/experiments/scoreRun';
import { runTraining, type TrainRunConfig } from '../core/experiments/trainRun';
import type { JobName } from './protocol';

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
    default:
      throw new Error(`unknown job "${String(job)}"`);
  }
}
