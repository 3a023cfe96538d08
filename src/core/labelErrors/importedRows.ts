/**
 * Which dataset rows a user's .npy covers, known from its row count alone. Its rows follow the dataset rows
 * (data/datasetRows.ts), so file row r is dataset row r:
 *   - a source without a test split of its own (a manifest, a flat image folder): every row, in the source's order,
 *     whichever split each was held out into;
 *   - a dataset with its own splits (MNIST, CIFAR, IDX, train/ and test/ folders): the training split alone, or the
 *     training split then the test split.
 * Any other count is refused with the counts that fit and the order the rows must follow.
 */
import type { DatasetRows } from '../data/datasetRows';
import type { DatasetInfo } from '../data/load';
import * as path from 'node:path';
import { InputError } from '../inputError';

export interface RowCoverage {
  /** Rows of the file: dataset rows 0..count-1. */
  readonly count: number;
  /** Whether the rows include test-split examples. */
  readonly withTest: boolean;
  /** The rows in words ("the training split, then the test split"), for messages and the manifest. */
  readonly what: string;
}

const count = (n: number) => n.toLocaleString('en-US');

/** The row counts a file over this dataset may have, each with what its rows are. */
export function rowCoverages(rows: DatasetRows): RowCoverage[] {
  if (rows.sourceOrder) return [{ count: rows.count, withTest: true, what: 'every example, in the source\'s order' }];
  return [
    { count: rows.trainCount, withTest: false, what: 'the training split' },
    { count: rows.count, withTest: true, what: 'the training split, then the test split' },
  ];
}

/** "60,000 (the training split) or 70,000 (the training split, then the test split)": the row counts that fit. */
export function describeCoverages(rows: DatasetRows): string {
  return rowCoverages(rows)
    .map((c) => `${count(c.count)} (${c.what})`)
    .join(' or ');
}

/** The order a file's rows must follow, in words a user can act on (which file's lines, which listing). */
export function rowOrderOf(info: Pick<DatasetInfo, 'kind' | 'sources' | 'heldOut'>): string {
  const source = info.sources[0] ? path.basename(info.sources[0]) : info.kind;
  switch (info.kind) {
    case 'csv':
    case 'jsonl':
      return `the line order of ${source}`;
    case 'folder':
      return info.heldOut
        ? `the listing of ${source} (class folders sorted by name, the images of each sorted by path: torchvision's ImageFolder order for flat class folders)`
        : `train/ then test/ of ${source}, each listed with class folders sorted by name and images sorted by path`;
    default:
      return `the dataset's own order (its training set, then its test set, as torchvision loads them)`;
  }
}

/**
 * The coverage of a file whose first axis has shape[0] rows; otherwise an InputError naming the file, the counts
 * that fit and the order the rows must follow (and whether the file looks transposed).
 */
export function coverageOf(file: string, shape: readonly number[], rows: DatasetRows, order: string): RowCoverage {
  const choices = rowCoverages(rows);
  const hit = choices.find((c) => c.count === shape[0]);
  if (hit) return hit;
  const fits = describeCoverages(rows);
  const transposed = shape.length === 2 && choices.some((c) => c.count === shape[1]) ? ' (it looks transposed: save array.T)' : '';
  throw new InputError(`${file}: ${count(shape[0])} rows, but the dataset has ${fits}; one row per example, in ${order}${transposed}`);
}
