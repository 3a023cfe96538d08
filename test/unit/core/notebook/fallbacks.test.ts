import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gallerySvg, ipynbData, outputItems, summaryText } from '../../../../src/core/notebook/fallbacks';
import { MIME, type GalleryPayload, type HistogramPayload } from '../../../../src/core/notebook/mime';
import { payloadSpec, themedSpec, withBrush } from '../../../../src/core/notebook/payloadSpec';
import { compileSpec, renderSvg } from '../../../../src/core/charts/render';
import { assertInert, dataMarks, HOSTILE, itemCount, render, texts } from '../charts/svg';
import { payloadCases } from './payloadCases';

/** Marks each chart kind must draw. */
const EXPECTED: Record<string, string[]> = {
  histogram: ['rect'],
  pruningCurve: ['area', 'line', 'symbol', 'rule'],
  windowSweep: ['area', 'line', 'rule'],
  heatmap: ['rect'],
  scatter: ['symbol'],
  curves: ['line'],
  trainingCurves: ['line', 'symbol'],
  confusionMatrix: ['rect', 'text'],
  map: ['symbol'],
};

test('every chart payload renders to an SVG with its marks, and its spec compiles without warnings', async () => {
  for (const c of payloadCases()) {
    if (c.kind === 'gallery') continue;
    const svg = await render(payloadSpec(c.kind, c.payload));
    const marks = dataMarks(svg);
    for (const m of EXPECTED[c.kind]) assert.ok(marks.includes(m), `${c.name}: no ${m} mark in ${marks.join(', ')}`);
  }
});

test('histogram bars: one rect per non-empty bin and group; a class split draws every class', async () => {
  const c = payloadCases().find((x) => x.name === 'histogram by class, normalized')!;
  const h = c.payload as HistogramPayload;
  const svg = await render(payloadSpec('histogram', h));
  assert.equal(itemCount(svg, 'rect'), h.counts.flat().filter((n) => n > 0).length);
  for (const g of h.groups) assert.ok(texts(svg).includes(g), `legend ${g}`);
});

test('the brushable histogram still renders (an interval selection over x)', async () => {
  const c = payloadCases().find((x) => x.name === 'histogram by noise, with examples')!;
  const spec = withBrush(payloadSpec('histogram', c.payload as HistogramPayload));
  const { warnings, vega } = await compileSpec(spec);
  assert.deepEqual(warnings, []);
  assert.ok(JSON.stringify(vega.signals).includes('"brush_x"'), 'brush signal');
  const svg = await renderSvg(spec);
  assert.ok(dataMarks(svg).includes('rect'));
  for (const kind of ['light', 'dark', 'high-contrast', 'high-contrast-light'] as const) await render(themedSpec('histogram', c.payload as HistogramPayload, kind, { brush: true }));
});

test('output items: our mime first, then SVG and text; JSON payload as is, ready for .ipynb', async () => {
  for (const c of payloadCases()) {
    const items = await outputItems(c.kind, c.payload);
    assert.deepEqual(items.map((i) => i.mime), [MIME[c.kind], 'image/svg+xml', 'text/plain']);
    const data = ipynbData(items);
    assert.equal(data[MIME[c.kind]], c.payload);
    assert.match(data['image/svg+xml'] as string, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok((data['text/plain'] as string).length > 10, c.name);
  }
});

test('text summaries say what the chart shows', () => {
  const cases = payloadCases();
  const prune = cases.find((c) => c.kind === 'pruningCurve')!;
  const text = summaryText(prune.kind, prune.payload);
  assert.match(text, /full data: 95\.2% \[95\.\d%-95\.\d%\] \(3 seeds\)/);
  assert.match(text, /keep-top: 30\.0% pruned 9\d\.\d%/);
  const gal = cases.find((c) => c.name === 'gallery lowest')!;
  assert.match(summaryText(gal.kind, gal.payload), /^Examples with the lowest el2n, 6 per class\n0: 6 of 100: #\d+ /);
  const dup = cases.find((c) => c.name === 'gallery of duplicates')!;
  assert.match(summaryText(dup.kind, dup.payload), /\ngroup 1 · near copies \[train\/test leakage, label conflict\]: 2 of 2: #3 1\.00, #1003 0\.993\ngroup 2 · exact copies: 3 of 3/);
  const tc = cases.find((c) => c.kind === 'trainingCurves')!;
  assert.match(summaryText(tc.kind, tc.payload), /\n4: train 0\.2500 \/ 94\.0%, validation 0\.2750 \/ 92\.6%, test 0\.3000 \/ 92\.3%/);
  const cm = cases.find((c) => c.kind === 'confusionMatrix')!;
  assert.match(summaryText(cm.kind, cm.payload), /rows: true class; columns: predicted class\n +zero +one .*\n +zero +900 +1 +2 /);
  const win = cases.find((c) => c.kind === 'windowSweep')!;
  assert.match(summaryText(win.kind, win.payload), /start 60\.0%: test 92\.\d% .*<- best on validation/);
});

test('gallery SVG: thumbnails embedded, hostile class names and titles stay text', () => {
  const gal = structuredClone(payloadCases().find((c) => c.name === 'gallery lowest')!.payload) as GalleryPayload;
  gal.groups.forEach((g, i) => (g.className = HOSTILE[i % HOSTILE.length]));
  gal.title = '<script>alert(1)</script>';
  gal.groups[1].items[0].thumb = 'javascript:alert(1)';
  const svg = gallerySvg(gal);
  assertInert(svg);
  assert.equal((svg.match(/<image /g) ?? []).length, gal.groups.reduce((a, g) => a + Math.min(12, g.items.length), 0) - 1);
  assert.ok(!svg.includes('javascript:'));
  const shown = texts(svg);
  for (const h of HOSTILE) assert.ok(shown.includes(h), `class name ${h} shown as text`);
  assert.ok(shown.includes('<script>alert(1)</script>'));
  const dup = structuredClone(payloadCases().find((c) => c.name === 'gallery of duplicates')!.payload) as GalleryPayload;
  dup.groups[0].flags = [HOSTILE[0]];
  const dupSvg = gallerySvg(dup);
  assertInert(dupSvg);
  assert.ok(texts(dupSvg).includes(HOSTILE[0]), 'a group\'s flags are text');
});

test('a payload of an unknown version gets a clear error', async () => {
  const c = payloadCases()[0];
  await assert.rejects(outputItems('histogram', { ...(c.payload as HistogramPayload), version: 2 as 1 }), /payload version 2 is not supported \(this Data Diet reads version 1\)/);
});
