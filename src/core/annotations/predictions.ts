/**
 * The model's averaged prediction for every scored example, kept next to a score run's tables so that suspects
 * (suspects.ts) can ask "does a confident model disagree with the label?":
 *   <runDir>/predictions/softmax.parquet (and .npy)  the score-table layout (scoreFiles.ts) with
 *       score = mean over runs of p(label | x), run_r = that probability in run r,
 *       predicted = argmax of the mean softmax, confidence = its mean probability, p_0..p_{K-1} = the mean softmax.
 *       Its .npy is the score column only, shape (N,).
 *   <runDir>/predictions/probabilities.npy  float32 (N, K): the mean softmax, rows in the table's index order, for
 *       numpy users who want the whole matrix (np.load(...).argmax(1) is `predicted`).
 *   <runDir>/predictions/sources.json  the source path of each row, for manifest and image-folder datasets.
 *   <runDir>/predictions/embeddings.npy  float32 (N, D): each row's backbone features (--backbone runs), or run 0's
 *       penultimate activations (score runs of models with a hidden layer), for similarity search, duplicates and maps.
 *   <runDir>/predictions/about.json  {"outOfSample": true} when each row's probabilities come from a model that never
 *       trained on it (an audit's cross-validation, imported predictions); absent for a score run's in-sample ones.
 * Rows are dataset rows (data/datasetRows.ts): a score run's are its trained examples' train-split indices; an
 * audit's or an import's may include test-split rows, marked by the table's `split` column (1 = test).
 * A separate folder, so that runs from before predictions existed still read, and score listings stay scores.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFormatError } from '../data/dataset';
import { writeJsonAtomic } from '../store/atomicWrite';
import { readScoreTable, writeNpy, writeScoreTable } from '../store/scoreFiles';

export const PREDICTIONS_TABLE = 'softmax';

/** The N x K mean-softmax matrix, named for what it holds. */
export const PROBABILITIES_FILE = 'probabilities.npy';

export function predictionsDir(runDir: string): string {
  return path.join(runDir, 'predictions');
}

/** Row-wise softmax of N x K logits, max-shifted (no overflow for large logits). */
export function softmaxRows(logits: ArrayLike<number>, k: number): Float32Array {
  const n = logits.length / k;
  const out = new Float32Array(logits.length);
  for (let r = 0; r < n; r++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, logits[r * k + c]);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logits[r * k + c] - max);
    for (let c = 0; c < k; c++) out[r * k + c] = Math.exp(logits[r * k + c] - max) / sum;
  }
  return out;
}

export interface Predictions {
  /** Dataset index of each row, ascending. */
  readonly index: Int32Array;
  /** The (possibly noisy) label the model was trained on. */
  readonly label: Int32Array;
  readonly numClasses: number;
  /** N x K mean softmax over the runs. */
  readonly probs: Float32Array;
  readonly predicted: Int32Array;
  /** Mean probability of the predicted class. */
  readonly confidence: Float32Array;
  /** Mean probability of the given label. */
  readonly labelProb: Float32Array;
  /** Source path per row (manifest / folder datasets), else undefined. */
  readonly sources?: readonly string[];
  /** Split of each row (datasetRows.ts TRAIN_SPLIT / TEST_SPLIT) when the rows include test-split examples. */
  readonly split?: Uint8Array;
  /** Whether every row's probabilities are out-of-sample (about.json). */
  readonly outOfSample?: boolean;
}

/** What a predictions folder says about where its probabilities come from. */
export interface PredictionsAbout {
  readonly outOfSample: boolean;
  /** The job that made them: score, audit or import. */
  readonly source: string;
}

export const ABOUT_FILE = 'about.json';

/** Mean softmax over runs, then argmax and its probability per row. */
export function summarizePredictions(index: Int32Array, label: Int32Array, perRunProbs: readonly Float32Array[], k: number, sources?: readonly string[]): Predictions {
  if (perRunProbs.length === 0) throw new RangeError('summarizePredictions: no runs');
  const n = index.length;
  const probs = new Float32Array(n * k);
  for (const p of perRunProbs) {
    if (p.length !== n * k) throw new RangeError(`summarizePredictions: a run has ${p.length} probabilities, expected ${n} x ${k}`);
    for (let i = 0; i < p.length; i++) probs[i] += p[i] / perRunProbs.length;
  }
  const predicted = new Int32Array(n);
  const confidence = new Float32Array(n);
  const labelProb = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[r * k + c] > probs[r * k + best]) best = c;
    predicted[r] = best;
    confidence[r] = probs[r * k + best];
    labelProb[r] = probs[r * k + label[r]];
  }
  return { index, label, numClasses: k, probs, predicted, confidence, labelProb, ...(sources ? { sources } : {}) };
}

