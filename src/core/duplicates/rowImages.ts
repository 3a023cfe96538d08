/**
 * A loaded dataset's two splits as one sequence of dataset rows (data/datasetRows.ts): train then test, or a held-out
 * source's own order. Pixels, labels and source paths are read through the splits, never copied into one array.
 */
import { exampleSize, type DatasetSplits } from '../data/dataset';
import { datasetRows, TEST_SPLIT, type DatasetRows } from '../data/datasetRows';
import type { HeldOutSplit } from '../data/load';
import type { ImageRows } from './perceptualVectors';

export interface RowImages extends ImageRows {
  readonly rows: DatasetRows;
  label(r: number): number;
  /** 'train' or 'test'. */
  split(r: number): 'train' | 'test';
  /** Index of the row within its split. */
  at(r: number): number;
  /** The image file, for datasets of files. */
  source(r: number): string | undefined;
}

export function rowImages(splits: DatasetSplits, heldOut?: Pick<HeldOutSplit, 'trainIndices' | 'testIndices'>): RowImages {
  const { train, test } = splits;
  const rows = datasetRows(train.labels.length, test.labels.length, heldOut);
  const size = exampleSize(train);
  const of = (r: number) => (rows.split[r] === TEST_SPLIT ? test : train);
  return {
    rows,
    count: rows.count,
    shape: train.shape,
    image: (r) => {
      const i = rows.at[r];
      return of(r).images.subarray(i * size, (i + 1) * size);
    },
    label: (r) => of(r).labels[rows.at[r]],
    split: (r) => (rows.split[r] === TEST_SPLIT ? 'test' : 'train'),
    at: (r) => rows.at[r],
    source: (r) => of(r).sources?.[rows.at[r]],
  };
}
