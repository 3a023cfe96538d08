import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { executeCell, CellError, type CellOutput, type ExecEnv } from '../../../../src/core/cells/execute';
import { listRunInfos } from '../../../../src/core/cells/runRef';
import { diagnoseCell } from '../../../../src/core/cells/diagnose';
import { specAgainst } from '../../../../src/core/cells/importCells';
import { starterCells } from '../../../../src/core/cells/starter';
import { readPredictions } from '../../../../src/core/annotations/predictions';
import { loadDataset } from '../../../../src/core/data/load';
import type { GalleryPayload, HistogramPayload } from '../../../../src/core/notebook/mime';
import { inProcessJobs } from './inProcessJobs';
import { idxBytes, write } from '../data/fixtures';
import { tempDir } from '../../helpers/paths';
import { numpyOrSkip, saveNpys } from '../../helpers/numpy';

/** 6 train and 3 test 2x2 images of 3 classes under root/data/idx. */
function idxDataset(root: string): void {
  const d = path.join(root, 'data', 'idx');
  write(path.join(d, 'train-images-idx3-ubyte'), idxBytes([6, 2, 2], Array.from({ length: 24 }, (_, i) => i * 10)));
  write(path.join(d, 'train-labels-idx1-ubyte'), idxBytes([6], [0, 1, 2, 0, 1, 2]));
  write(path.join(d, 't10k-images-idx3-ubyte'), idxBytes([3, 2, 2], Array.from({ length: 12 }, (_, i) => 250 - i)));
  write(path.join(d, 't10k-labels-idx1-ubyte'), idxBytes([3], [2, 1, 0]));
}

const payload = <T>(o: CellOutput): T => {
  assert.equal(o.type, 'payload');
  return (o as unknown as { payload: T }).payload;
};

test('import cells: files and dataset relative to the workspace; predictions say their issues, scores draw a histogram and a gallery', async (t) => {
  if (!numpyOrSkip(t)) return;
  const root = tempDir('import-cells');
  idxDataset(root);
  saveNpys({
    [path.join(root, 'out', 'probs.npy')]: 'np.log(np.array([[.9,.05,.05],[.05,.9,.05],[.05,.05,.9],[.05,.05,.9],[.05,.9,.05],[.05,.05,.9],[.05,.05,.9],[.05,.9,.05],[.9,.05,.05]]))',
    [path.join(root, 'out', 'hard.npy')]: 'np.array([.1, .2, .3, .9, .2, .1], dtype=np.float32)',
  });
  const executors: unknown[] = [];
  const jobs = inProcessJobs(root);
  const env: ExecEnv = {
    root,
    trusted: true,
    images: async (use) => {
      const { splits, info } = await loadDataset(use.spec);
      return { images: splits.train.images, shape: splits.train.shape, classNames: info.classNames };
    },
    runJob: (job, params, onProgress, signal, executor) => {
      executors.push(executor);
      return jobs(job, params, onProgress, signal, executor);
    },
  };
  const [p] = await executeCell('import-predictions dataset=idx:data/idx probs=out/probs.npy logits=true name=mine', env);
  assert.equal(p.type, 'text');
  assert.match(p.type === 'text' ? p.plain : '', /^Imported 9 predictions \(the training split, then the test split\) into run \S+: 1 label issue, found by confident learning\./);
  const runs = listRunInfos(root);
  assert.equal(runs.length, 1);
  assert.equal(runs[0].config?.dataset, `idx:${path.join(root, 'data', 'idx')}`);
  assert.equal(readPredictions(runs[0].dir)!.index.length, 9);
  assert.deepEqual(executors, [{ executor: 'local', parallel: 1 }], 'imports run locally whatever the executor setting');
  // No score tables to draw: the results notebook points at the review queue, and maps the predictions.
  const starter = starterCells(runs[0]).map((c) => c.source).join('\n');
  assert.match(starter, /Open Review Queue/);
  assert.match(starter, new RegExp(`map umap color=suspicion run=${runs[0].id}`));
  assert.doesNotMatch(starter, /^(histogram|gallery) /m);
  const [map] = await executeCell(`map pca color=suspicion run=${runs[0].id}`, env);
  assert.equal(map.type === 'payload' && map.kind, 'map');
  assert.match(map.type === 'payload' ? map.summary : '', /PCA map of 9 examples .* from its predicted probabilities .* 1 flagged by confident learning/);

  const [h] = await executeCell('import-scores dataset=idx:data/idx scores=hard=out/hard.npy,same=out/hard.npy', env);
  const hist = payload<HistogramPayload>(h);
  assert.equal(hist.score, 'hard');
  assert.equal(hist.counts.flat().reduce((a, b) => a + b, 0), 6);
  const scoresRun = (hist.source as { runId: string }).runId;
  assert.notEqual(scoresRun, runs[0].id);
  const [g] = await executeCell(`gallery hard highest per-class=1 run=${scoresRun}`, env);
  const gallery = payload<GalleryPayload>(g);
  assert.deepEqual(gallery.source, { runId: scoresRun, score: 'hard' });
  assert.deepEqual(gallery.groups.map((x) => x.items.map((i) => i.index)), [[3], [1], [2]], 'the highest of each class');
});

test('import cells: a malformed score pair and a refused file are the cell\'s errors; restricted mode is refused', async (t) => {
  if (!numpyOrSkip(t)) return;
  const root = tempDir('import-cells-bad');
  idxDataset(root);
  saveNpys({ [path.join(root, 'wide.npy')]: 'np.zeros((6, 2), dtype=np.float32)' });
  const env: ExecEnv = { root, trusted: true, images: () => Promise.reject(new Error('no images')), runJob: inProcessJobs(root) };
  await assert.rejects(executeCell('import-scores dataset=idx:data/idx scores=wide.npy', env), (e: Error) => e instanceof CellError && /scores: wide\.npy: expected name=file/.test(e.message));
  await assert.rejects(executeCell('import-scores dataset=idx:data/idx scores=w=wide.npy', env), (e: Error) => e instanceof CellError && /wide\.npy: shape \(6, 2\) has 2 columns/.test(e.message));
  await assert.rejects(executeCell('import-predictions dataset=idx:data/idx probs=p.npy', { ...env, trusted: false }), /Restricted Mode/);
  const d = diagnoseCell('import-predictions probs=p.npy').diagnostics;
  assert.match(d[0]?.message ?? '', /"import-predictions" needs dataset/);
  assert.deepEqual(listRunInfos(root), []);
});

test('specAgainst: dataset paths are the workspace\'s, names stay names', () => {
  assert.equal(specAgainst('mnist', '/w'), 'mnist');
  assert.equal(specAgainst('csv:data/l.csv', '/w'), 'csv:/w/data/l.csv');
  assert.equal(specAgainst('folder:/abs/pets', '/w'), 'folder:/abs/pets');
  assert.equal(specAgainst('data/pets', '/w'), '/w/data/pets');
  assert.equal(specAgainst('cifar10:~/c', '/w'), 'cifar10:~/c');
});
