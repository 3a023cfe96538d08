import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { nearestInPixels } from '../../../../src/core/annotations/neighbours';
import { findScoreRunForManifest, labelSpan, manifestRowSuspects, unscoredManifestLines } from '../../../../src/core/annotations/manifestReview';
import { createRun } from '../../../../src/core/store/runStore';
import { tempDir } from '../../helpers/paths';
import { rankSuspects } from '../../../../src/core/annotations/suspects';
import type { RunSuspects } from '../../../../src/core/annotations/runSuspects';

test('nearest neighbours in pixel space match a full sort, skip the query and respect the candidate list', () => {
  let s = 7;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) % 256;
  const n = 40;
  const images = Uint8Array.from({ length: n * 12 }, rnd);
  const src = { images, shape: [2, 2, 3] as const };
  const cands = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 0);
  const dist = (a: number, b: number) => Array.from({ length: 12 }, (_, t) => (images[a * 12 + t] - images[b * 12 + t]) ** 2).reduce((x, y) => x + y, 0);
  for (const q of [1, 5, 9]) {
    const ref = cands.filter((i) => i !== q).sort((a, b) => dist(q, a) - dist(q, b) || a - b).slice(0, 4);
    assert.deepEqual(nearestInPixels(src, q, cands, 4), ref);
  }
});

test('manifest rows join the run by image path; suspicion follows the label as written now', () => {
  const probs = Float32Array.from([0.05, 0.95, 0.9, 0.1]);
  const label = Int32Array.from([0, 0]);
  const pred = { index: Int32Array.from([0, 1]), label, numClasses: 2, probs, predicted: Int32Array.from([1, 0]), confidence: Float32Array.from([0.95, 0.9]), labelProb: Float32Array.from([0.05, 0.9]), sources: ['/d/img/a.png', '/d/img/b.png'] };
  const s: RunSuspects = { runDir: '/r', predictions: pred, ranking: rankSuspects(pred) };
  const rows = manifestRowSuspects('/d/labels.csv', [
    { path: 'img/a.png', label: 'cat', line: 2 },
    { path: 'img/b.png', label: 'cat', line: 3 },
    { path: 'img/c.png', label: 'dog', line: 4 },
  ], s, ['cat', 'dog']);
  assert.equal(rows.length, 2, 'unscored rows (test split) are skipped');
  // ...and named, so the editor can say why they carry no check.
  const entries = [
    { path: 'img/a.png', label: 'cat', line: 2 },
    { path: './img/c.png', label: 'dog', line: 4 },
    { path: 'img/../img/b.png', label: 'cat', line: 5 },
  ];
  assert.deepEqual(unscoredManifestLines('/d/labels.csv', entries, pred.sources), [4]);
  assert.deepEqual(unscoredManifestLines('/d/labels.csv', entries, undefined), []);
  assert.equal(rows[0].flagged, true);
  assert.equal(rows[0].predictedName, 'dog');
  assert.equal(rows[0].rank, 0);
  assert.deepEqual(rows[0].top.map((t) => t.name), ['dog', 'cat']);
  assert.equal(rows[1].flagged, false);
  // After the user relabels row a to "dog", it is no longer suspect.
  const fixed = manifestRowSuspects('/d/labels.csv', [{ path: 'img/a.png', label: 'dog', line: 2 }], s, ['cat', 'dog']);
  assert.equal(fixed[0].flagged, false);
  assert.equal(path.basename(fixed[0].image), 'a.png');
});

test("a manifest shows its newest audit's suspects (every row, out of sample), else its newest score run's", () => {
  const root = tempDir('manifest-run');
  const manifest = path.join(root, 'data', 'labels.csv');
  const run = (kind: string, at: string, spec = `csv:${manifest}`) => {
    const h = createRun(root, { kind, config: { dataset: spec }, seeds: {}, versions: {} }, new Date(at));
    h.finish('done');
    return h.dir;
  };
  const has = () => true;
  const olderScore = run('score', '2026-01-01T00:00:00Z');
  assert.equal(findScoreRunForManifest(root, manifest, has), olderScore);
  const audit = run('audit', '2026-01-02T00:00:00Z');
  const newerScore = run('score', '2026-01-03T00:00:00Z');
  run('audit', '2026-01-04T00:00:00Z', 'csv:/elsewhere/labels.csv');
  assert.equal(findScoreRunForManifest(root, manifest, has), audit, 'the audit of this manifest, though a score run is newer');
  assert.equal(findScoreRunForManifest(root, manifest, (d) => d !== audit), newerScore, 'an audit without predictions does not count');
});

