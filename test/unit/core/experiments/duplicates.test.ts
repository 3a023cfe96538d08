import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DUPLICATES_TABLE, runDuplicates, type DuplicatesTable } from '../../../../src/core/experiments/duplicates';
import { runScores } from '../../../../src/core/experiments/scoreRun';
import { hnswUnavailable } from '../../../../src/core/similarity/hnswNeighbours';
import { tempDir } from '../../helpers/paths';
import { plantedDataset, type PlantedGroup } from '../../helpers/plantedDuplicates';

async function findDuplicates(root: string, params: Record<string, unknown>): Promise<{ table: DuplicatesTable; runDir: string }> {
  const m = await runDuplicates({ backend: 'cpu', ...params }, { root });
  assert.equal(m.status, 'done', m.error);
  const runDir = path.join(root, '.datadiet', 'runs', m.id);
  return { table: JSON.parse(fs.readFileSync(path.join(runDir, DUPLICATES_TABLE), 'utf8')) as DuplicatesTable, runDir };
}

/** Each group as its members' files relative to the dataset root, sorted, with its flags. */
function groupsAsFiles(t: DuplicatesTable, data: string): PlantedGroup[] {
  return t.groups.map((g) => ({
    files: g.members.map((m) => path.relative(data, m.source!)).sort(),
    kind: g.kind,
    leakage: g.leakage,
    labelConflict: g.labelConflict,
  }));
}

const byFirstFile = (a: PlantedGroup, b: PlantedGroup) => a.files[0].localeCompare(b.files[0]);

test('planted exact, resized and JPEG copies across train/ and test/ are found, flagged, and no distinct images are grouped', async () => {
  const root = tempDir('duplicates');
  const data = path.join(root, 'photos');
  const planted = await plantedDataset(data);
  const methods = ['exact', ...(hnswUnavailable() ? [] : ['hnsw'])];
  for (const knn of methods) {
    const { table } = await findDuplicates(root, { dataset: data, imageSize: 32, knn });
    assert.equal(table.search.method, knn);
    const found = groupsAsFiles(table, data).sort(byFirstFile);
    const want = planted.map((g) => ({ ...g, files: [...g.files].sort() })).sort(byFirstFile);
    assert.deepEqual(found, want, `${knn}: the groups are exactly the planted ones`);
    // Most urgent first: every leakage group before the rest.
    const leak = table.groups.map((g) => g.leakage);
    assert.deepEqual(leak, [...leak].sort((a, b) => Number(b) - Number(a)));
    assert.deepEqual(table.counts, { groups: 5, exact: 2, near: 3, leakage: 3, labelConflict: 2, rowsInGroups: 11, leakedTestRows: 3 });
    assert.equal(table.compared, 'thumbnails');
    assert.equal(table.exactOnlyRows, 0);
    for (const g of table.groups) {
      for (const m of g.members) {
        assert.ok(m.similarity >= (g.kind === 'exact' ? 1 : table.threshold) - 1e-6, `${m.source}: similarity ${m.similarity}`);
        // Rows of a split dataset: train i is row i, test j is row trainCount + j.
        assert.equal(m.row, m.split === 'train' ? m.index : table.trainRows + m.index);
      }
    }
  }
});

test('a threshold of 1 keeps only byte-identical copies; the run records what was compared', async () => {
  const root = tempDir('duplicates-strict');
  const data = path.join(root, 'photos');
  await plantedDataset(data);
  const { table, runDir } = await findDuplicates(root, { dataset: data, imageSize: 32, threshold: 1 });
  assert.deepEqual(table.groups.map((g) => g.kind), ['exact', 'exact']);
  const m = JSON.parse(fs.readFileSync(path.join(runDir, 'manifest.json'), 'utf8')) as { kind: string; config: Record<string, unknown>; dataset: { fingerprint: string; imageSize: number } };
  assert.equal(m.kind, 'duplicates');
  assert.equal(m.config.threshold, 1);
  assert.equal(m.dataset.imageSize, 32);
  assert.match(m.dataset.fingerprint, /^[0-9a-f]{64}$/);
});

test("--run compares a score run's embeddings: copies among its rows are found, rows it did not score are compared for exact copies only", async () => {
  const root = tempDir('duplicates-emb');
  const data = path.join(root, 'photos');
  await plantedDataset(data);
  const score = await runScores({ dataset: data, imageSize: 32, model: 'cnn-small', width: 0.25, validation: 0, epochs: 2, scoreEpoch: 2, batchSize: 8, runs: 1, scores: ['el2n'], backend: 'cpu' }, { root });
  assert.equal(score.status, 'done', score.error);
  const { table } = await findDuplicates(root, { embeddingsFrom: score.id, threshold: 0.999 });
  assert.equal(table.compared, 'embeddings');
  assert.equal(table.embeddingsRun, score.id);
  assert.equal(table.embeddingDim, 32);
  // The score run scored the training split: the test rows have no embedding; one of them has a byte-identical copy
  // in train, which has.
  assert.equal(table.exactOnlyRows, table.testRows - 1);
  const files = groupsAsFiles(table, data).map((g) => g.files.join(' '));
  // Byte-identical images have identical embeddings; the cross-split exact copy is still found by its bytes.
  assert.ok(files.includes('train/apple/apple3.png train/bird/copy-of-apple3.png'), files.join('; '));
  assert.ok(files.includes('test/apple/copy-of-apple0.png train/apple/apple0.png'), files.join('; '));

  await assert.rejects(runDuplicates({ backend: 'cpu', embeddingsFrom: score.id, dataset: 'mnist' }, { root }), /other data than mnist/);
  const linear = await runScores({ dataset: data, imageSize: 32, model: 'linear', validation: 0, epochs: 1, scoreEpoch: 1, runs: 1, scores: ['el2n'], backend: 'cpu' }, { root });
  await assert.rejects(runDuplicates({ backend: 'cpu', embeddingsFrom: linear.id }, { root }), /recorded no embeddings/);
  await assert.rejects(runDuplicates({ backend: 'cpu', embeddingsFrom: 'no-such-run' }, { root }), /--run no-such-run: no such run/);
  await assert.rejects(runDuplicates({ backend: 'cpu' }, { root }), /needs --dataset/);
});
