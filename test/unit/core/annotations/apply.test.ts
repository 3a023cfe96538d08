import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyAnnotations, applyAnnotationsToSplits, exportCleanedManifest, resolveLabel } from '../../../../src/core/annotations/apply';
import { AnnotationStore } from '../../../../src/core/annotations/annotationStore';
import { makeEntry } from '../../../../src/core/annotations/annotationEntry';
import { prepareData } from '../../../../src/core/experiments/experimentData';
import { annotationTarget } from '../../../../src/core/annotations/annotationTarget';
import { applyGalleryAction } from '../../../../src/core/annotations/galleryAction';
import { idxBytes, tempDir, write, writeGrayPng } from '../data/fixtures';

test('labels resolve from indices and class names, with errors naming the entry', () => {
  const space = { numClasses: 3, classNames: ['cat', 'dog', 'fox'] };
  assert.equal(resolveLabel('dog', space, 'a.jsonl', 'entry e1'), 1);
  assert.equal(resolveLabel(2, space, 'a.jsonl', 'entry e1'), 2);
  assert.throws(() => resolveLabel('cow', space, 'a.jsonl', 'entry e1'), { name: 'DataFormatError', message: /^a\.jsonl: entry e1, field "newLabel": label "cow" is not a class of this dataset \(cat, dog, fox\) \(relabel to a class index 0\.\.2 or a class name/ });
  assert.throws(() => resolveLabel(3, { numClasses: 3 }, 'a.jsonl', 'entry e2'), { name: 'DataFormatError', message: /^a\.jsonl: entry e2, field "newLabel": label 3 is outside 0\.\.2 \(relabel to a class index 0\.\.2/ });
});

test('the newest decision per example applies: relabel, exclude, ok undoes a relabel; unknown examples are listed', () => {
  const t = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
  const entries = [
    makeEntry({ index: 0, action: 'relabel', newLabel: 2, time: t(1) }),
    makeEntry({ index: 1, action: 'relabel', newLabel: 2, time: t(1) }),
    makeEntry({ index: 1, action: 'ok', time: t(2) }),
    makeEntry({ index: 2, action: 'exclude', time: t(1) }),
    makeEntry({ index: 3, action: 'flag', time: t(1) }),
    makeEntry({ index: 50, action: 'exclude', time: t(1) }),
  ];
  const a = applyAnnotations({ labels: Int32Array.from([0, 1, 1, 0]), numClasses: 3 }, entries, '/x');
  assert.deepEqual(Array.from(a.labels), [2, 1, 1, 0]);
  assert.deepEqual(Array.from(a.excluded), [0, 0, 1, 0]);
  assert.equal(a.relabeled, 1);
  assert.deepEqual(a.unmatched, ['index:50']);
});

function digitManifest(): { dir: string; manifest: string } {
  const dir = tempDir('datadiet-ann-apply-');
  const rows = ['path,label'];
  for (let i = 0; i < 12; i++) {
    writeGrayPng(path.join(dir, 'img', `${i}.png`), 4, 4, (x, y) => (x + y + i) * 10);
    rows.push(`img/${i}.png,${i % 2 ? 'odd' : 'even'}`);
  }
  const manifest = path.join(dir, 'labels.csv');
  fs.writeFileSync(manifest, rows.join('\n') + '\n');
  return { dir, manifest };
}

test('experiments use corrected labels and drop excluded examples (--annotations)', async () => {
  const { dir, manifest } = digitManifest();
  const before = await prepareData({ dataset: `csv:${manifest}`, validation: 0, seed: 0 });
  const src = before.train.sources!;
  const rel = (i: number) => path.relative(dir, src[i]).split(path.sep).join('/');
  const file = path.join(dir, 'annotations.jsonl');
  // Relabel train example 0 to the other class (by name) and exclude train example 1.
  const other = before.train.labels[0] === 0 ? 'odd' : 'even';
  new AnnotationStore(file).append([
    { path: rel(0), action: 'relabel', newLabel: other },
    { path: rel(1), action: 'exclude' },
  ]);
  const after = await prepareData({ dataset: `csv:${manifest}`, validation: 0, seed: 0, annotations: file });
  assert.equal(after.train.labels[0], 1 - before.train.labels[0]);
  assert.deepEqual(Array.from(after.trainIndices), Array.from(before.trainIndices).filter((i) => i !== 1));
  assert.ok(after.info.notes.some((n) => /1 relabeled, 1 excluded/.test(n)));
  await assert.rejects(() => prepareData({ dataset: `csv:${manifest}`, validation: 0, seed: 0, annotations: path.join(dir, 'nope.jsonl') }), /nope\.jsonl: annotations file not found/);
  fs.appendFileSync(file, 'garbage\n');
  await assert.rejects(() => prepareData({ dataset: `csv:${manifest}`, validation: 0, seed: 0, annotations: file }), /annotations\.jsonl:3: not valid JSON/);
});

test('annotations fix injected noise: fixed examples no longer count as corrupted', async () => {
  const { dir, manifest } = digitManifest();
  const noisy = await prepareData({ dataset: `csv:${manifest}`, validation: 0, seed: 0, labelNoise: 0.5, noiseSeed: 1 });
  const bad = Array.from(noisy.corrupted!.entries()).filter(([, c]) => c).map(([i]) => i);
  assert.ok(bad.length > 0);
  const file = path.join(dir, 'annotations.jsonl');
  const fix = bad[0];
  new AnnotationStore(file).append([{ path: path.relative(dir, noisy.train.sources![fix]), action: 'relabel', newLabel: noisy.cleanLabels[fix] }]);
  const fixed = await prepareData({ dataset: `csv:${manifest}`, validation: 0, seed: 0, labelNoise: 0.5, noiseSeed: 1, annotations: file });
  assert.equal(fixed.corrupted![fix], 0);
  assert.equal(fixed.corrupted!.reduce((s, v) => s + v, 0), bad.length - 1);
});

test('a cleaned manifest keeps paths, writes names as names, drops excluded rows, and never overwrites its source', () => {
  const { dir, manifest } = digitManifest();
  const entries = [makeEntry({ path: 'img/0.png', action: 'relabel', newLabel: 'odd' }), makeEntry({ path: 'img/3.png', action: 'exclude' }), makeEntry({ path: 'img/5.png', action: 'relabel', newLabel: 0 })];
  const out = path.join(dir, 'clean.csv');
  const r = exportCleanedManifest(manifest, entries, dir, out);
  assert.deepEqual({ kept: r.kept, relabeled: r.relabeled, excluded: r.excluded }, { kept: 11, relabeled: 2, excluded: 1 });
  const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'path,label');
  assert.equal(lines[1], 'img/0.png,odd');
  assert.ok(!lines.includes('img/3.png,odd'));
  assert.ok(lines.includes('img/5.png,even'));
  assert.throws(() => exportCleanedManifest(manifest, entries, dir, manifest), /must not overwrite its source/);
});

test('gallery actions land in the dataset\'s annotations, by path for manifests and by index for binary sets', () => {
  const { dir, manifest } = digitManifest();
  const t = annotationTarget(dir, { spec: `csv:${manifest}`, name: 'labels', fingerprint: 'f'.repeat(64) }, (i) => path.join(dir, 'img', `${i}.png`));
  assert.equal(t.file, path.join(dir, 'annotations.jsonl'));
  const store = new AnnotationStore(t.file);
  const reply = applyGalleryAction(store, t, { type: 'annotate', runId: 'r1', index: 4, action: 'relabel', label: 1, originalLabel: 0 });
  assert.equal(reply.error, undefined);
  const e = store.read().entries[0];
  assert.deepEqual({ path: e.path, action: e.action, newLabel: e.newLabel, originalLabel: e.originalLabel }, { path: 'img/4.png', action: 'relabel', newLabel: 1, originalLabel: 0 });
  const b = annotationTarget('/ws', { spec: 'mnist', name: 'mnist/train', fingerprint: 'abcdef0123456789' });
  assert.equal(b.file, '/ws/.datadiet/annotations/mnist_train-abcdef012345/annotations.jsonl');
  assert.deepEqual(b.keyOf(7), { index: 7 });
});

test('both splits: paths name either split; an index names a test row only where the dataset has splits of its own', () => {
  const train = { labels: Int32Array.from([0, 1, 0]), numClasses: 2, sources: ['/d/a.png', '/d/b.png', '/d/c.png'] };
  const test = { labels: Int32Array.from([1, 0]), numClasses: 2, sources: ['/d/t0.png', '/d/t1.png'] };
  const entries = [
    makeEntry({ path: 'b.png', action: 'exclude' }),
    makeEntry({ path: 't0.png', action: 'relabel', newLabel: 0 }),
    makeEntry({ index: 4, action: 'exclude' }),
  ];
  const held = applyAnnotationsToSplits(train, test, entries, '/d', 'annotations.jsonl', false);
  assert.deepEqual(Array.from(held.train.excluded), [0, 1, 0]);
  assert.deepEqual(Array.from(held.train.labels), [0, 1, 0], 'train labels as they were');
  assert.deepEqual(Array.from(held.test.labels), [0, 0]);
  assert.deepEqual(Array.from(held.test.excluded), [0, 0], 'a held-out test split is named by path only');
  assert.deepEqual(held.unmatched, ['index:4']);
  assert.equal(held.test.relabeled, 1);
  const own = applyAnnotationsToSplits(train, test, entries, '/d', 'annotations.jsonl', true);
  assert.deepEqual(Array.from(own.test.excluded), [0, 1], 'row 4 is test example 1');
  assert.deepEqual(own.unmatched, []);
  const old = applyAnnotations(train, entries, '/d');
  assert.deepEqual(Array.from(old.labels), Array.from(own.train.labels), 'the train split gets what it got before');
  assert.deepEqual(Array.from(old.excluded), Array.from(own.train.excluded));
});

test('experiments evaluate on the corrected test split: relabeled test labels, excluded test examples left out', async () => {
  const { dir, manifest } = digitManifest();
  const before = await prepareData({ dataset: `csv:${manifest}`, validation: 0, seed: 0 });
  assert.deepEqual(Array.from(before.testIndices), [0, 1]);
  const rel = (s: string) => path.relative(dir, s).split(path.sep).join('/');
  const file = path.join(dir, 'annotations.jsonl');
  const flipped = 1 - before.test.labels[0];
  new AnnotationStore(file).append([
    { path: rel(before.test.sources![0]), action: 'relabel', newLabel: flipped },
    { path: rel(before.test.sources![1]), action: 'exclude' },
  ]);
  const after = await prepareData({ dataset: `csv:${manifest}`, validation: 0, seed: 0, annotations: file });
  assert.deepEqual(Array.from(after.testIndices), [0]);
  assert.deepEqual(Array.from(after.test.labels), [flipped]);
  assert.deepEqual(after.test.sources, [before.test.sources![0]]);
  assert.equal(after.record.testSize, 1);
  assert.deepEqual(Array.from(after.trainIndices), Array.from(before.trainIndices), 'the train split is untouched');
  assert.deepEqual(Array.from(after.train.labels), Array.from(before.train.labels));
  assert.ok(after.info.notes.some((n) => /0 relabeled, 0 excluded; test split: 1 relabeled, 1 excluded/.test(n)), after.info.notes.join('\n'));
});

test('a binary dataset\'s test rows are annotated by index: trainCount + j', async () => {
  const dir = tempDir('datadiet-ann-idx-');
  const split = (stem: string, n: number) => {
    write(path.join(dir, `${stem}-images-idx3-ubyte`), idxBytes([n, 2, 2], Array.from({ length: 4 * n }, (_, i) => i % 251)));
    write(path.join(dir, `${stem}-labels-idx1-ubyte`), idxBytes([n], Array.from({ length: n }, (_, i) => i % 2)));
  };
  split('train', 4);
  split('t10k', 3);
  const file = path.join(dir, 'ann', 'annotations.jsonl');
  fs.mkdirSync(path.dirname(file));
  new AnnotationStore(file).append([{ index: 5, action: 'relabel', newLabel: 0 }, { index: 6, action: 'exclude' }, { index: 0, action: 'exclude' }]);
  const d = await prepareData({ dataset: `idx:${dir}`, validation: 0, seed: 0, annotations: file });
  assert.deepEqual(Array.from(d.trainIndices), [1, 2, 3]);
  assert.deepEqual(Array.from(d.testIndices), [0, 1]);
  assert.deepEqual(Array.from(d.test.labels), [0, 0], 'test example 1 (row 5) relabeled to 0; test example 2 (row 6) excluded');
});
