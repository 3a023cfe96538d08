/**
 * What a map of a run's examples is made from, read from its folder: the features to project (the run's
 * `predictions/embeddings.npy`, N x D, rows aligned with the predictions table; without it, the predicted
 * probabilities, N x K), the labels and predicted classes, the suspects (runSuspects.ts: suspicion and flags) and a
 * score table. Every refusal names the file, what is wrong and what to do.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFormatError } from '../data/dataset';
import { readNpy } from '../store/scoreFiles';
import { EMBEDDINGS_FILE, predictionsDir } from './predictions';
import { loadRunSuspects, runScoreNames, type RunSuspects } from './runSuspects';

export interface MapInputs {
  /** Row-major rows x dims: the embeddings, or the probabilities when `input` is 'probabilities'. */
  readonly features: Float32Array | Float64Array;
  readonly dims: number;
  readonly input: 'embeddings' | 'probabilities';
  readonly suspects: RunSuspects;
}

/** The embeddings file of a run, checked against its predictions (rows, finite values); undefined if it has none. */
export function readEmbeddings(runDir: string, rows: number): { values: Float32Array | Float64Array; dims: number } | undefined {
  const file = path.join(predictionsDir(runDir), EMBEDDINGS_FILE);
  if (!fs.existsSync(file)) return undefined;
  let npy;
  try {
    npy = readNpy(file);
  } catch (e) {
    throw new DataFormatError(file, (e as Error).message.replace(`${file}: `, ''), 'delete it to map the predicted probabilities instead, or score the dataset again to rewrite it');
  }
  if (npy.shape.length !== 2) throw new DataFormatError(file, `expected a 2-D (examples, features) array, got shape (${npy.shape.join(', ')})`, 'save the embeddings as np.save(file, features.astype(np.float32)) with one row per example');
  const [n, d] = npy.shape;
  if (n !== rows) throw new DataFormatError(file, `${n} rows, but the predictions table has ${rows} (one row per scored example, in its order)`, 'the embeddings belong to another run or were changed by hand: score the dataset again');
  if (d === 0) throw new DataFormatError(file, 'zero features per row', 'score the dataset again to rewrite it');
  for (let i = 0; i < npy.data.length; i++) {
    if (!Number.isFinite(npy.data[i])) throw new DataFormatError(file, `row ${Math.floor(i / d)}, feature ${i % d} is ${npy.data[i]}`, 'every feature must be finite: check the model that produced them, then score again');
  }
  return { values: npy.data, dims: d };
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
  const emb = readEmbeddings(runDir, p.index.length);
  if (emb) return { features: emb.values, dims: emb.dims, input: 'embeddings', suspects };
  return { features: p.probs, dims: p.numClasses, input: 'probabilities', suspects };
}
