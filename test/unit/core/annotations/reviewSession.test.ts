import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runScores } from '../../../../src/core/experiments/scoreRun';
import { firstOpenPosition, ReviewSession } from '../../../../src/core/annotations/reviewSession';
import { loadRunSuspects } from '../../../../src/core/annotations/runSuspects';
import { loadDataset } from '../../../../src/core/data/load';
import { exampleSize } from '../../../../src/core/data/dataset';
import { ReviewClient } from '../../../../src/engine/reviewClient';
import { distFile, tempDir } from '../../helpers/paths';
import { readNpy, writeNpy } from '../../../../src/core/store/scoreFiles';

/** A small score run of MNIST whose model is barely trained: many suspects, both classes of neighbours present. */
async function scoreRun(): Promise<{ root: string; runDir: string }> {
  const root = tempDir('review');
  const m = await runScores({ dataset: 'mnist', model: 'linear', trainSubset: 500, batchSize: 50, backend: 'cpu', epochs: 1, scoreEpoch: 1, runs: 1, scores: ['el2n'] }, { root });
  assert.equal(m.status, 'done', m.error);
  return { root, runDir: path.join(root, '.datadiet', 'runs', m.id) };
}

const sqDist = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);

test('a review session walks the suspects in ranking order; neighbours are the nearest images of the class', async () => {
  const { root, runDir } = await scoreRun();
  const threshold = 0;
  // The threshold method at 0: every row the model does not prefer its label for, so the queue has several.
  const s = await ReviewSession.open({ runDir, root, threshold, method: 'threshold' });
  const ref = loadRunSuspects(runDir, { threshold, method: 'threshold' });
  const p = ref.predictions;
  const rows = Array.from(ref.ranking.order.subarray(0, ref.ranking.count));
  assert.ok(rows.length >= 3, `${rows.length} suspects`);
  assert.deepEqual(s.index.keys, rows.map((r) => `index:${p.index[r]}`));
  assert.deepEqual(s.index.targets, rows.map((r) => ({ index: p.index[r] })));
  assert.deepEqual(s.index.labels, rows.map((r) => p.label[r]));
  assert.equal(s.index.classes.length, 10);
  assert.match(s.index.file, /annotations\.jsonl$/);

  const train = (await loadDataset('mnist')).splits.train;
  const size = exampleSize(train);
  const img = (i: number) => train.images.subarray(i * size, (i + 1) * size);
  const rowOf = new Map(Array.from(p.index, (i, r) => [i, r]));
  for (const position of [0, 1, rows.length - 1]) {
    const it = s.item(position);
    const r = rows[position];
    assert.equal(it.position, position);
    assert.equal(it.total, rows.length);
    assert.equal(it.index, p.index[r]);
    assert.deepEqual(it.target, { index: p.index[r] });
    assert.equal(it.label, p.label[r]);
    assert.equal(it.predicted, p.predicted[r]);
    assert.ok(it.suspicion >= threshold);
    assert.match(it.image ?? '', /^data:image\/png;base64,/);
    // Claimed neighbours: the closest non-suspect rows labelled like this one, nearest first (brute force).
    const candidates = Array.from(p.index.keys()).filter((q) => q !== r && !ref.ranking.flagged[q] && p.label[q] === p.label[r]);
    const want = candidates
      .map((q) => ({ q, d: sqDist(img(p.index[q]), img(p.index[r])) }))
      .sort((a, b) => a.d - b.d || a.q - b.q)
      .slice(0, 5)
      .map((x) => p.index[x.q]);
    assert.deepEqual(it.claimed.map((n) => n.index), want);
    // A linear model records no embeddings: neighbours are searched in pixel space, and the item says so.
    assert.equal(it.neighbourSpace, 'pixels');
    for (const n of it.predictedNeighbours) assert.equal(p.label[rowOf.get(n.index)!], p.predicted[r]);
  }
  assert.equal(s.item(-3).position, 0);
  assert.equal(s.item(1e9).position, rows.length - 1);
});

