import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowThumbs, type Images } from '../../../../src/core/cells/imageCache';
import { datasetRows } from '../../../../src/core/data/datasetRows';
import { thumbnailDataUri } from '../../../../src/core/notebook/thumbnail';

// 3 train and 2 test images of 2x2 gray, each filled with its own value.
const split = (values: number[]) => ({ images: Uint8Array.from(values.flatMap((v) => [v, v, v, v])), shape: [2, 2, 1] as const });
const train = split([10, 20, 30]);
const test_ = split([200, 250]);

test('thumbnails by train index for score tables, by dataset row (either split) for tables with a split column', () => {
  const images: Images = { ...train, test: test_, rows: datasetRows(3, 2) };
  const byIndex = rowThumbs(images, false);
  assert.equal(byIndex(1), thumbnailDataUri(train, 1));
  assert.equal(byIndex(3), '', 'a train index past the split has no image');
  const byRow = rowThumbs(images, true);
  assert.equal(byRow(2), thumbnailDataUri(train, 2));
  assert.equal(byRow(3), thumbnailDataUri(test_, 0), 'row trainCount + j is test example j');
  assert.equal(byRow(4), thumbnailDataUri(test_, 1));
  assert.equal(byRow(5), '');
  assert.equal(byRow(-1), '');
  // A held-out split: rows follow the source, train example i is row trainIndices[i].
  const held: Images = { ...train, test: test_, rows: datasetRows(3, 2, { trainIndices: Int32Array.from([0, 2, 4]), testIndices: Int32Array.from([1, 3]) }) };
  const bySource = rowThumbs(held, true);
  assert.equal(bySource(4), thumbnailDataUri(train, 2));
  assert.equal(bySource(1), thumbnailDataUri(test_, 0));
  assert.equal(bySource(3), thumbnailDataUri(test_, 1));
});