test("an audit's manifest rows are flagged as confident learning flagged them, until their label changes", () => {
  // Row a: "dog" leads by 0.2 only (under the 0.5 margin), yet reaches the dogs' threshold (0.6): confident learning flags it.
  const probs = Float32Array.from([0.4, 0.6, 0.9, 0.1, 0.95, 0.05, 0.4, 0.6]);
  const label = Int32Array.from([0, 0, 0, 1]);
  const pred = { index: Int32Array.from([0, 1, 2, 3]), label, numClasses: 2, probs, predicted: Int32Array.from([1, 0, 0, 1]), confidence: Float32Array.from([0.6, 0.9, 0.95, 0.6]), labelProb: Float32Array.from([0.4, 0.9, 0.95, 0.6]), sources: ['/d/a.png', '/d/b.png', '/d/c.png', '/d/e.png'], outOfSample: true };
  const ranking = rankSuspects(pred, { method: 'confident-learning', filter: 'confident_learning' });
  assert.equal(ranking.flagged[0], 1);
  const s: RunSuspects = { runDir: '/r', predictions: pred, ranking };
  const [a] = manifestRowSuspects('/d/labels.csv', [{ path: 'a.png', label: 'cat', line: 2 }], s, ['cat', 'dog']);
  assert.ok(a.suspicion < 0.5);
  assert.equal(a.flagged, true, 'flagged by confident learning although the margin is small');
  const [fixed] = manifestRowSuspects('/d/labels.csv', [{ path: 'a.png', label: 'dog', line: 2 }], s, ['cat', 'dog']);
  assert.equal(fixed.flagged, false);
});

test('the label span covers exactly the label on CSV and JSONL lines and quotes replacements as needed', () => {
  const edit = (line: string, fmt: 'csv' | 'jsonl', name: string) => {
    const sp = labelSpan(line, fmt)!;
    return line.slice(0, sp.start) + sp.replacement(name) + line.slice(sp.end);
  };
  assert.equal(edit('img/1.png,3', 'csv', '5'), 'img/1.png,5');
  assert.equal(edit('img/1.png, cat  ', 'csv', 'dog'), 'img/1.png, dog  ');
  assert.equal(edit('"a,b.png","cat, wild"', 'csv', 'dog'), '"a,b.png",dog');
  assert.equal(edit('img/1.png,cat', 'csv', 'big, cat'), 'img/1.png,"big, cat"');
  assert.equal(edit('{"path": "a.png", "label": 3}', 'jsonl', '5'), '{"path": "a.png", "label": 5}');
  assert.equal(edit('{"label": "cat", "path": "a.png"}', 'jsonl', 'dog'), '{"label": "dog", "path": "a.png"}');
  assert.equal(labelSpan('no label here', 'jsonl'), undefined);
});

test('review-queue pixels follow prediction rows: by source file for manifests, by index for binary sets', async () => {
  const fs = await import('node:fs');
  const { rowPixels } = await import('../../../../src/core/annotations/rowPixels');
  const { tempDir, writeGrayPng } = await import('../data/fixtures');
  const { loadDataset } = await import('../../../../src/core/data/load');
  const dir = tempDir('datadiet-rowpx-');
  const files = [0, 1, 2].map((i) => writeGrayPng(path.join(dir, `${i}.png`), 2, 2, () => 10 * (i + 1)));
  fs.writeFileSync(path.join(dir, 'l.csv'), files.map((f, i) => `${path.basename(f)},${i % 2}`).join('\n'));
  const m = await rowPixels({ spec: `csv:${path.join(dir, 'l.csv')}` }, Int32Array.from([5, 9]), [files[2], files[0]]);
  assert.deepEqual(m.shape, [2, 2, 1]);
  assert.deepEqual(Array.from(m.images), [30, 30, 30, 30, 10, 10, 10, 10]);
  assert.equal(m.problems.size, 0);
  const train = (await loadDataset(`csv:${path.join(dir, 'l.csv')}`)).splits.train;
  const b = await rowPixels({ spec: `csv:${path.join(dir, 'l.csv')}` }, Int32Array.from([1, 0]));
  assert.deepEqual(Array.from(b.images.subarray(0, 4)), Array.from(train.images.subarray(4, 8)));
});
