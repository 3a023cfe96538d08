import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapChart, mapRows } from '../../../../src/core/charts/mapChart';
import { outputItems, SVG_MAP_POINTS, summaryText } from '../../../../src/core/notebook/fallbacks';
import { brushOrder, MAP_BRUSH_CAP, mapBrushGallery, pointsInBox } from '../../../../src/core/notebook/mapBrush';
import { checkMapPayload, mapColorsOf, mapPayload, mapPrefix, mapThumbRows } from '../../../../src/core/notebook/mapPayload';
import { MAX_THUMBS_REQUEST, parseRendererMessage, type MapPayload } from '../../../../src/core/notebook/mime';
import { payloadSpec } from '../../../../src/core/notebook/payloadSpec';
import { assertInert, HOSTILE, itemCount, render, texts } from '../charts/svg';
import { mapCasePayload } from './mapFixture';

const base = () => mapPayload({ method: 'pca', input: 'embeddings', dims: 2, xy: [0, 0, 1, 1, 2, 0.5, -1, 3], index: [10, 11, 12, 13], labels: [0, 1, 1, 0], color: 'label', classNames: ['a', 'b'], total: 4 });

test('map payload: columns rounded for a compact JSON, colourings offered by what the points carry, bad input named', () => {
  const p = mapPayload({
    method: 'umap',
    input: 'probabilities',
    dims: 3,
    xy: [1.234567891, -0.000123456789, 2, 3],
    index: [5, 9],
    labels: [0, 2],
    predicted: [1, 2],
    score: { name: 'el2n', values: [0.123456789, NaN] },
    suspicion: [0.123456, -0.5],
    flagged: { by: 'confident-learning', values: [1, 0] },
    color: 'suspicion',
    classNames: ['x', 'y', 'z'],
    total: 10,
  });
  assert.deepEqual(p.points, { x: [1.2346, 2], y: [-0.00012346, 3], index: [5, 9], label: [0, 2], predicted: [1, 2], score: [0.12346, null], suspicion: [0.1235, -0.5], flagged: [1, 0] });
  assert.deepEqual(mapColorsOf(p), ['label', 'predicted', 'score', 'suspicion']);
  assert.deepEqual(mapColorsOf(base()), ['label']);
  assert.throws(() => mapPayload({ method: 'pca', input: 'embeddings', dims: 2, xy: [0, 0], index: [1], labels: [0], color: 'score', classNames: ['a'], total: 1 }), /colouring by score needs the score of every point/);
  assert.throws(() => mapPayload({ method: 'pca', input: 'embeddings', dims: 2, xy: [0, NaN], index: [3], labels: [0], color: 'label', classNames: ['a'], total: 1 }), /point 0 \(example 3\) has coordinates \(0, NaN\)/);
  assert.throws(() => mapPayload({ method: 'pca', input: 'embeddings', dims: 2, xy: [0, 0], index: [3], labels: [0, 1], color: 'label', classNames: ['a'], total: 1 }), /labels has 2 entries for 1 points/);
  assert.throws(() => mapPayload({ method: 'pca', input: 'embeddings', dims: 2, xy: [0, 0], index: [3], labels: [0], color: 'label', classNames: ['a'], total: 0 }), /total 0 must be an integer >= the 1 points/);
});

test('embedded thumbnails: the most suspicious flagged points first (up to half), then the drawing order', () => {
  const flagged = [0, 1, 0, 1, 1, 0, 0, 0, 0, 0];
  const suspicion = [0, 0.6, 0, 0.9, 0.7, 0, 0, 0, 0, 0];
  assert.deepEqual(mapThumbRows(10, 4, flagged, suspicion), [3, 4, 0, 1]);
  assert.deepEqual(mapThumbRows(10, 7, flagged, suspicion), [3, 4, 1, 0, 2, 5, 6]);
  assert.deepEqual(mapThumbRows(3, 10), [0, 1, 2]);
  assert.deepEqual(mapThumbRows(3, 0), []);
});

