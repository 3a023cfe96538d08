import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fitPca, projectPca } from '../../../../src/core/analysis/projection';
import { summarizePredictions, writePredictions, predictionsDir, EMBEDDINGS_FILE } from '../../../../src/core/annotations/predictions';
import { executeCell, type CellOutput, type ExecEnv } from '../../../../src/core/cells/execute';
import { mapSample, MAP_EMBEDDED_THUMBS } from '../../../../src/core/cells/mapCell';
import { mapThumbs } from '../../../../src/core/cells/mapThumbs';
import { cellOutputItems } from '../../../../src/core/cells/outputItems';
import type { MapPayload } from '../../../../src/core/notebook/mime';
import { thumbnailDataUri } from '../../../../src/core/notebook/thumbnail';
import { createRun } from '../../../../src/core/store/runStore';
import { scoresDir, writeNpy, writeScoreTable } from '../../../../src/core/store/scoreFiles';
import { CLASSES, table } from '../notebook/fixtures';
import { mapFeatures, MAP_DIMS } from '../notebook/mapFixture';
import { tempDir } from '../../helpers/paths';

const N = 300;
const t = table(N);

/** A finished score run on disk: an el2n table, predictions (corrupted rows predicted as another class), embeddings. */
function scoreRun(root: string, opts: { embeddings?: boolean; scores?: boolean } = {}): string {
  const run = createRun(root, { kind: 'score', config: { dataset: 'mnist', scores: ['el2n'] }, seeds: {}, versions: {} });
  if (opts.scores !== false) writeScoreTable(scoresDir(run.dir), 'el2n', { name: 'el2n', index: t.index, label: t.labels, score: t.values, perRun: [], extra: { corrupted: Float32Array.from(t.corrupted) } });
  const probs = new Float32Array(N * CLASSES).fill(0.1 / (CLASSES - 1));
  for (let r = 0; r < N; r++) probs[r * CLASSES + t.predicted[r]] = 0.9;
  writePredictions(run.dir, summarizePredictions(t.index, t.labels, [probs], CLASSES), [probs]);
  if (opts.embeddings !== false) writeNpy(path.join(predictionsDir(run.dir), EMBEDDINGS_FILE), mapFeatures(t), [N, MAP_DIMS]);
  run.finish('done');
  return run.id;
}

function env(root: string, images: ExecEnv['images'] = async () => t.images): ExecEnv {
  return { root, trusted: false, images };
}

const mapOf = (out: CellOutput): { payload: MapPayload; summary: string } => {
  assert.equal(out.type, 'payload');
  assert.equal((out as { kind: string }).kind, 'map');
  return out as unknown as { payload: MapPayload; summary: string };
};

test('map cell: PCA of the run\'s embeddings over a seeded sample, with labels, predictions, scores, suspicion and flags', async () => {
  const root = tempDir('map-cell');
  const id = scoreRun(root);
  const [out] = await executeCell(`map run=${id} method=pca color=suspicion points=200 seed=4`, env(root));
  const { payload: p, summary } = mapOf(out);
  assert.equal(p.input, 'embeddings');
  assert.equal(p.dims, MAP_DIMS);
  assert.equal(p.total, N);
  assert.equal(p.color, 'suspicion');
  assert.equal(p.points.x.length, 200);
  // The drawn rows are the seeded sample, in its order; the coordinates are the PCA of those rows.
  const rows = mapSample(N, 200, 4);
  assert.deepEqual(p.points.index, Array.from(rows, (r) => t.index[r]));
  const x = mapFeatures(t);
  const sample = new Float32Array(200 * MAP_DIMS);
  rows.forEach((r, i) => sample.set(x.subarray(r * MAP_DIMS, (r + 1) * MAP_DIMS), i * MAP_DIMS));
  const xy = projectPca(fitPca(sample, 200, MAP_DIMS, 2), sample, 200);
  for (let i = 0; i < 200; i++) {
    assert.ok(Math.abs(p.points.x[i] - xy[2 * i]) <= 1e-4 * Math.abs(xy[2 * i]) + 1e-9, `x of point ${i}`);
    assert.ok(Math.abs(p.points.y[i] - xy[2 * i + 1]) <= 1e-4 * Math.abs(xy[2 * i + 1]) + 1e-9, `y of point ${i}`);
  }
  assert.deepEqual(p.points.label, Array.from(rows, (r) => t.labels[r]));
  assert.deepEqual(p.points.predicted, Array.from(rows, (r) => t.predicted[r]));
  // The model predicts another class than the label exactly for the corrupted rows: they are the flagged ones.
  assert.deepEqual(p.points.flagged, Array.from(rows, (r) => t.corrupted[r]));
  assert.equal(p.flaggedBy, 'confident-learning');
  // suspicion = max other p - p(label): 0.9 - 0.1 / 9 either way round.
  const margin = 0.9 - 0.1 / (CLASSES - 1);
  for (let i = 0; i < 200; i++) assert.ok(Math.abs(p.points.suspicion![i] - (t.corrupted[rows[i]] ? margin : -margin)) < 1e-4, `suspicion of point ${i}`);
  assert.equal(p.score, 'el2n');
  assert.ok(p.points.score!.every((v, i) => Math.abs(v! - t.values[rows[i]]) <= 1e-4 * Math.abs(t.values[rows[i]])));
  // Thumbnails embedded for the points (fewer than the cap here), the dataset's pixels.
  assert.equal(p.thumbs!.length, Math.min(200, MAP_EMBEDDED_THUMBS));
  for (const th of p.thumbs!.slice(0, 5)) assert.equal(th.thumb, thumbnailDataUri(t.images, th.index));
  assert.ok(p.explained![0] > p.explained![1] && p.explained![1] > 0);
  assert.deepEqual(p.source, { runId: id, score: 'el2n' });
  assert.match(summary, /PCA map of a seeded sample of 200 of 300 examples/);
  assert.match(summary, new RegExp(`${p.points.flagged!.reduce((a, v) => a + v, 0)} flagged by confident learning`));
  // The same cell gives the same map; another seed another sample.
  const [again] = await executeCell(`map run=${id} method=pca color=suspicion points=200 seed=4`, env(root));
  assert.deepEqual(mapOf(again).payload, p);
  const [other] = await executeCell(`map run=${id} method=pca points=200 seed=5`, env(root));
  assert.notDeepEqual(mapOf(other).payload.points.index, p.points.index);
  // Output items: our mime type, an SVG fallback with a dot per point, and text.
  const items = await cellOutputItems(out);
  assert.deepEqual(items.map((it) => it.mime), ['application/vnd.datadiet.map+json', 'image/svg+xml', 'text/plain']);
  assert.match((items[2] as { text: string }).text, /PCA of embeddings \(16 features\); a seeded sample of 200 of 300 examples/);
});

