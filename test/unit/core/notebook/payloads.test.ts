import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { galleryPayload, selectRows, evenlySpaced } from '../../../../src/core/notebook/galleryPayload';
import { binOf, histogramPayload } from '../../../../src/core/notebook/histogramPayload';
import { pruningCurvePayload, windowSweepPayload } from '../../../../src/core/notebook/sweepPayloads';
import { entropyPayload, heatmapPayload, overlapPayload, scatterPayload } from '../../../../src/core/notebook/analysisPayloads';
import { thumbnailDataUri } from '../../../../src/core/notebook/thumbnail';
import { brushGallery, examplesInRange } from '../../../../src/core/notebook/brush';
import { parseRendererMessage } from '../../../../src/core/notebook/mime';
import { CLASSES, PRUNE_RESULTS, table, WINDOW_RESULTS } from './fixtures';

function decode(uri: string): PNG {
  assert.match(uri, /^data:image\/png;base64,/);
  return PNG.sync.read(Buffer.from(uri.slice('data:image/png;base64,'.length), 'base64'));
}

test('thumbnails are the dataset pixels, losslessly (gray in, gray out)', () => {
  const t = table(50);
  const png = decode(thumbnailDataUri(t.images, 31));
  assert.equal(png.width, 28);
  assert.equal(png.height, 28);
  for (let p = 0; p < 784; p++) assert.equal(png.data[p * 4], t.images.images[31 * 784 + p], `pixel ${p}`);
  assert.throws(() => thumbnailDataUri(t.images, 3 * 50 + 1), /example 151 is not in the dataset \(151 images\)/);
});

test('large color images are box-averaged down to the maximum side', () => {
  const img = new Uint8Array(128 * 128 * 3);
  for (let i = 0; i < 128 * 128; i++) img.set([i % 2 ? 200 : 100, 50, 0], i * 3);
  const png = decode(thumbnailDataUri({ images: img, shape: [128, 128, 3] }, 0, 64));
  assert.equal(png.width, 64);
  // Each output pixel averages 2x2 inputs: columns alternate 100/200, so red is 150 everywhere.
  assert.equal(png.data[0], 150);
  assert.equal(png.data[1], 50);
});

test('gallery lowest/highest per class match a brute-force sort, with dataset indices and predictions', () => {
  const t = table(600);
  for (const mode of ['lowest', 'highest'] as const) {
    const g = galleryPayload({ score: 'el2n', values: t.values, labels: t.labels, index: t.index, predicted: t.predicted, corrupted: t.corrupted, thumbs: t.images, selection: { mode, perClass: 5 } });
    assert.equal(g.groups.length, CLASSES);
    for (const grp of g.groups) {
      const rows = [...t.labels.keys()].filter((r) => t.labels[r] === grp.label);
      rows.sort((a, b) => (mode === 'lowest' ? t.values[a] - t.values[b] : t.values[b] - t.values[a]));
      assert.deepEqual(grp.items.map((it) => it.index), rows.slice(0, 5).map((r) => t.index[r]));
      assert.equal(grp.matched, rows.length);
      for (const it of grp.items) {
        const r = (it.index - 1) / 3;
        assert.equal(it.predicted, t.predicted[r]);
        assert.equal(it.corrupted, t.corrupted[r] === 1);
        assert.equal(it.score, t.values[r]);
      }
    }
    assert.equal(g.groups[3].className, '3');
  }
});

test('percentile band holds exactly the examples between the two percentiles (numpy linear)', () => {
  const t = table(1000);
  const g = galleryPayload({ score: 'el2n', values: t.values, labels: t.labels, thumbs: t.images, index: t.index, selection: { mode: 'percentile', lo: 90, hi: 100 } });
  const sorted = [...t.values].sort((a, b) => a - b);
  const q = 0.9 * (sorted.length - 1);
  const lo = sorted[Math.floor(q)] + (q - Math.floor(q)) * (sorted[Math.ceil(q)] - sorted[Math.floor(q)]);
  const expected = [...t.values.keys()].filter((r) => t.values[r] >= lo).map((r) => t.index[r]).sort((a, b) => a - b);
  const got = g.groups.flatMap((grp) => grp.items.map((it) => it.index)).sort((a, b) => a - b);
  assert.deepEqual(got, expected);
  assert.ok(got.length >= 99 && got.length <= 101);
});

test('a score range capped per class spreads the picks over the range, ends included', () => {
  const t = table(1000);
  const g = galleryPayload({ score: 'el2n', values: t.values, labels: t.labels, thumbs: t.images, selection: { mode: 'range', lo: 0.2, hi: 0.8, perClass: 4 } });
  for (const grp of g.groups) {
    const all = selectRows({ values: t.values, labels: t.labels, selection: { mode: 'range', lo: 0.2, hi: 0.8 } }).get(grp.label)!;
    assert.equal(grp.matched, all.length);
    assert.deepEqual(grp.items.map((it) => it.score), evenlySpaced(all, 4).map((r) => t.values[r]));
    assert.equal(grp.items[0].score, t.values[all[0]]);
    assert.equal(grp.items[3].score, t.values[all[all.length - 1]]);
    for (const it of grp.items) assert.ok(it.score >= 0.2 && it.score <= 0.8);
  }
});

