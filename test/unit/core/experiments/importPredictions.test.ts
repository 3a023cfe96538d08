import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runImportPredictions } from '../../../../src/core/experiments/importPredictions';
import { loadRunSuspects } from '../../../../src/core/annotations/runSuspects';
import { EMBEDDINGS_FILE, predictionsDir, readPredictions } from '../../../../src/core/annotations/predictions';
import { loadDataset } from '../../../../src/core/data/load';
import { datasetRows, TEST_SPLIT, TRAIN_SPLIT } from '../../../../src/core/data/datasetRows';
import { readNpy } from '../../../../src/core/store/scoreFiles';
import { rowPixels } from '../../../../src/core/annotations/rowPixels';
import { findScoreRunForManifest, manifestRowSuspects } from '../../../../src/core/annotations/manifestReview';
import { readManifestEntries } from '../../../../src/core/data/manifest';
import { listRuns, readRun } from '../../../../src/core/store/runStore';
import { InputError } from '../../../../src/core/inputError';
import { tinyIdxDataset, write, writePng } from '../data/fixtures';
import { tempDir } from '../../helpers/paths';
import { numpyOrSkip, py, saveNpys } from '../../helpers/numpy';

const CLASSES = ['cat', 'dog', 'fox'];
const PER_CLASS = 6;

/** A flat image folder (3 classes x 6 images, 4x4): no test split of its own, so 1/6 is held out as test. */
function folderDataset(root: string): string {
  const dir = path.join(root, 'pets');
  CLASSES.forEach((c, k) => {
    for (let i = 0; i < PER_CLASS; i++) writePng(path.join(dir, c, `${i}.png`), 4, 4, () => [40 * k + i, 10 * i, 200 - 30 * k]);
  });
  return dir;
}

/** Confident, right predictions in the folder's row order (class folders sorted, files sorted), but `flipped` rows. */
function folderProbs(flipped: ReadonlyMap<number, number>): number[][] {
  return Array.from({ length: CLASSES.length * PER_CLASS }, (_, r) => {
    const label = Math.floor(r / PER_CLASS);
    const want = flipped.get(r) ?? label;
    return CLASSES.map((_, c) => (c === want ? 0.9 : 0.05));
  });
}

test('imported predictions of a held-out folder: rows in the folder order, sources, split column, and confident learning finds the flipped labels', async (t) => {
  if (!numpyOrSkip(t)) return;
  const root = tempDir('import-folder');
  const data = folderDataset(root);
  const flipped = new Map([
    [2, 1],
    [9, 2],
    [16, 0],
  ]);
  const probs = path.join(root, 'probs.npy');
  const emb = path.join(root, 'emb.npy');
  saveNpys({ [probs]: `np.array(${py(folderProbs(flipped))}, dtype=np.float64)`, [emb]: 'np.arange(18 * 5, dtype=np.float32).reshape(18, 5)' });
  const m = await runImportPredictions({ dataset: `folder:${data}`, probs, embeddings: emb, name: 'my model' }, { root });
  assert.equal(m.status, 'done', m.error);
  assert.equal(m.kind, 'score', 'recorded as a score run: every score-run reader reads it');
  const runDir = path.join(root, '.datadiet', 'runs', m.id);
  const imported = m.config.imported as { probs: { file: string; sha256: string; shape: number[]; dtype: string }; embeddings: { file: string }; rows: string };
  assert.equal(imported.probs.file, probs);
  assert.match(imported.probs.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(imported.probs.shape, [18, 3]);
  assert.equal(imported.probs.dtype, 'float64');
  assert.equal(imported.embeddings.file, emb);
  assert.equal(m.config.dataset, `folder:${data}`);
  assert.equal(m.config.name, 'my model');
  assert.equal(m.dataset?.numClasses, 3);
  assert.equal(m.results?.labelIssues, 3);

  const p = readPredictions(runDir)!;
  assert.deepEqual(Array.from(p.index), Array.from({ length: 18 }, (_, r) => r), 'index = dataset row = the folder listing position');
  assert.equal(p.outOfSample, true);
  assert.deepEqual(Array.from(p.label), Array.from({ length: 18 }, (_, r) => Math.floor(r / PER_CLASS)));
  p.sources!.forEach((src, r) => assert.equal(src, path.join(data, CLASSES[Math.floor(r / PER_CLASS)], `${r % PER_CLASS}.png`)));
  // The split column marks the held-out rows as the loader draws them.
  const { info } = await loadDataset(`folder:${data}`);
  const rows = datasetRows(15, 3, info.heldOut);
  assert.deepEqual(Array.from(p.split!), Array.from(rows.split));
  assert.ok(p.split!.includes(TEST_SPLIT) && p.split!.includes(TRAIN_SPLIT));
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(predictionsDir(runDir), 'about.json'), 'utf8')), { outOfSample: true, source: 'import' });
  const e = readNpy(path.join(predictionsDir(runDir), EMBEDDINGS_FILE));
  assert.deepEqual(e.shape, [18, 5]);
  assert.equal(e.data[7 * 5 + 2], 37);

  const s = loadRunSuspects(runDir);
  assert.equal(s.ranking.method, 'confident-learning');
  const issues = Array.from(s.ranking.order.subarray(0, s.ranking.count)).map((r) => p.index[r]);
  assert.deepEqual(issues.sort((a, b) => a - b), [2, 9, 16]);
});


