/**
 * `datadiet duplicates`: exact and near duplicates of a dataset, both splits, as one work unit whose table is
 * `duplicates.json` in a run of kind `duplicates`. A run, not a cache file: it records what was compared (dataset
 * fingerprint, geometry, threshold, search method, backend) in the manifest like every other result, the runs view
 * and `datadiet runs` list it, a notebook cell finds it by `run=latest`, and it runs in the engine process with
 * progress and cancellation.
 *
 * What is compared: perceptual thumbnails of the pixels (duplicates/perceptualVectors.ts), or with --run a run's
 * embeddings (predictions/embeddings.npy: a score run's penultimate layer, or backbone features), which also catch
 * copies that were cropped, flipped or recoloured but cover only the rows that run scored.
 */
import * as path from 'node:path';
import type { DuplicatesParams } from '../../contract/jobParams';
import type { JobInput } from '../../contract/jobOptions';
import { DUPLICATE_THRESHOLDS, DUPLICATES_DEFAULTS } from '../../contract/jobDefaults';
import { readPredictions } from '../annotations/predictions';
import { readRunEmbeddings, embeddingsFile } from '../annotations/runEmbeddings';
import { datasetUseOf, geometryOfUse, type DatasetUse } from '../data/datasetUse';
import { describeRowOrder } from '../data/datasetRows';
import { loadDataset } from '../data/load';
import { exactCopies } from '../duplicates/exactCopies';
import { duplicateGroups, type DuplicateGroup } from '../duplicates/duplicateGroups';
import { perceptualVectors, THUMBNAIL_SIDE } from '../duplicates/perceptualVectors';
import { rowImages, type RowImages } from '../duplicates/rowImages';
import { InputError } from '../inputError';
import type { Experiment } from '../jobs/experiment';
import { runJob, type StartOptions } from '../jobs/runner';
import { oneUnit, publishUnitFiles, readUnitResults, writeUnitResults } from '../jobs/singleUnit';
import { nearestNeighbours } from '../similarity/nearestNeighbours';
import { unitRows, type VectorRows } from '../similarity/vectorRows';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { DatasetRecord, RunManifest } from '../store/runManifest';
import { cacheDir, readRun, runDirOf } from '../store/runStore';
import { definedOnly } from './definedOnly';
import { datasetFingerprint } from './experimentData';
import type { JobContext } from './job';

export type DuplicatesConfig = DuplicatesParams & { readonly threshold: number };

export { DUPLICATE_THRESHOLDS, DUPLICATES_DEFAULTS };

export const DUPLICATES_TABLE = 'duplicates.json';

export interface DuplicatesTable {
  readonly dataset: string;
  readonly rows: number;
  readonly trainRows: number;
  readonly testRows: number;
  /** How the rows are numbered (data/datasetRows.ts). */
  readonly rowOrder: string;
  readonly compared: 'thumbnails' | 'embeddings';
  /** Thumbnails: their side in pixels. */
  readonly thumbnailSide?: number;
  /** Embeddings: the run they come from, and their dimension. */
  readonly embeddingsRun?: string;
  readonly embeddingDim?: number;
  readonly threshold: number;
  readonly neighbours: number;
  readonly search: { readonly method: 'exact' | 'hnsw'; readonly reason: string; readonly rows: number };
  /** Rows compared for exact copies only: one-colour images (thumbnails), rows the run has no embedding of. */
  readonly exactOnlyRows: number;
  readonly classNames?: readonly string[];
  readonly counts: DuplicateCounts;
  readonly seconds: { readonly hash: number; readonly vectors: number; readonly search: number; readonly group: number };
  readonly groups: readonly DuplicateGroup[];
}

export interface DuplicateCounts {
  readonly groups: number;
  readonly exact: number;
  readonly near: number;
  readonly leakage: number;
  readonly labelConflict: number;
  /** Rows in some group. */
  readonly rowsInGroups: number;
  /** Test rows with a copy in the training split. */
  readonly leakedTestRows: number;
}

