import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runImportScores } from '../../../../src/core/experiments/importScores';
import { runPruneSweep } from '../../../../src/core/experiments/pruneSweep';
import { loadDataset } from '../../../../src/core/data/load';
import { readNpy, readScoreTable, scoresDir } from '../../../../src/core/store/scoreFiles';
import { listRuns } from '../../../../src/core/store/runStore';
import { InputError } from '../../../../src/core/inputError';
import { tinyIdxDataset, writePng } from '../data/fixtures';
import { tempDir } from '../../helpers/paths';
import { numpyOrSkip, saveNpys } from '../../helpers/numpy';

/** A flat image folder (3 classes x 6 images): 1/6 held out as test, so file rows and training examples differ. */
function folderDataset(root: string): string {
  const dir = path.join(root, 'pets');
  ['cat', 'dog', 'fox'].forEach((c, k) => {
    for (let i = 0; i < 6; i++) writePng(path.join(dir, c, `${i}.png`), 4, 4, () => [40 * k + i, 10 * i, 90]);
  });
  return `folder:${dir}`;
}


test('imported scores of a held-out folder: one table row per training example, its value from the file row of that example', async (t) => {
  if (!numpyOrSkip(t)) return;
  const root = tempDir('import-scores-folder');
  const spec = folderDataset(root);
  const rowid = path.join(root, 'rowid.npy');
  const neg = path.join(root, 'neg.npy');
  // (N,) float64 and (N, 1) float32: both are one value per example.
  saveNpys({ [rowid]: 'np.arange(18, dtype=np.float64)', [neg]: '-np.arange(18, dtype=np.float32).reshape(18, 1)' });
  const m = await runImportScores({ dataset: spec, scores: [`rowid=${rowid}`, `neg=${neg}`] }, { root });
  assert.equal(m.status, 'done', m.error);
  assert.equal(m.kind, 'score');
  assert.deepEqual(m.config.scores, ['rowid', 'neg'], 'the config names the tables, as a score run\'s');
  const imported = m.config.imported as { scores: { name: string; file: string; sha256: string; rows: string }[] };
  assert.deepEqual(imported.scores.map((s) => [s.name, s.file, s.rows]), [
    ['rowid', rowid, "every example, in the source's order"],
    ['neg', neg, "every example, in the source's order"],
  ]);
  assert.match(imported.scores[0].sha256, /^[0-9a-f]{64}$/);
  const runDir = path.join(root, '.datadiet', 'runs', m.id);
  const { splits, info } = await loadDataset(spec);
  const table = readScoreTable(scoresDir(runDir), 'rowid');
  assert.deepEqual(Array.from(table.index), Array.from({ length: 15 }, (_, i) => i), 'train-split indices, as a score run\'s');
  assert.deepEqual(Array.from(table.label), Array.from(splits.train.labels));
  assert.deepEqual(Array.from(table.score), Array.from(info.heldOut!.trainIndices), 'example i scored with the file row of its image');
  assert.deepEqual(Array.from(readNpy(path.join(scoresDir(runDir), 'neg.npy')).data), Array.from(info.heldOut!.trainIndices, (r) => -r));
  assert.deepEqual(m.results?.scores, ['rowid', 'neg']);
  const analysis = JSON.parse(fs.readFileSync(path.join(runDir, 'analysis.json'), 'utf8')) as { correlations: { matrix: number[][] } };
  assert.ok(Math.abs(analysis.correlations.matrix[0][1] + 1) < 1e-9, 'Spearman of a score with its negation');
});

test('a split dataset: the training split alone, or train then test (the test rows are counted, not kept)', async (t) => {
  if (!numpyOrSkip(t)) return;
  const root = tempDir('import-scores-idx');
  const spec = `idx:${tinyIdxDataset(root)}`;
  const all = path.join(root, 'all.npy');
  saveNpys({ [all]: 'np.arange(9, dtype=np.float32) * 10' });
  const m = await runImportScores({ dataset: spec, scores: [`s=${all}`] }, { root });
  assert.equal(m.status, 'done', m.error);
  const table = readScoreTable(scoresDir(path.join(root, '.datadiet', 'runs', m.id)), 's');
  assert.deepEqual(Array.from(table.score), [0, 10, 20, 30, 40, 50]);
  assert.deepEqual(m.results?.testRowsLeftOut, { s: 3 });
});