test('a dataset with its own splits takes the training split alone, or train then test; --logits and --in-sample', async (t) => {
  if (!numpyOrSkip(t)) return;
  const root = tempDir('import-idx');
  const spec = `idx:${tinyIdxDataset(root)}`;
  const train = path.join(root, 'train.npy');
  const all = path.join(root, 'all.npy');
  saveNpys({ [train]: 'np.full((6, 3), 1 / 3, dtype=np.float32)', [all]: 'np.asfortranarray(np.arange(27, dtype=np.float32).reshape(9, 3) % 4)' });
  const a = await runImportPredictions({ dataset: spec, probs: train }, { root });
  assert.equal(a.status, 'done', a.error);
  const pa = readPredictions(path.join(root, '.datadiet', 'runs', a.id))!;
  assert.deepEqual(Array.from(pa.index), [0, 1, 2, 3, 4, 5]);
  assert.equal(pa.split, undefined, 'training rows only: no split column');
  assert.equal((a.config.imported as { rows: string }).rows, 'the training split');

  const b = await runImportPredictions({ dataset: spec, probs: all, logits: true, inSample: true }, { root });
  assert.equal(b.status, 'done', b.error);
  const runDir = path.join(root, '.datadiet', 'runs', b.id);
  const pb = readPredictions(runDir)!;
  assert.deepEqual(Array.from(pb.index), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(Array.from(pb.split!), [0, 0, 0, 0, 0, 0, 1, 1, 1]);
  assert.deepEqual(Array.from(pb.label), [0, 1, 2, 0, 1, 2, 2, 1, 0], 'test rows carry the test labels');
  assert.equal(pb.outOfSample, undefined, 'in-sample');
  // Row 1 is [3, 0, 1] as logits (Fortran order read in row order): softmax of it.
  const z = Math.exp(3) + 1 + Math.exp(1);
  assert.ok(Math.abs(pb.probs[3] - Math.exp(3) / z) < 1e-6);
  // In-sample or not, suspects are flagged by confident learning unless the threshold is asked for.
  assert.equal(loadRunSuspects(runDir).ranking.method, 'confident-learning');
  assert.equal(loadRunSuspects(runDir, { method: 'threshold' }).ranking.method, 'threshold');
  // The review queue's pixels of a test row come from the test split (row 7 = test example 1).
  const px = await rowPixels({ spec }, Int32Array.from([1, 7]));
  const test = (await loadDataset(spec)).splits.test;
  assert.deepEqual(Array.from(px.images.subarray(4, 8)), Array.from(test.images.subarray(4, 8)));
  assert.equal(readRun(runDir).manifest?.results?.outOfSample, false);
});

/** The message of a refused import, which also must leave no run folder behind. */
async function refusal(root: string, input: Parameters<typeof runImportPredictions>[0]): Promise<string> {
  const before = listRuns(root).length;
  let message = '';
  await assert.rejects(runImportPredictions(input, { root }), (e: unknown) => {
    assert.ok(e instanceof InputError, `an InputError, got ${String(e)}`);
    message = e.message;
    return true;
  });
  assert.equal(listRuns(root).length, before, 'no run folder is left');
  return message;
}

test('every bad predictions file is refused with the file and what to change; no run folder is left', async (t) => {
  if (!numpyOrSkip(t)) return;
  const root = tempDir('import-bad');
  const spec = `idx:${tinyIdxDataset(root)}`;
  const f = (name: string) => path.join(root, name);
  const ok = 'np.full((6, 3), 1 / 3, dtype=np.float32)';
  saveNpys({
    [f('int.npy')]: 'np.zeros((6, 3), dtype=np.int64)',
    [f('bool.npy')]: 'np.zeros((6, 3), dtype=bool)',
    [f('half.npy')]: 'np.full((6, 3), 1 / 3, dtype=np.float16)',
    [f('complex.npy')]: 'np.zeros((6, 3), dtype=np.complex64)',
    [f('object.npy')]: 'np.array([[0.5, 0.5, 0.0]] * 6, dtype=object)',
    [f('flat.npy')]: 'np.full(18, 1 / 3, dtype=np.float32)',
    [f('cube.npy')]: 'np.full((6, 3, 1), 1 / 3, dtype=np.float32)',
    [f('rows.npy')]: 'np.full((7, 3), 1 / 3, dtype=np.float32)',
    [f('transposed.npy')]: 'np.full((3, 6), 1 / 3, dtype=np.float32)',
    [f('classes.npy')]: 'np.full((6, 4), 0.25, dtype=np.float32)',
    [f('nan.npy')]: 'np.where(np.arange(18).reshape(6, 3) % 7 == 4, np.nan, 1 / 3)',
    [f('inf.npy')]: 'np.where(np.arange(18).reshape(6, 3) == 17, np.inf, 1 / 3)',
    [f('negative.npy')]: 'np.array([[0.5, 0.6, -0.1]] * 6, dtype=np.float32)',
    [f('sums.npy')]: 'np.full((6, 3), 0.3, dtype=np.float32)',
    [f('emb-rows.npy')]: 'np.zeros((5, 4), dtype=np.float32)',
    [f('emb-flat.npy')]: 'np.zeros(6, dtype=np.float32)',
    [f('emb-nan.npy')]: 'np.where(np.arange(24).reshape(6, 4) == 9, np.nan, 0).astype(np.float32)',
    [f('ok.npy')]: ok,
  });
  fs.writeFileSync(f('probs.csv'), '0.5,0.5,0\n');
  const refused = async (input: Parameters<typeof runImportPredictions>[0], ...fragments: string[]) => {
    const m = await refusal(root, { dataset: spec, ...input });
    for (const s of fragments) assert.ok(m.includes(s), `"${m}" lacks "${s}"`);
  };
  await refused({ probs: f('missing.npy') }, 'missing.npy: file not found');
  await refused({ probs: f('probs.csv') }, 'probs.csv', 'not an NPY file', 'np.save');
  await refused({ probs: f('int.npy') }, 'int.npy', "dtype '<i8' is not supported: int64 values", '.astype(np.float32)');
  await refused({ probs: f('bool.npy') }, 'bool.npy', 'bool values', '.astype(np.float32)');
  await refused({ probs: f('half.npy') }, 'half.npy', 'float16 values', '.astype(np.float32)');
  await refused({ probs: f('complex.npy') }, 'complex.npy', 'complex64 values', '.astype(np.float32)');
  await refused({ probs: f('object.npy') }, 'object.npy', 'an object array', '.astype(np.float32)');
  await refused({ probs: f('flat.npy') }, 'flat.npy', 'shape (18) is not a matrix', 'N = 6 (the training split) or 9 (the training split, then the test split)');
  await refused({ probs: f('cube.npy') }, 'cube.npy', 'expected a 1-D or 2-D array', 'reshape');
  await refused({ probs: f('rows.npy') }, 'rows.npy', '7 rows', '6 (the training split) or 9 (the training split, then the test split)', "the dataset's own order");
  await refused({ probs: f('transposed.npy') }, 'transposed.npy', 'looks transposed');
  await refused({ probs: f('classes.npy') }, 'classes.npy', '4 columns', '3 classes');
  await refused({ probs: f('nan.npy') }, 'nan.npy', 'row 1 holds NaN', '2 of 6 rows do');
  await refused({ probs: f('inf.npy') }, 'inf.npy', 'row 5 holds an infinite value');
  await refused({ probs: f('negative.npy') }, 'negative.npy', 'row 0 holds', 'not a probability', '--logits');
  await refused({ probs: f('sums.npy') }, 'sums.npy', 'row 0 sums to 0.9000', '--logits');
  await refused({ probs: f('ok.npy'), embeddings: f('emb-rows.npy') }, 'emb-rows.npy', '5 rows', 'the predictions have 6');
  await refused({ probs: f('ok.npy'), embeddings: f('emb-flat.npy') }, 'emb-flat.npy', 'is not a matrix');
  await refused({ probs: f('ok.npy'), embeddings: f('emb-nan.npy') }, 'emb-nan.npy', 'row 2 holds NaN', '1 of 6 rows do');
  await refused({ probs: f('ok.npy'), dataset: path.join(root, 'nowhere') }, 'nowhere');
});

test('a manifest\'s hints come from imported predictions: rows joined by image path, held-out test rows included', async (t) => {
  if (!numpyOrSkip(t)) return;
  const root = tempDir('import-manifest');
  const data = path.join(root, 'data');
  const names = ['cat', 'dog'];
  const lines = ['path,label'];
  for (let i = 0; i < 12; i++) {
    writePng(path.join(data, `img${i}.png`), 4, 4, () => [20 * i, 100, 50]);
    lines.push(`img${i}.png,${names[i % 2]}`);
  }
  const manifest = write(path.join(data, 'labels.csv'), lines.join('\n') + '\n');
  // Every row predicted as labelled but img5 (a dog predicted a cat) and img10 (a cat predicted a dog).
  const probs = Array.from({ length: 12 }, (_, i) => {
    const predicted = i === 5 ? 0 : i === 10 ? 1 : i % 2;
    return predicted === 0 ? [0.95, 0.05] : [0.05, 0.95];
  });
  const file = path.join(root, 'probs.npy');
  saveNpys({ [file]: `np.array(${py(probs)}, dtype=np.float32)` });
  const m = await runImportPredictions({ dataset: `csv:${manifest}`, probs: file }, { root });
  assert.equal(m.status, 'done', m.error);
  const runDir = findScoreRunForManifest(root, manifest, (d) => readPredictions(d) !== undefined);
  assert.equal(runDir, path.join(root, '.datadiet', 'runs', m.id), 'the manifest finds the imported run');
  const rows = manifestRowSuspects(manifest, readManifestEntries(manifest), loadRunSuspects(runDir!), m.dataset?.classNames);
  assert.equal(rows.length, 12, 'every line, the held-out test rows too');
  assert.deepEqual(rows.filter((r) => r.flagged).map((r) => [r.path, r.predictedName]), [
    ['img5.png', 'cat'],
    ['img10.png', 'dog'],
  ]);
});