export function resolveDuplicatesConfig(input: JobInput<'duplicates'>): DuplicatesConfig {
  const cfg = { ...DUPLICATES_DEFAULTS, ...definedOnly(input) } as DuplicatesParams;
  if (cfg.dataset === undefined && cfg.embeddingsFrom === undefined) throw new InputError('duplicates needs --dataset <spec>, or --run <run> to compare that run\'s embeddings on its dataset');
  const threshold = cfg.threshold ?? (cfg.embeddingsFrom !== undefined ? DUPLICATE_THRESHOLDS.embeddings : DUPLICATE_THRESHOLDS.thumbnails);
  if (!(threshold > 0 && threshold <= 1)) throw new InputError(`--threshold is a cosine similarity in (0, 1], got ${threshold}`);
  return { ...cfg, threshold };
}

/** A run's embeddings, placed on the dataset's rows. */
interface EmbeddingRows {
  readonly runId: string;
  readonly vectors: VectorRows;
  /** Dataset row of each embedding row. */
  readonly rows: Int32Array;
}

interface DuplicatesState {
  readonly use: DatasetUse;
  readonly images: RowImages;
  readonly classNames?: readonly string[];
  readonly embeddings?: EmbeddingRows;
}

/** The run named by --run, with what it says about its dataset. */
function openEmbeddingsRun(root: string, ref: string): { dir: string; manifest: RunManifest; dataset: DatasetRecord } {
  const dir = runDirOf(root, ref);
  const run = readRun(dir);
  if (!run.manifest) throw new InputError(`--run ${ref}: no such run (${run.problem ?? dir})`);
  const m = run.manifest;
  if (!m.dataset) throw new InputError(`--run ${ref}: run ${m.id} records no dataset`);
  return { dir, manifest: m, dataset: m.dataset };
}

function embeddingRows(dir: string, runId: string, images: RowImages): EmbeddingRows {
  const p = readPredictions(dir);
  if (!p) throw new InputError(`--run ${runId}: the run has no predictions (predictions/softmax.parquet): score the dataset with this version of Data Diet`);
  const vectors = readRunEmbeddings(dir, p.index.length);
  if (!vectors) throw new InputError(`--run ${runId}: the run recorded no embeddings (${embeddingsFile(dir)}); runs of a linear model have none: score with cnn-small, a ResNet or a VGG, or a --backbone`);
  // A table with a split column lists dataset rows; a score run's lists indices of the training split.
  const rows = p.split ? Int32Array.from(p.index) : Int32Array.from(p.index, (i) => images.rows.trainRow[i] ?? -1);
  const bad = rows.findIndex((r) => !(r >= 0 && r < images.count));
  if (bad >= 0) throw new InputError(`--run ${runId}: predictions row ${bad} names example ${p.index[bad]}, which the dataset does not have`);
  return { runId, vectors, rows };
}

/** Rows to search: one per group of byte-identical copies (its first row with a vector), and every other row with one. */
function searchedRows(count: number, exact: readonly number[][], hasVector: (r: number) => boolean): Int32Array {
  const skip = new Uint8Array(count);
  for (const g of exact) {
    const keep = g.find(hasVector);
    for (const r of g) if (r !== keep) skip[r] = 1;
  }
  const out: number[] = [];
  for (let r = 0; r < count; r++) if (!skip[r] && hasVector(r)) out.push(r);
  return Int32Array.from(out);
}

export function countsOf(groups: readonly DuplicateGroup[]): DuplicateCounts {
  let rowsInGroups = 0;
  let leakedTestRows = 0;
  for (const g of groups) {
    rowsInGroups += g.members.length;
    if (g.leakage) leakedTestRows += g.members.filter((m) => m.split === 'test').length;
  }
  return {
    groups: groups.length,
    exact: groups.filter((g) => g.kind === 'exact').length,
    near: groups.filter((g) => g.kind === 'near').length,
    leakage: groups.filter((g) => g.leakage).length,
    labelConflict: groups.filter((g) => g.labelConflict).length,
    rowsInGroups,
    leakedTestRows,
  };
}