test('every bad scores argument or file is refused with what to change; no run folder is left', async (t) => {
  if (!numpyOrSkip(t)) return;
  const root = tempDir('import-scores-bad');
  const spec = `idx:${tinyIdxDataset(root)}`;
  const f = (name: string) => path.join(root, name);
  saveNpys({
    [f('two.npy')]: 'np.zeros((6, 2), dtype=np.float32)',
    [f('row.npy')]: 'np.zeros((1, 6), dtype=np.float32)',
    [f('rows.npy')]: 'np.zeros(8, dtype=np.float32)',
    [f('nan.npy')]: 'np.array([0, 1, np.nan, 3, np.nan, 5])',
    [f('huge.npy')]: 'np.array([0, 1, 2, 1e300, 4, 5])',
    [f('int.npy')]: 'np.arange(6)',
    [f('ok.npy')]: 'np.arange(6, dtype=np.float32)',
  });
  const refused = async (scores: string[], ...fragments: string[]) => {
    await assert.rejects(runImportScores({ dataset: spec, scores }, { root }), (e: unknown) => {
      assert.ok(e instanceof InputError, `an InputError, got ${String(e)}`);
      for (const s of fragments) assert.ok(e.message.includes(s), `"${e.message}" lacks "${s}"`);
      return true;
    });
  };
  await refused([f('ok.npy')], 'expected name=file', '--score el2n=el2n.npy');
  await refused([`=${f('ok.npy')}`], 'no name before "="');
  await refused(['s='], 'no file after "="');
  await refused([`my score=${f('ok.npy')}`], '"my score" cannot name a score');
  await refused([`score=${f('ok.npy')}`], '"score" is reserved', 'my_score');
  await refused([`run_0=${f('ok.npy')}`], '"run_0" is reserved');
  await refused([`softmax=${f('ok.npy')}`], '"softmax" is reserved');
  await refused([`a=${f('ok.npy')}`, `a=${f('rows.npy')}`], '"a" is given twice');
  await refused([`s=${f('two.npy')}`], 'two.npy', 'has 2 columns', 'shape (6,) or (6, 1)');
  await refused([`s=${f('row.npy')}`], 'row.npy', '1 rows', 'looks transposed');
  await refused([`s=${f('rows.npy')}`], 'rows.npy', '8 rows', '6 (the training split) or 9 (the training split, then the test split)');
  await refused([`s=${f('nan.npy')}`], 'nan.npy', 'row 2 holds NaN', '2 of 6 rows do');
  await refused([`s=${f('huge.npy')}`], 'huge.npy', 'row 3 holds an infinite value', 'float32');
  await refused([`s=${f('int.npy')}`], 'int.npy', 'int64 values', '.astype(np.float32)');
  await refused([`s=${f('missing.npy')}`], 'missing.npy: file not found');
  assert.deepEqual(listRuns(root), []);
});

test('an imported score table drives a prune sweep like a score run', async (t) => {
  if (!numpyOrSkip(t)) return;
  const root = tempDir('import-scores-prune');
  const file = path.join(root, 'difficulty.npy');
  // One value per MNIST training example, in its order: the training split alone.
  saveNpys({ [file]: 'np.random.default_rng(0).random(60000).astype(np.float32)' });
  const m = await runImportScores({ dataset: 'mnist', scores: [`difficulty=${file}`], name: 'my scores' }, { root });
  assert.equal(m.status, 'done', m.error);
  const sweep = await runPruneSweep(
    { dataset: 'mnist', scoresFrom: m.id, score: 'difficulty', model: 'linear', trainSubset: 200, validation: 0, batchSize: 50, epochs: 1, fractions: [0.5], strategies: ['keep-top'], seeds: 1, backend: 'cpu' },
    { root },
  );
  assert.equal(sweep.status, 'done', sweep.error);
  const table = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', sweep.id, 'prune-sweep.json'), 'utf8')) as { rows: { strategy: string; kept: number }[]; score: string };
  assert.equal(table.score, 'difficulty');
  assert.deepEqual(table.rows.map((r) => [r.strategy, r.kept]), [
    ['full data', 200],
    ['keep-top', 100],
  ]);
  assert.equal(sweep.config.scoresRun, m.id);
});
