import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listDataset } from '../../../../src/core/data/datasetListing';
import { loadDataset } from '../../../../src/core/data/load';
import { tempDir, writePng } from './fixtures';

const dir = tempDir();

async function sameAsLoaded(spec: string): Promise<void> {
  const listed = await listDataset(spec);
  const { splits } = await loadDataset(spec);
  for (const part of ['train', 'test'] as const) {
    assert.deepEqual(Array.from(listed[part].labels), Array.from(splits[part].labels), `${spec} ${part} labels`);
    assert.deepEqual(listed[part].sources, splits[part].sources, `${spec} ${part} sources`);
  }
}

test('a listing has the labels and files of the splits loadDataset makes, in the same order, without decoding', async () => {
  const flat = path.join(dir, 'listing-flat');
  for (let i = 0; i < 14; i++) writePng(path.join(flat, i % 3 ? 'cat' : 'dog', `${i}.png`), 4, 4, () => [i * 9, 3, 3]);
  await sameAsLoaded(`folder:${flat}`);
  const split = path.join(dir, 'listing-split');
  for (let i = 0; i < 6; i++) writePng(path.join(split, i < 4 ? 'train' : 'test', i % 2 ? 'a' : 'b', `${i}.png`), 4, 4, () => [i, i, 40]);
  await sameAsLoaded(`folder:${split}`);
  const manifest = path.join(dir, 'listing-manifest');
  fs.mkdirSync(manifest, { recursive: true });
  const rows = ['path,label'];
  for (let i = 0; i < 12; i++) {
    writePng(path.join(manifest, `${i}.png`), 4, 4, () => [i * 20, 0, 0]);
    rows.push(`${i}.png,${i % 2 ? 'left' : 'right'}`);
  }
  fs.writeFileSync(path.join(manifest, 'labels.csv'), rows.join('\n'));
  await sameAsLoaded(`csv:${path.join(manifest, 'labels.csv')}`);
});

test('a folder of several image sizes lists (annotations need no pixels), where loading it needs --image-size', async () => {
  const mixed = path.join(dir, 'listing-mixed');
  for (let i = 0; i < 8; i++) writePng(path.join(mixed, i % 2 ? 'a' : 'b', `${i}.png`), 4 + i, 4, () => [1, 2, 3]);
  const listed = await listDataset(`folder:${mixed}`);
  assert.equal(listed.train.labels.length + listed.test.labels.length, 8);
  await assert.rejects(loadDataset(`folder:${mixed}`), /different sizes/);
});