test('maxItems caps a 10,000-example gallery in proportion to each class', () => {
  const t = table(3000);
  const g = galleryPayload({ score: 'el2n', values: t.values, labels: t.labels, thumbs: () => 'data:image/png;base64,AAAA', selection: { mode: 'percentile', lo: 0, hi: 100 }, maxItems: 1000 });
  const shown = g.groups.reduce((a, grp) => a + grp.items.length, 0);
  assert.ok(shown <= 1000 && shown >= 990, `${shown}`);
  assert.equal(g.groups.reduce((a, grp) => a + grp.matched, 0), 3000);
});

test('gallery input errors name the problem', () => {
  const t = table(20);
  assert.throws(() => galleryPayload({ score: 's', values: t.values, labels: t.labels, thumbs: t.images, selection: { mode: 'percentile', lo: 50, hi: 120 } }), /percentiles are in \[0, 100\]/);
  assert.throws(() => galleryPayload({ score: 's', values: t.values, labels: t.labels, thumbs: t.images, selection: { mode: 'lowest', perClass: 0 } }), /perClass must be a positive integer/);
  assert.throws(() => galleryPayload({ score: 's', values: t.values, labels: t.labels.slice(1), thumbs: t.images, selection: { mode: 'lowest', perClass: 1 } }), /20 scores but 19 labels/);
});

test('histogram payload: counts per class and per noise group agree with a direct count', () => {
  const t = table(1000);
  const byClass = histogramPayload({ score: 'EL2N', values: t.values, labels: t.labels, split: 'class', bins: 20 });
  assert.equal(byClass.groups.length, CLASSES);
  for (let c = 0; c < CLASSES; c++) {
    for (let b = 0; b < 20; b++) {
      const lo = byClass.edges[b];
      const hi = byClass.edges[b + 1];
      const want = [...t.values.keys()].filter((r) => t.labels[r] === c && t.values[r] >= lo && (b === 19 ? t.values[r] <= hi : t.values[r] < hi)).length;
      assert.equal(byClass.counts[c][b], want, `class ${c} bin ${b}`);
    }
  }
  const noise = histogramPayload({ score: 'EL2N', values: t.values, split: { name: 'corrupted', member: t.corrupted, rest: 'clean' } });
  assert.deepEqual(noise.groups, ['clean', 'corrupted']);
  assert.equal(noise.counts[1].reduce((a, c) => a + c, 0), t.corrupted.reduce((a, c) => a + c, 0));
});