const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(3));

export const duplicatesExperiment: Experiment<DuplicatesConfig, DuplicatesState, 'duplicates'> = {
  job: 'duplicates',
  resolve: (input) => resolveDuplicatesConfig(input),
  seeds: (cfg) => ({ root: cfg.seed }),
  // The exact search is matrix products: the fastest backend there is.
  backend: (cfg) => ({ choice: cfg.backend, threads: cfg.threads }),
  plan: () => oneUnit('exact and near duplicates'),

  async prepare(cfg, ctx) {
    const source = cfg.embeddingsFrom !== undefined ? openEmbeddingsRun(ctx.root, cfg.embeddingsFrom) : undefined;
    const fromRun = source ? datasetUseOf(source.manifest.config, source.dataset.spec) : undefined;
    const use: DatasetUse = cfg.dataset !== undefined ? { spec: cfg.dataset, ...(cfg.imageSize !== undefined ? { imageSize: cfg.imageSize } : {}), ...(cfg.resize ? { resize: cfg.resize } : {}) } : fromRun!;
    ctx.report({ phase: 'load', message: `loading ${use.spec}`, fraction: 0 });
    const geometry = geometryOfUse(use);
    const loaded = await loadDataset(use.spec, {
      geometry,
      cacheDir: cacheDir(ctx.root),
      signal: ctx.signal,
      onProgress: (done, total) => ctx.report({ phase: 'load', message: `decoding images: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`, fraction: 0 }),
    });
    const { splits, info } = loaded;
    const fingerprint = datasetFingerprint(splits, geometry);
    if (source && source.dataset.fingerprint !== fingerprint) {
      throw new InputError(`--run ${source.manifest.id} was made on other data than ${use.spec}${use.imageSize ? ` at ${use.imageSize} px` : ''} (dataset fingerprints differ): leave --dataset out to use the run's own dataset, or score this one`);
    }
    const images = rowImages(splits, info.heldOut);
    const classNames = info.classNames ?? splits.train.classNames;
    const embeddings = source ? embeddingRows(source.dir, source.manifest.id, images) : undefined;
    const record: DatasetRecord = {
      spec: use.spec,
      name: splits.train.name,
      fingerprint,
      shape: splits.train.shape,
      ...(geometry.size !== undefined ? { imageSize: geometry.size, resize: geometry.resize } : {}),
      numClasses: splits.train.numClasses,
      ...(classNames ? { classNames } : {}),
      trainSize: splits.train.labels.length,
      valSize: 0,
      testSize: splits.test.labels.length,
    };
    const config = { ...cfg, dataset: use.spec, ...(use.imageSize !== undefined ? { imageSize: use.imageSize, resize: use.resize ?? 'crop' } : {}) };
    return { state: { use, images, classNames, embeddings }, record: { dataset: record, config } };
  },

  async runUnit(_unit, cfg, { use, images, classNames, embeddings }, ctx) {
    const step = (fraction: number, message: string) => ctx.progress(fraction, { phase: 'score', message });
    let t0 = performance.now();
    const exact = exactCopies(images.count, (r) => images.image(r), (done, total) => step(0.1 * (done / total), `hashing images: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`));
    const hash = seconds(t0);
    if (ctx.signal?.aborted) return false;

    t0 = performance.now();
    let vectors: VectorRows;
    let vectorRow: Int32Array;
    if (embeddings) {
      const slot = new Int32Array(images.count).fill(-1);
      embeddings.rows.forEach((r, i) => (slot[r] = i));
      vectorRow = searchedRows(images.count, exact, (r) => slot[r] >= 0);
      const d = embeddings.vectors.dim;
      const picked = new Float32Array(vectorRow.length * d);
      vectorRow.forEach((r, i) => picked.set(embeddings.vectors.values.subarray(slot[r] * d, (slot[r] + 1) * d), i * d));
      vectors = unitRows({ values: picked, dim: d });
    } else {
      vectorRow = searchedRows(images.count, exact, () => true);
      step(0.1, `thumbnails of ${vectorRow.length.toLocaleString('en-US')} images`);
      vectors = perceptualVectors({ count: vectorRow.length, shape: images.shape, image: (i) => images.image(vectorRow[i]) });
    }
    const vectorSeconds = seconds(t0);

    t0 = performance.now();
    let found;
    try {
      found = await nearestNeighbours(vectors, cfg.neighbours, {
        method: cfg.knn,
        seed: cfg.seed,
        signal: ctx.signal,
        onProgress: (done, total) => step(0.2 + 0.75 * (done / total), `nearest neighbours of ${vectorRow.length.toLocaleString('en-US')} images: ${Math.round((100 * done) / total)}%`),
      });
    } catch (e) {
      if (ctx.signal?.aborted) return false;
      throw e;
    }
    const search = seconds(t0);

    t0 = performance.now();
    const groups = duplicateGroups({ images, exact, vectors, vectorRow, lists: found.lists, threshold: cfg.threshold });
    const table: DuplicatesTable = {
      dataset: use.spec,
      rows: images.count,
      trainRows: images.rows.trainCount,
      testRows: images.rows.testCount,
      rowOrder: describeRowOrder(images.rows),
      compared: embeddings ? 'embeddings' : 'thumbnails',
      ...(embeddings ? { embeddingsRun: embeddings.runId, embeddingDim: embeddings.vectors.dim } : { thumbnailSide: THUMBNAIL_SIDE }),
      threshold: cfg.threshold,
      neighbours: cfg.neighbours,
      search: { method: found.method, reason: found.reason, rows: vectorRow.length },
      exactOnlyRows: exactOnlyRows(images.count, exact, vectors, vectorRow),
      ...(classNames ? { classNames: [...classNames] } : {}),
      counts: countsOf(groups),
      seconds: { hash, vectors: vectorSeconds, search, group: seconds(t0) },
      groups,
    };
    writeJsonAtomic(path.join(ctx.outDir, DUPLICATES_TABLE), table);
    writeUnitResults(ctx.outDir, manifestResults(table));
    return true;
  },

  merge(_cfg, [unit], _state, ctx) {
    publishUnitFiles(unit, ctx.runDir, [DUPLICATES_TABLE]);
    ctx.report({ phase: 'save', message: `wrote ${DUPLICATES_TABLE}`, fraction: 1 });
    return readUnitResults(unit);
  },
};

/** The table without its groups: what the manifest's results say (counts, what was compared, times). */
export function manifestResults(t: DuplicatesTable): Record<string, unknown> {
  return {
    dataset: t.dataset,
    rows: t.rows,
    compared: t.compared,
    threshold: t.threshold,
    search: t.search,
    exactOnlyRows: t.exactOnlyRows,
    counts: t.counts,
    seconds: t.seconds,
  };
}

/** Rows that no search could pair: their image (or its byte-identical copy that was searched) has no direction. */
function exactOnlyRows(count: number, exact: readonly number[][], v: VectorRows, vectorRow: Int32Array): number {
  const directed = new Uint8Array(count);
  vectorRow.forEach((r, i) => {
    for (let j = i * v.dim; j < (i + 1) * v.dim; j++) {
      if (v.values[j] !== 0) {
        directed[r] = 1;
        break;
      }
    }
  });
  for (const g of exact) if (g.some((r) => directed[r])) for (const r of g) directed[r] = 1;
  return count - directed.reduce((a, b) => a + b, 0);
}

/** Finds the duplicates of a dataset and records them in a new run. */
export function runDuplicates(partial: JobInput<'duplicates'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  return runJob('duplicates', partial, ctx, opts);
}