test("with the run's embeddings, neighbours are the most cosine-similar examples of the class there; an unreadable file falls back to pixels", async () => {
  const root = tempDir('review-emb');
  const m = await runScores({ dataset: 'mnist', model: 'cnn-small', width: 0.25, trainSubset: 500, batchSize: 50, backend: 'wasm', epochs: 5, scoreEpoch: 5, runs: 1, scores: ['el2n'] }, { root });
  assert.equal(m.status, 'done', m.error);
  const runDir = path.join(root, '.datadiet', 'runs', m.id);
  const ref = loadRunSuspects(runDir, { threshold: 0 });
  const p = ref.predictions;
  const emb = readNpy(path.join(runDir, 'predictions', 'embeddings.npy'));
  const d = emb.shape[1];
  const cos = (a: number, b: number) => {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let j = 0; j < d; j++) {
      const x = emb.data[a * d + j];
      const y = emb.data[b * d + j];
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    return ab / Math.sqrt(aa * bb || 1);
  };
  const s = await ReviewSession.open({ runDir, root, threshold: 0 });
  const it = s.item(0);
  const r = ref.ranking.order[0];
  assert.equal(it.neighbourSpace, 'embeddings');
  assert.equal(it.neighbourProblem, undefined);
  const candidates = Array.from(p.index.keys()).filter((q) => q !== r && !ref.ranking.flagged[q] && p.label[q] === p.label[r]);
  const want = candidates.map((q) => ({ q, c: cos(r, q) })).sort((a, b) => b.c - a.c || a.q - b.q).slice(0, 5);
  assert.equal(want.length, 5, `${ref.ranking.count} of ${p.index.length} rows flagged`);
  assert.deepEqual(it.claimed.map((n) => n.index), want.map((x) => p.index[x.q]));
  it.claimed.forEach((n, j) => assert.ok(Math.abs(n.similarity! - want[j].c) < 1e-3));
  for (const n of it.predictedNeighbours) assert.equal(p.label[p.index.indexOf(n.index)], p.predicted[r]);

  // A file of the wrong length would pair examples with others' vectors: refused, with pixels instead.
  writeNpy(path.join(runDir, 'predictions', 'embeddings.npy'), new Float32Array(3 * d), [3, d]);
  const fallback = (await ReviewSession.open({ runDir, root, threshold: 0 })).item(0);
  assert.equal(fallback.neighbourSpace, 'pixels');
  assert.match(fallback.neighbourProblem!, /embeddings\.npy: 3 rows, but the predictions table has \d+ /);
  assert.equal(fallback.imageProblem, undefined);
  assert.equal(fallback.claimed.length, 5);
});

test('firstOpenPosition: the first undecided suspect from a position on, wrapping; all decided stays put', () => {
  const keys = ['a', 'b', 'c', 'd'];
  assert.equal(firstOpenPosition(keys, new Set()), 0);
  assert.equal(firstOpenPosition(keys, new Set(['a', 'b'])), 2);
  assert.equal(firstOpenPosition(keys, new Set(['d', 'a']), 3), 1);
  assert.equal(firstOpenPosition(keys, new Set(keys), 2), 2);
  assert.equal(firstOpenPosition([], new Set(), 0), 0);
});

test('the review worker answers the extension host: progress, the suspects, items; a missing run is an error, not a hang', async () => {
  const worker = distFile('reviewWorker.js');
  const { root, runDir } = await scoreRun();
  const stages: string[] = [];
  const client = new ReviewClient(worker, (stage) => stages.push(stage));
  try {
    const opened = await client.open(runDir, root, 0);
    assert.ok(opened.index.keys.length > 0);
    assert.ok(stages.some((x) => /predictions/.test(x)) && stages.some((x) => /images/.test(x)), stages.join('; '));
    const [a, b] = await Promise.all([client.item(0), client.item(1)]);
    assert.equal(a.position, 0);
    assert.equal(b.position, 1);
    assert.equal(`index:${a.index}`, opened.index.keys[0]);
  } finally {
    client.dispose();
  }
  const bad = new ReviewClient(worker);
  try {
    await assert.rejects(bad.open(path.join(root, 'no-such-run'), root, 0.5), /manifest|no dataset record|predictions/);
  } finally {
    bad.dispose();
  }
  await assert.rejects(bad.item(0), /closed/);
});
