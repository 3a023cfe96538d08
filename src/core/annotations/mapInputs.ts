/**
 * What a map of a run's examples is made from, read from its folder: the features to project (the run's
 * `predictions/embeddings.npy`, N x D, rows aligned with the predictions table; without it, the predicted
 * probabilities, N x K), the labels and predicted classes, the suspects (runSuspects.ts: suspicion and flags) and a
 * score table. Every refusal names the file, what is wrong and what to do.
 */
import * as path from 'node:path';
import { DataFormatError } from '../data/dataset';
import { readRunEmbeddings } from './runEmbeddings';
import { loadRunSuspects, runScoreNames, type RunSuspects } from './runSuspects';

export interface MapInputs {
  /** Row-major rows x dims: the embeddings, or the probabilities when `input` is 'probabilities'. */
  readonly features: Float32Array | Float64Array;
  readonly dims: number;
  readonly input: 'embeddings' | 'probabilities';
  readonly suspects: RunSuspects;
}

/**
 * The map's inputs of a run. `score`: the score table for colour and captions (undefined: the run's preferred
 * table, el2n first; a run without score tables gives none).
 */
export function readMapInputs(runDir: string, opts: { score?: string } = {}): MapInputs {
  const names = runScoreNames(runDir);
  if (opts.score !== undefined && !names.includes(opts.score)) {
    throw new DataFormatError(path.join(runDir, 'scores'), `there is no score table "${opts.score}"${names.length ? ` (there are ${names.join(', ')})` : ''}`, 'pick one of the run\'s scores, or leave score= out');
  }
  const suspects = loadRunSuspects(runDir, { ...(opts.score !== undefined ? { score: opts.score } : {}) });
  const p = suspects.predictions;
  const emb = readRunEmbeddings(runDir, p.index.length);
  if (emb) return { features: emb.values, dims: emb.dim, input: 'embeddings', suspects };
  return { features: p.probs, dims: p.numClasses, input: 'probabilities', suspects };
}