test('map cell: UMAP is seeded by the cell; without embeddings the predicted probabilities are mapped, and the output says so', async () => {
  const root = tempDir('map-cell-umap');
  const id = scoreRun(root, { embeddings: false });
  const [a] = await executeCell(`map run=${id} method=umap points=60 seed=1`, env(root));
  const [b] = await executeCell(`map run=${id} method=umap points=60 seed=1`, env(root));
  const pa = mapOf(a).payload;
  assert.deepEqual(pa, mapOf(b).payload);
  assert.equal(pa.input, 'probabilities');
  assert.equal(pa.dims, CLASSES);
  assert.equal(pa.method, 'umap');
  assert.match(mapOf(a).summary, /from its predicted probabilities \(10 classes; the run has no embeddings\)/);
  assert.ok(pa.points.x.every(Number.isFinite) && pa.points.y.every(Number.isFinite));
});

test('map cell: a broken embeddings file, a missing score table and missing images are named, with what to do', async () => {
  const root = tempDir('map-cell-bad');
  const id = scoreRun(root);
  const file = path.join(root, '.datadiet', 'runs', id, 'predictions', EMBEDDINGS_FILE);
  writeNpy(file, new Float32Array(10 * 4), [10, 4]);
  await assert.rejects(executeCell(`map run=${id} method=pca`, env(root)), /embeddings\.npy: 10 rows, but the predictions table has 300 .*score the dataset again/);
  const bad = mapFeatures(t);
  bad[7 * MAP_DIMS + 3] = NaN;
  writeNpy(file, bad, [N, MAP_DIMS]);
  await assert.rejects(executeCell(`map run=${id} method=pca`, env(root)), /embeddings\.npy: row 7, feature 3 is NaN/);
  fs.rmSync(file);
  await assert.rejects(executeCell(`map run=${id} method=pca score=grand`, env(root)), /no score "grand"/);

  const noScores = scoreRun(root, { scores: false });
  await assert.rejects(executeCell(`map run=${noScores} method=pca color=score`, env(root)), /has no score table to colour by: use color=label, predicted or suspicion/);
  // Without images the map is still drawn, without thumbnails, and the summary says why.
  const [out] = await executeCell(`map run=${noScores} method=pca`, env(root, async () => {
    throw new Error('mnist: the IDX files are missing');
  }));
  const m = mapOf(out);
  assert.equal(m.payload.thumbs, undefined);
  assert.equal(m.payload.score, undefined);
  assert.match(m.summary, /no thumbnails: mnist: the IDX files are missing/);
});

test('thumbnails on request: rows inside the dataset of a recorded score run, nothing else', async () => {
  const root = tempDir('map-thumbs');
  const id = scoreRun(root);
  const e = env(root);
  const ok = await mapThumbs({ type: 'requestThumbs', requestId: 'q1', runId: id, indices: [4, 7, 4, 10_000_000] }, e);
  assert.equal(ok.requestId, 'q1');
  assert.deepEqual(ok.thumbs!.map((x) => x.index), [4, 7]);
  assert.equal(ok.thumbs![1].thumb, thumbnailDataUri(t.images, 7));
  const unknown = await mapThumbs({ type: 'requestThumbs', requestId: 'q2', runId: '../../etc', indices: [1] }, e);
  assert.match(unknown.error!, /no run "\.\.\/\.\.\/etc" under \.datadiet\/runs/);
  // Only an exact id of a finished score run: no prefix, no folder, no other kind of run.
  for (const runId of [id.slice(0, 6), path.join(root, '.datadiet', 'runs', id), `${id} `]) {
    assert.match((await mapThumbs({ type: 'requestThumbs', requestId: 'h', runId, indices: [1] }, e)).error!, /no run /, runId);
  }
  const train = createRun(root, { kind: 'train', config: { dataset: 'mnist' }, seeds: {}, versions: {} });
  train.finish('done');
  assert.match((await mapThumbs({ type: 'requestThumbs', requestId: 'h', runId: train.id, indices: [1] }, e)).error!, /is a done train run, not one a map shows/);
  const tooMany = await mapThumbs({ type: 'requestThumbs', requestId: 'q3', runId: id, indices: Array.from({ length: 65 }, (_, i) => i) }, e);
  assert.match(tooMany.error!, /at most 64 thumbnails/);
});
