/**
 * The review queue's data, away from the editor: a score run's suspects in review order, the pixels of its rows,
 * and one suspect at a time as a view item (facts, thumbnails, nearest neighbours). Neighbours are the most similar
 * examples by the run's embeddings (predictions/embeddings.npy: its model's penultimate layer or backbone features,
 * cosine similarity) when it recorded them, else the nearest in pixel space; the item says which. Opening reads a
 * parquet table and a whole dataset and ranks every row, and each item searches thousands of images, so this runs
 * in a worker thread (src/engine/reviewWorker.ts), never in the extension host.
 */
import * as path from 'node:path';
import { DataFormatError } from '../data/dataset';
import { thumbnailDataUri } from '../notebook/thumbnail';
import { readRun } from '../store/runStore';
import { exampleKey } from './annotationEntry';
import { annotationTarget, type AnnotationTarget } from './annotationTarget';
import { nearestInPixels } from './neighbours';
import { predictionsDir } from './predictions';
import { readRunEmbeddings } from './runEmbeddings';
import { nearestAmong } from '../similarity/nearestAmong';
import { unitRows, type VectorRows } from '../similarity/vectorRows';
import { rowPixels, type RowPixels } from './rowPixels';
import { loadRunSuspects, type RunSuspects } from './runSuspects';
import { LruCache } from './sourceImages';
import { datasetUseOf } from '../data/datasetUse';
import { scorePercentiles, type SuspectMethod } from './suspects';
import { TEST_SPLIT } from '../data/datasetRows';

export interface ReviewOpenOptions {
  readonly runDir: string;
  /** Workspace root: relative dataset paths and the annotations of binary datasets resolve against it. */
  readonly root: string;
  readonly threshold: number;
  /** How suspects are flagged (default confident learning). */
  readonly method?: SuspectMethod;
  readonly onProgress?: (stage: string) => void;
}

/** What the editor side needs to keep the queue: where decisions go and how each suspect is named there. */
export interface ReviewIndex {
  readonly runName: string;
  readonly threshold: number;
  /** The dataset's annotations.jsonl. */
  readonly file: string;
  /** exampleKey of each suspect, in review order (the editor counts decisions with them). */
  readonly keys: readonly string[];
  /** How the annotations name each suspect, and the label it was trained on: a decision needs only these, so keys
   * pressed faster than the next item arrives are all recorded. */
  readonly targets: readonly ({ index: number } | { path: string })[];
  readonly labels: readonly number[];
  readonly classes: readonly string[];
}

export interface ReviewNeighbour {
  readonly index: number;
  readonly image?: string;
  /** Cosine similarity of the embeddings (neighbours by embedding only). */
  readonly similarity?: number;
}

/** Where neighbours are searched: the run's embeddings, or raw pixels when it has none. */
export type NeighbourSpace = 'embeddings' | 'pixels';

/** One suspect as the queue shows it (the editor adds the decision and the reviewed count). */
export interface ReviewItem {
  readonly position: number;
  readonly total: number;
  readonly index: number;
  /** How the annotations name this example ({index} or {path}). */
  readonly target: { index: number } | { path: string };
  readonly source?: string;
  /** The row's split when the run audited both (an audit's test rows). */
  readonly split?: 'train' | 'test';
  /** How the run's suspects were flagged. */
  readonly method: SuspectMethod;
  readonly label: number;
  readonly labelName: string;
  readonly predicted: number;
  readonly predictedName: string;
  readonly confidence: number;
  readonly suspicion: number;
  readonly score?: { name: string; value: number; percentile?: number };
  readonly top: readonly { name: string; p: number }[];
  readonly image?: string;
  readonly imageProblem?: string;
  readonly claimed: readonly ReviewNeighbour[];
  readonly predictedNeighbours: readonly ReviewNeighbour[];
  /** How `claimed` and `predictedNeighbours` were found, for the view's headings. */
  readonly neighbourSpace: NeighbourSpace;
  /** Why the run's embeddings were not used although it has a file of them (pixels were searched instead). */
  readonly neighbourProblem?: string;
  readonly classes: readonly string[];
}

const NEIGHBOURS = 5;
const THUMB_SIDE = 64;

export class ReviewSession {
  private readonly thumbs = new LruCache<string>(512);
  private readonly byClass = new Map<number, number[]>();
  private readonly rows: Int32Array;
  private readonly percentiles?: Float32Array;

  private constructor(
    private readonly suspects: RunSuspects,
    private readonly target: AnnotationTarget,
    private readonly pixels: RowPixels | undefined,
    private readonly pixelError: string | undefined,
    private readonly classNames: readonly string[] | undefined,
    readonly index: ReviewIndex,
    /** Unit-length embeddings of the predictions' rows, or undefined (then pixels), with why when unreadable. */
    private readonly embeddings: { readonly unit?: VectorRows; readonly problem?: string },
  ) {
    const s = suspects;
    const p = s.predictions;
    this.rows = s.ranking.order.subarray(0, s.ranking.count);
    this.percentiles = s.score ? scorePercentiles(s.score.score) : undefined;
    // Neighbour candidates: scored rows by the label the run trained on, not suspects, with an image.
    for (let r = 0; r < p.index.length; r++) {
      if (s.ranking.flagged[r] || pixels?.problems.has(r)) continue;
      const list = this.byClass.get(p.label[r]);
      if (list) list.push(r);
      else this.byClass.set(p.label[r], [r]);
    }
  }

