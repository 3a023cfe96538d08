/**
 * What an import of a user's own files stands on: the dataset, loaded as every job loads it (so its fingerprint is
 * the one prune and window check), numbered as dataset rows (data/datasetRows.ts), and each imported file read
 * once with its sha256, which the run records next to its path.
 */
import { createHash } from 'node:crypto';
import type { ResizeMode } from '../../contract/choices';
import { datasetRows, TRAIN_SPLIT, type DatasetRows } from '../data/datasetRows';
import type { Report } from '../jobs/experiment';
import { rowOrderOf } from '../labelErrors/importedRows';
import { decodeNpyFile, readNpyBytes } from '../labelErrors/importedPredictions';
import type { NpyArray } from '../store/scoreFiles';
import { cacheDir } from '../store/runStore';
import { prepareData, type ExperimentData } from './experimentData';

export interface ImportedDataset {
  readonly data: ExperimentData;
  readonly rows: DatasetRows;
  /** The order a file's rows must follow, in words. */
  readonly order: string;
}

export interface ImportedDatasetOptions {
  readonly dataset: string;
  readonly imageSize?: number;
  readonly resize?: ResizeMode;
}

/**
 * The dataset with nothing held out for validation (an import trains nothing: the whole training split is its
 * training split), from the root's decoded-image cache.
 */
export async function loadImportedDataset(o: ImportedDatasetOptions, ctx: { root: string; report: Report; signal?: AbortSignal }): Promise<ImportedDataset> {
  ctx.report({ phase: 'load', message: `loading ${o.dataset}`, fraction: 0 });
  // Seed 0 is the held-out test split's (every job draws it so); no other random draw happens here.
  const data = await prepareData({ dataset: o.dataset, validation: 0, seed: 0, imageSize: o.imageSize, resize: o.resize, cacheDir: cacheDir(ctx.root), report: ctx.report, signal: ctx.signal });
  const rows = datasetRows(data.splits.train.labels.length, data.splits.test.labels.length, data.info.heldOut);
  return { data, rows, order: rowOrderOf(data.info) };
}

/** The label of each of the first `count` dataset rows. */
export function rowLabels(d: ImportedDataset, count: number): Int32Array {
  const { train, test } = d.data.splits;
  return Int32Array.from({ length: count }, (_, r) => (d.rows.split[r] === TRAIN_SPLIT ? train.labels : test.labels)[d.rows.at[r]]);
}

/** The source file of each of the first `count` dataset rows (manifests and folders), else undefined. */
export function rowSources(d: ImportedDataset, count: number): string[] | undefined {
  const { train, test } = d.data.splits;
  if (!train.sources || !test.sources) return undefined;
  return Array.from({ length: count }, (_, r) => (d.rows.split[r] === TRAIN_SPLIT ? train.sources! : test.sources!)[d.rows.at[r]]);
}

/** What a run records of an imported file: enough to tell later whether it is still the file that was imported. */
export interface ImportedFileRecord {
  readonly file: string;
  readonly sha256: string;
  readonly shape: readonly number[];
  readonly dtype: string;
}

export interface ImportedFile {
  readonly array: NpyArray;
  readonly record: ImportedFileRecord;
}

/** Reads a user's .npy once: its array, and its record (absolute path, sha256 of the bytes, shape, dtype). */
export function readImportedFile(file: string): ImportedFile {
  const bytes = readNpyBytes(file);
  const array = decodeNpyFile(bytes, file);
  return { array, record: { file, sha256: createHash('sha256').update(bytes).digest('hex'), shape: array.shape, dtype: array.dtype } };
}