test('brushing: the points in the rectangle, flagged and suspicious first, as a gallery grouped by class', () => {
  const p = mapCasePayload(400, { thumbs: 40 });
  const inside = pointsInBox(p, [Infinity, -Infinity].map((v, i) => (i ? Math.max(...p.points.x) : Math.min(...p.points.x))) as [number, number], [Math.max(...p.points.y), Math.min(...p.points.y)]);
  assert.equal(inside.length, 400, 'a box around everything, ends in either order');
  // A box around one half of the x range, checked against a direct filter.
  const mid = (Math.min(...p.points.x) + Math.max(...p.points.x)) / 2;
  const half = pointsInBox(p, [mid, 1e9], [-1e9, 1e9]);
  assert.deepEqual(half, p.points.x.map((x, i) => (x >= mid ? i : -1)).filter((i) => i >= 0));
  const order = brushOrder(p, half, 'label');
  const flaggedFirst = order.findIndex((i) => p.points.flagged![i] === 0);
  assert.ok(order.slice(0, flaggedFirst).every((i) => p.points.flagged![i] === 1));
  assert.ok(order.slice(flaggedFirst).every((i) => p.points.flagged![i] === 0));
  for (let k = 1; k < flaggedFirst; k++) assert.ok(p.points.suspicion![order[k - 1]] >= p.points.suspicion![order[k]]);
  const byScore = brushOrder(p, half, 'score').slice(flaggedFirst);
  for (let k = 1; k < byScore.length; k++) assert.ok(p.points.score![byScore[k - 1]]! >= p.points.score![byScore[k]]!);

  const shown = order.slice(0, MAP_BRUSH_CAP);
  const thumbs = new Map(p.thumbs!.map((t) => [t.index, t.thumb]));
  const g = mapBrushGallery(p, shown, thumbs, half.length);
  assert.equal(g.title, `${half.length} brushed examples, the first ${MAP_BRUSH_CAP} shown`);
  assert.deepEqual(g.groups.map((x) => x.label), [...new Set(shown.map((i) => p.points.label[i]))].sort((a, b) => a - b));
  const items = g.groups.flatMap((x) => x.items);
  assert.equal(items.length, shown.length);
  for (const it of items) {
    const i = p.points.index.indexOf(it.index);
    assert.equal(it.label, p.points.label[i]);
    assert.equal(it.predicted, p.points.predicted![i]);
    assert.equal(it.score, p.points.score![i]);
    assert.equal(it.thumb, thumbs.get(it.index) ?? '');
  }
  assert.equal(g.score, 'el2n');
  assert.deepEqual(g.source, p.source);
});

test('map SVG fallback: a dot per point and a ring per flagged point; large maps draw a uniform prefix; text says what was mapped', async () => {
  const p = mapCasePayload(400, { thumbs: 40 });
  const svg = await render(payloadSpec('map', p));
  const flagged = p.points.flagged!.reduce((a, v) => a + v, 0);
  assert.equal(itemCount(svg, 'symbol'), 400 + flagged);
  const big = mapCasePayload(SVG_MAP_POINTS + 500, { thumbs: 0 });
  const items = await outputItems('map', big);
  const bigSvg = (items[1] as { text: string }).text;
  assert.equal(itemCount(bigSvg, 'symbol'), SVG_MAP_POINTS + mapPrefix(big, SVG_MAP_POINTS).points.flagged!.reduce((a, v) => a + v, 0));
  assert.deepEqual(mapPrefix(big, SVG_MAP_POINTS).points.index, big.points.index.slice(0, SVG_MAP_POINTS));
  const text = summaryText('map', big);
  assert.match(text, /PCA of embeddings \(16 features\); a seeded sample of 3,500 of 10,500 examples; \d+ flagged by threshold \(ringed\)/);
  assert.match(text, /the SVG draws 3,000 of the 3,500 points/);
  assert.match(text, /most suspicious flagged: #\d+ class \d \(pred class \d\)/);
  // Every colouring builds; a colouring the points cannot show is refused.
  for (const color of ['label', 'predicted', 'score', 'suspicion'] as const) assert.ok(mapChart(p, { color, brush: true }));
  assert.throws(() => mapChart(base(), { color: 'suspicion' }), /the points carry no suspicion to colour by/);
});

test('map SVG fallback: hostile class names and titles stay text', async () => {
  const p = mapCasePayload(200, { classNames: Array.from({ length: 10 }, (_, i) => HOSTILE[i % HOSTILE.length] + (i >= HOSTILE.length ? String(i) : '')) });
  p.title = '<script>alert(1)</script>';
  const items = await outputItems('map', p);
  const svg = (items[1] as { text: string }).text;
  assertInert(svg);
  assert.ok(texts(svg).includes('<script>alert(1)</script>, coloured by label'));
  assert.deepEqual(new Set(mapRows(p).map((r) => r.label)).size, 10);
});

test('a map payload whose columns do not line up gets a clear error; thumbnail requests are checked before use', () => {
  const p = structuredClone(base()) as MapPayload;
  p.points.y.pop();
  assert.throws(() => checkMapPayload(p), /points\.y must have one entry per point \(4\), got 3/);
  checkMapPayload(base());
  assert.deepEqual(parseRendererMessage({ type: 'requestThumbs', requestId: 'r', runId: 'run', indices: [1, 2] }), { type: 'requestThumbs', requestId: 'r', runId: 'run', indices: [1, 2] });
  for (const bad of [
    { type: 'requestThumbs', requestId: 'r', runId: 'run', indices: [] },
    { type: 'requestThumbs', requestId: 'r', runId: 'run', indices: [-1] },
    { type: 'requestThumbs', requestId: 'r', runId: 'run', indices: ['1'] },
    { type: 'requestThumbs', requestId: 'r', runId: 7, indices: [1] },
    { type: 'requestThumbs', requestId: 'r', runId: 'run', indices: Array.from({ length: MAX_THUMBS_REQUEST + 1 }, (_, i) => i) },
  ]) {
    assert.equal(parseRendererMessage(bad), undefined, JSON.stringify(bad).slice(0, 80));
  }
});