  static async open(opts: ReviewOpenOptions): Promise<ReviewSession> {
    const { runDir, root } = opts;
    opts.onProgress?.('reading the predictions');
    const m = readRun(runDir).manifest;
    if (!m?.dataset) throw new DataFormatError(path.join(runDir, 'manifest.json'), 'the run has no dataset record (field "dataset")', 'score the dataset again with this version of Data Diet');
    const s = loadRunSuspects(runDir, { threshold: opts.threshold, ...(opts.method ? { method: opts.method } : {}) });
    const p = s.predictions;
    const sourceOf = p.sources ? new Map<number, string>(Array.from(p.index, (i, r) => [i, p.sources![r]])) : undefined;
    const target = annotationTarget(root, m.dataset, sourceOf ? (i) => sourceOf.get(i) : undefined);
    const classNames = m.dataset.classNames;
    const name = (c: number) => classNames?.[c] ?? String(c);
    const rows = s.ranking.order.subarray(0, s.ranking.count);
    const index: ReviewIndex = {
      runName: path.basename(runDir),
      threshold: s.ranking.threshold,
      file: target.file,
      keys: Array.from(rows, (r) => exampleKey(target.keyOf(p.index[r]))),
      targets: Array.from(rows, (r) => target.keyOf(p.index[r])),
      labels: Array.from(rows, (r) => p.label[r]),
      classes: Array.from({ length: p.numClasses }, (_, c) => name(c)),
    };
    let embeddings: { unit?: VectorRows; problem?: string } = {};
    if (rows.length) {
      try {
        const v = readRunEmbeddings(runDir, p.index.length);
        if (v) embeddings = { unit: unitRows(v) };
      } catch (e) {
        embeddings = { problem: (e as Error).message };
      }
    }
    let pixels: RowPixels | undefined;
    let pixelError: string | undefined;
    if (rows.length) {
      opts.onProgress?.(`reading the images of ${p.index.length.toLocaleString('en-US')} examples`);
      try {
        pixels = await rowPixels(datasetUseOf(m.config, m.dataset.spec) ?? { spec: '' }, p.index, p.sources, { root, sourcesFile: path.join(predictionsDir(runDir), 'sources.json') });
      } catch (e) {
        pixelError = (e as Error).message;
      }
    }
    return new ReviewSession(s, target, pixels, pixelError, classNames, index, embeddings);
  }

  /** Rows whose image could not be shown, with why (for the log). */
  get imageProblems(): ReadonlyMap<number, string> {
    return this.pixels?.problems ?? new Map();
  }

  get imageError(): string | undefined {
    return this.pixelError;
  }

  private name(c: number): string {
    return this.classNames?.[c] ?? String(c);
  }

  private thumb(row: number): string | undefined {
    const px = this.pixels;
    if (!px || px.problems.has(row)) return undefined;
    let uri = this.thumbs.get(String(row));
    if (uri === undefined) this.thumbs.set(String(row), (uri = thumbnailDataUri(px, row, THUMB_SIDE)));
    return uri;
  }

  /** The suspect at `position` (clamped to the queue). */
  item(position: number): ReviewItem {
    const s = this.suspects;
    const p = s.predictions;
    const total = this.rows.length;
    if (total === 0) throw new RangeError('the review queue is empty');
    const at = Math.max(0, Math.min(Math.trunc(position), total - 1));
    const r = this.rows[at];
    const k = p.numClasses;
    const px = this.pixels;
    const imageProblem = px ? px.problems.get(r) : this.pixelError;
    const image = this.thumb(r);
    const unit = this.embeddings.unit;
    const neighbours = (cls: number): ReviewNeighbour[] => {
      const candidates = this.byClass.get(cls) ?? [];
      if (unit) return nearestAmong(unit, r, candidates, NEIGHBOURS).map((q) => withImage(q.row, { similarity: Number(q.similarity.toFixed(4)) }));
      return px && !imageProblem ? nearestInPixels(px, r, candidates, NEIGHBOURS).map((q) => withImage(q, {})) : [];
    };
    const withImage = (q: number, extra: { similarity?: number }): ReviewNeighbour => {
      const img = this.thumb(q);
      return { index: p.index[q], ...(img ? { image: img } : {}), ...extra };
    };
    return {
      position: at,
      total,
      index: p.index[r],
      target: this.target.keyOf(p.index[r]),
      ...(p.sources ? { source: path.basename(p.sources[r]) } : {}),
      ...(p.split ? { split: p.split[r] === TEST_SPLIT ? ('test' as const) : ('train' as const) } : {}),
      method: s.ranking.method,
      label: p.label[r],
      labelName: this.name(p.label[r]),
      predicted: p.predicted[r],
      predictedName: this.name(p.predicted[r]),
      confidence: p.confidence[r],
      suspicion: s.ranking.suspicion[r],
      ...(s.score ? { score: { name: s.score.name, value: s.score.score[r], ...(this.percentiles ? { percentile: this.percentiles[r] } : {}) } } : {}),
      top: Array.from({ length: k }, (_, c) => ({ name: this.name(c), p: p.probs[r * k + c] }))
        .sort((a, b) => b.p - a.p)
        .slice(0, 3),
      ...(image ? { image } : {}),
      ...(imageProblem ? { imageProblem } : {}),
      claimed: neighbours(p.label[r]),
      predictedNeighbours: neighbours(p.predicted[r]),
      neighbourSpace: unit ? 'embeddings' : 'pixels',
      ...(this.embeddings.problem ? { neighbourProblem: this.embeddings.problem } : {}),
      classes: this.index.classes.slice(0, 10),
    };
  }
}

/** The first position of the queue, from `from` on and wrapping around, whose key is not decided; else `from`. */
export function firstOpenPosition(keys: readonly string[], decided: { has(key: string): boolean }, from = 0): number {
  const n = keys.length;
  for (let j = 0; j < n; j++) {
    const at = (from + j) % n;
    if (!decided.has(keys[at])) return at;
  }
  return Math.min(Math.max(0, from), Math.max(0, n - 1));
}
