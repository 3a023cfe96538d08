/**
 * Every example of a dataset, train and test split alike, as one numbered sequence of rows: what a label audit, an
 * import of a user's own predictions and the annotations of a binary dataset call an example.
 *   - A source without a test split of its own (a manifest, a flat image folder): row = the example's place in the
 *     source (the manifest's line order, the folder's listing order), whichever split it was held out into, so the
 *     rows follow the order a user's own tools (pandas, a PyTorch Dataset over the manifest) see.
 *   - A dataset with its own splits (MNIST, CIFAR, IDX, train/ and test/ folders): train example i is row i, test
 *     example j is row trainCount + j (torchvision's train set, then its test set).
 * Train-split indices are the rows of score runs (which score the training split only), so a score run's `index`
 * column and an audit's agree on every training example of a split dataset.
 */
import type { HeldOutSplit } from './load';

export const TRAIN_SPLIT = 0;
export const TEST_SPLIT = 1;
export type SplitCode = typeof TRAIN_SPLIT | typeof TEST_SPLIT;

export interface DatasetRows {
  /** Rows in all: train + test examples. */
  readonly count: number;
  readonly trainCount: number;
  readonly testCount: number;
  /** Row of each train-split example (index = train index). */
  readonly trainRow: Int32Array;
  /** Row of each test-split example. */
  readonly testRow: Int32Array;
  /** Split of each row (TRAIN_SPLIT / TEST_SPLIT), index = row. */
  readonly split: Uint8Array;
  /** Index within its split of each row. */
  readonly at: Int32Array;
  /** Whether rows follow a source's own order (held-out test split) rather than train-then-test. */
  readonly sourceOrder: boolean;
}

export function datasetRows(trainCount: number, testCount: number, heldOut?: Pick<HeldOutSplit, 'trainIndices' | 'testIndices'>): DatasetRows {
  if (heldOut && (heldOut.trainIndices.length !== trainCount || heldOut.testIndices.length !== testCount)) {
    throw new RangeError(`datasetRows: the held-out split lists ${heldOut.trainIndices.length} + ${heldOut.testIndices.length} rows for ${trainCount} + ${testCount} examples`);
  }
  const count = trainCount + testCount;
  const trainRow = heldOut ? Int32Array.from(heldOut.trainIndices) : Int32Array.from({ length: trainCount }, (_, i) => i);
  const testRow = heldOut ? Int32Array.from(heldOut.testIndices) : Int32Array.from({ length: testCount }, (_, j) => trainCount + j);
  const split = new Uint8Array(count).fill(255);
  const at = new Int32Array(count);
  const place = (rows: Int32Array, code: SplitCode) =>
    rows.forEach((r, i) => {
      if (!(r >= 0 && r < count) || split[r] !== 255) throw new RangeError(`datasetRows: row ${r} is outside 0..${count - 1} or listed twice`);
      split[r] = code;
      at[r] = i;
    });
  place(trainRow, TRAIN_SPLIT);
  place(testRow, TEST_SPLIT);
  return { count, trainCount, testCount, trainRow, testRow, split, at, sourceOrder: heldOut !== undefined };
}

/** How the rows are numbered, for messages: "rows in labels.csv's order" or "the train split, then the test split". */
export function describeRowOrder(rows: DatasetRows): string {
  return rows.sourceOrder
    ? `all ${rows.count.toLocaleString('en-US')} examples in the source's own order (both splits)`
    : `the ${rows.trainCount.toLocaleString('en-US')} training examples, then the ${rows.testCount.toLocaleString('en-US')} test examples`;
}