export function writePredictions(runDir: string, p: Predictions, perRunProbs: readonly Float32Array[], about?: PredictionsAbout): void {
  const dir = predictionsDir(runDir);
  const k = p.numClasses;
  const n = p.index.length;
  const extra: Record<string, Float32Array> = { predicted: Float32Array.from(p.predicted), confidence: p.confidence, ...(p.split ? { split: Float32Array.from(p.split) } : {}) };
  for (let c = 0; c < k; c++) extra[`p_${c}`] = Float32Array.from({ length: n }, (_, r) => p.probs[r * k + c]);
  const perRun = perRunProbs.map((q) => Float32Array.from({ length: n }, (_, r) => q[r * k + p.label[r]]));
  writeScoreTable(dir, PREDICTIONS_TABLE, { name: PREDICTIONS_TABLE, index: p.index, label: p.label, score: p.labelProb, perRun, extra });
  writeNpy(path.join(dir, PROBABILITIES_FILE), p.probs, [n, k]);
  if (p.sources) writeJsonAtomic(path.join(dir, 'sources.json'), p.sources);
  if (about) writeJsonAtomic(path.join(dir, ABOUT_FILE), about);
}

export const EMBEDDINGS_FILE = 'embeddings.npy';

/** The features of the scored examples (`rows`: dataset indices in the tables' order) as an (N, D) .npy. */
export function writeEmbeddings(runDir: string, features: { readonly values: Float32Array; readonly dim: number }, rows: ArrayLike<number>): void {
  const { values, dim } = features;
  const out = new Float32Array(rows.length * dim);
  for (let r = 0; r < rows.length; r++) out.set(values.subarray(rows[r] * dim, (rows[r] + 1) * dim), r * dim);
  writeNpy(path.join(predictionsDir(runDir), EMBEDDINGS_FILE), out, [rows.length, dim]);
}

/** Reads a run's predictions; undefined for runs scored before predictions were recorded. */
export function readPredictions(runDir: string): Predictions | undefined {
  const dir = predictionsDir(runDir);
  if (!fs.existsSync(path.join(dir, `${PREDICTIONS_TABLE}.parquet`))) return undefined;
  const t = readScoreTable(dir, PREDICTIONS_TABLE);
  const extra = t.extra ?? {};
  const cols = Object.keys(extra).filter((c) => /^p_\d+$/.test(c));
  const k = cols.length;
  const file = path.join(dir, `${PREDICTIONS_TABLE}.parquet`);
  if (k === 0 || !extra.predicted || !extra.confidence) throw new DataFormatError(file, 'missing predicted/confidence/p_<class> columns', 'the predictions are incomplete: score the dataset again');
  const n = t.index.length;
  const probs = new Float32Array(n * k);
  for (let c = 0; c < k; c++) {
    const col = extra[`p_${c}`];
    if (!col) throw new DataFormatError(file, `column p_${c} is missing (have ${cols.join(', ')})`, 'the predictions are incomplete: score the dataset again');
    for (let r = 0; r < n; r++) probs[r * k + c] = col[r];
  }
  let sources: string[] | undefined;
  const sf = path.join(dir, 'sources.json');
  if (fs.existsSync(sf)) {
    let s: unknown;
    try {
      s = JSON.parse(fs.readFileSync(sf, 'utf8'));
    } catch (e) {
      throw new DataFormatError(sf, `not valid JSON (${(e as Error).message})`, 'score the dataset again to rewrite it');
    }
    if (!Array.isArray(s) || s.length !== n) throw new DataFormatError(sf, `expected an array of ${n} paths (one per scored example)`, 'score the dataset again to rewrite it');
    const bad = s.findIndex((x) => typeof x !== 'string' || x === '');
    if (bad >= 0) throw new DataFormatError(sf, `entry ${bad}: expected a non-empty path string`, 'score the dataset again to rewrite it');
    sources = s as string[];
  }
  const about = readAbout(dir);
  return {
    index: t.index,
    label: t.label,
    numClasses: k,
    probs,
    predicted: Int32Array.from(extra.predicted),
    confidence: extra.confidence,
    labelProb: t.score,
    ...(sources ? { sources } : {}),
    ...(extra.split ? { split: Uint8Array.from(extra.split) } : {}),
    ...(about?.outOfSample ? { outOfSample: true } : {}),
  };
}

function readAbout(dir: string): PredictionsAbout | undefined {
  const file = path.join(dir, ABOUT_FILE);
  if (!fs.existsSync(file)) return undefined;
  let a: unknown;
  try {
    a = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataFormatError(file, `not valid JSON (${(e as Error).message})`, 'delete it if the predictions are in-sample, or make them again');
  }
  if (!a || typeof a !== 'object' || typeof (a as PredictionsAbout).outOfSample !== 'boolean') throw new DataFormatError(file, 'expected {"outOfSample": true|false, "source": ...}', 'make the predictions again');
  return a as PredictionsAbout;
}