test('histogram examples: every non-empty bin is represented, at most perBin each', () => {
  const t = table(2000);
  const h = histogramPayload({ score: 'EL2N', values: t.values, labels: t.labels, index: t.index, examples: { thumbs: t.images, perBin: 3, predicted: t.predicted } });
  const perBin = new Array(h.edges.length - 1).fill(0);
  for (const ex of h.examples!) perBin[binOf(h.edges, ex.score)]++;
  h.counts[0].forEach((c, b) => assert.equal(perBin[b], Math.min(3, c), `bin ${b}`));
  assert.equal(h.examplesTotal, 2000);
  assert.deepEqual(h.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
});

test('brushing: the embedded examples in range, grouped per class, and the bins\' count estimate', () => {
  const t = table(2000);
  const h = histogramPayload({ score: 'EL2N', values: t.values, labels: t.labels, examples: { thumbs: t.images, perBin: 1000 } });
  const g = brushGallery(h, 0.5, 0.3);
  const want = [...t.values].filter((v) => v >= 0.3 && v <= 0.5).length;
  assert.equal(g.groups.reduce((a, grp) => a + grp.items.length, 0), want);
  for (const grp of g.groups) for (const it of grp.items) assert.equal(it.label, grp.label);
  assert.deepEqual(g.selection, { mode: 'range', lo: 0.3, hi: 0.5 });
  // Whole-range estimate is exact; a partial one is within the two cut bins.
  assert.equal(examplesInRange(h, h.edges[0], h.edges[h.edges.length - 1]), 2000);
  const maxBin = Math.max(...h.counts[0]);
  assert.ok(Math.abs(examplesInRange(h, 0.3, 0.5) - want) <= 2 * maxBin);
});

test('pruning curve payload from prune-sweep.json rows: per-strategy seeds and full data', () => {
  const p = pruningCurvePayload(PRUNE_RESULTS);
  assert.deepEqual(p.series.map((s) => s.name), ['keep-top', 'random']);
  assert.deepEqual(p.series[0].points.map((q) => q.fractionPruned), [0.3, 0.5, 0.7]);
  assert.equal(p.series[0].points[1].accuracies.length, 3);
  assert.deepEqual(p.fullData, [0.95, 0.952, 0.954]);
  assert.equal(pruningCurvePayload({ ...PRUNE_RESULTS, partial: true }).partial, true);
  assert.throws(() => pruningCurvePayload({ rows: PRUNE_RESULTS.rows.slice(0, 1), partial: true }), /no pruned trainings.*cancelled/);
});

test('window sweep payload keeps seeds and the best window', () => {
  const p = windowSweepPayload(WINDOW_RESULTS);
  assert.equal(p.n, 1000);
  assert.equal(p.size, 400);
  assert.equal(p.points.length, 7);
  assert.deepEqual(p.best, { offset: 600 });
  assert.deepEqual(p.points[2].test, WINDOW_RESULTS.points[2].test);
});

test('scatter, curves and heatmap payloads: NaN becomes null, indices are dataset indices', () => {
  const t = table(500);
  const s = scatterPayload({ x: { name: 'EL2N', values: t.values }, y: { name: 'pred', values: Float32Array.from(t.values, (v) => 2 * v) }, index: t.index, maxPoints: 100 });
  assert.equal(s.points.length, 100);
  assert.ok(Math.abs((s.spearman ?? 0) - 1) < 1e-12);
  for (const q of s.points) assert.equal((q.index - 1) % 3, 0);
  const flat = scatterPayload({ x: { name: 'a', values: [1, 1, 1] }, y: { name: 'b', values: [1, 2, 3] } });
  assert.equal(flat.spearman, null);
  const e = entropyPayload([{ name: 'EL2N', values: t.values }], t.labels, [10, 100, 500]);
  assert.equal(e.series[0].y.length, 3);
  assert.ok(Math.abs((e.baseline!.y as number) - Math.log(10)) < 1e-9);
  const o = overlapPayload([{ a: { name: 'EL2N', values: t.values }, b: { name: 'twice', values: Float32Array.from(t.values, (v) => 2 * v) } }], [10, 100]);
  assert.deepEqual(o.series[0].y, [1, 1]);
  const h = heatmapPayload({ examples: [4, 7], epochs: [1, 2], values: [[1, NaN], [2, 3]] });
  assert.deepEqual(h.values, [[1, null], [2, 3]]);
});

test('renderer messages are checked before the extension acts on them', () => {
  assert.deepEqual(parseRendererMessage({ type: 'annotate', runId: 'r1', index: 5, action: 'relabel', label: 3, extra: 'dropped' }), { type: 'annotate', runId: 'r1', index: 5, action: 'relabel', label: 3 });
  assert.equal(parseRendererMessage({ type: 'annotate', runId: 'r1', index: 5, action: 'relabel' }), undefined);
  assert.equal(parseRendererMessage({ type: 'annotate', runId: 'r1', index: -1, action: 'flag' }), undefined);
  assert.equal(parseRendererMessage({ type: 'annotate', runId: 'r1', index: 1, action: 'delete' }), undefined);
  assert.deepEqual(parseRendererMessage({ type: 'requestRange', requestId: 'a', runId: 'r', score: 'el2n', lo: 0.1, hi: 0.2 }), { type: 'requestRange', requestId: 'a', runId: 'r', score: 'el2n', lo: 0.1, hi: 0.2 });
  assert.equal(parseRendererMessage({ type: 'requestRange', requestId: 'a', runId: 'r', score: 'el2n', lo: 0.3, hi: 0.2 }), undefined);
  assert.equal(parseRendererMessage('annotate'), undefined);
});

test('a brushed range request is answered from the full table, capped, addressed to the request', async () => {
  const { answerRangeRequest } = await import('../../../../src/core/notebook/rangeRequest');
  const t = table(3000);
  const req = { type: 'requestRange' as const, requestId: 'r7', runId: 'run-1', score: 'el2n', lo: 0.2, hi: 0.6 };
  const reply = answerRangeRequest(req, { values: t.values, labels: t.labels, index: t.index, thumbs: t.images, predicted: t.predicted, maxItems: 300 });
  assert.equal(reply.requestId, 'r7');
  const g = reply.gallery!;
  assert.deepEqual(g.source, { runId: 'run-1', score: 'el2n' });
  const inRange = [...t.values].filter((v) => v >= 0.2 && v <= 0.6).length;
  assert.equal(g.groups.reduce((a, grp) => a + grp.matched, 0), inRange);
  const shown = g.groups.reduce((a, grp) => a + grp.items.length, 0);
  assert.ok(shown <= 300 && shown >= 290, `${shown}`);
  const bad = answerRangeRequest({ ...req, lo: NaN }, { values: t.values, labels: t.labels, thumbs: t.images });
  assert.match(bad.error!, /range needs finite lo <= hi/);
  assert.equal(bad.gallery, undefined);
});
