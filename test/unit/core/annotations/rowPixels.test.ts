import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { rowPixels } from '../../../../src/core/annotations/rowPixels';
import { idxBytes, tempDir, write } from '../data/fixtures';

/** An IDX dataset of 3 train and 2 test 2x2 images whose every pixel is the example's own value. */
function idxDataset(): string {
  const dir = tempDir('datadiet-rowpixels-');
  const split = (stem: string, values: number[]) => {
    write(path.join(dir, `${stem}-images-idx3-ubyte`), idxBytes([values.length, 2, 2], values.flatMap((v) => [v, v, v, v])));
    write(path.join(dir, `${stem}-labels-idx1-ubyte`), idxBytes([values.length], values.map((_, i) => i % 2)));
  };
  split('train', [10, 11, 12]);
  split('t10k', [20, 21]);
  return `idx:${dir}`;
}

test("a binary dataset's rows past the train split show the test split's images; rows outside it say so", async () => {
  const spec = idxDataset();
  const px = await rowPixels({ spec }, Int32Array.from([0, 2, 3, 4, 5]));
  assert.deepEqual(px.shape, [2, 2, 1]);
  assert.deepEqual(Array.from({ length: 4 }, (_, r) => px.images[r * 4]), [10, 12, 20, 21], 'rows 0 and 2 from train, rows 3 and 4 are test examples 0 and 1');
  assert.deepEqual([...px.problems.keys()], [4]);
  assert.match(px.problems.get(4)!, /row 5 is not in idx:.*\(rows 0\.\.4: the 3 training examples, then the 2 test examples\)/);
});
