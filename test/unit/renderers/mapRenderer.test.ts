import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { MIME, type MapPayload } from '../../../src/core/notebook/mime';
import { MAP_BRUSH_CAP } from '../../../src/core/notebook/mapBrush';
import { mapCasePayload } from '../core/notebook/mapFixture';
import { HOSTILE } from '../core/charts/svg';
import { rendererSuite, renderItem } from './rendererPage';

const suite = rendererSuite();
const { noBrowser } = suite;

type Box = { x: number; y: number; width: number; height: number };
const posted = (page: Page) => page.evaluate(() => (globalThis as unknown as { posted: { type: string; requestId: string; runId: string; indices: number[] }[] }).posted);
const send = (page: Page, m: unknown) => page.evaluate((msg) => (globalThis as unknown as { sendToRenderer(x: unknown): void }).sendToRenderer(msg), m);

/** Drags a rectangle from (fx0, fy0) to (fx1, fy1), fractions of `box`; returns the rectangle in page pixels. */
async function drag(page: Page, box: Box, fx0: number, fy0: number, fx1: number, fy1: number): Promise<Box> {
  const x0 = box.x + box.width * fx0;
  const y0 = box.y + box.height * fy0;
  const x1 = box.x + box.width * fx1;
  const y1 = box.y + box.height * fy1;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x1, y1, { steps: 6 });
  await page.mouse.up();
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Centres (page pixels) of the dots of the first symbol mark (the map's dots; the rings are the second mark). */
function dotCentres(page: Page, id: string): Promise<{ x: number; y: number }[]> {
  return page.locator(`#${id} svg g.mark-symbol.role-mark`).first().locator('path').evaluateAll((ps) =>
    ps.map((p) => {
      const r = p.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    }),
  );
}

test('map: a dot per example, brushing shows the region\'s examples with label, prediction and score, and missing images are asked for', { skip: noBrowser }, async () => {
  const page = await suite.page();
  const p = mapCasePayload(400, { thumbs: 40 });
  await renderItem(page, 'm', MIME.map, p);
  const flagged = p.points.flagged!.reduce((a, v) => a + v, 0);
  assert.equal(await page.locator('#m svg g.mark-symbol.role-mark path').count(), 400 + flagged, 'a dot per point and a ring per flagged point');
  await page.locator('#m .dd-hint').waitFor();
  const box = (await page.locator('#m svg g.mark-symbol.role-mark').first().boundingBox())!;
  const rect = await drag(page, box, 0.05, 0.05, 0.6, 0.7);
  await page.locator('#m .dd-tile').first().waitFor({ timeout: 30_000 });
  // The brushed count agrees with the dots drawn inside the dragged rectangle (give or take a dot on its edge).
  const inside = (await dotCentres(page, 'm')).filter((c) => c.x >= rect.x && c.x <= rect.x + rect.width && c.y >= rect.y && c.y <= rect.y + rect.height).length;
  const title = (await page.locator('#m .dd-gallery .dd-title').textContent())!;
  const brushed = Number(/^([\d,]+) brushed/.exec(title)![1].replace(/,/g, ''));
  assert.ok(Math.abs(brushed - inside) <= 2, `${brushed} brushed, ${inside} dots inside the rectangle`);
  const tiles = page.locator('#m .dd-tile');
  assert.equal(await tiles.count(), Math.min(brushed, MAP_BRUSH_CAP));
  // Each tile says its example's label, prediction and score, from the payload.
  const at = new Map(p.points.index.map((idx, i) => [idx, i]));
  for (const t of await tiles.evaluateAll((ts) => ts.map((e) => e.getAttribute('title') ?? ''))) {
    const m = /^example #(\d+): label (.+), predicted (.+), score (\S+)$/.exec(t)!;
    assert.ok(m, t);
    const i = at.get(Number(m[1]))!;
    assert.equal(m[2], p.classNames[p.points.label[i]]);
    assert.equal(m[3], p.classNames[p.points.predicted![i]]);
    assert.ok(Math.abs(Number(m[4]) - p.points.score![i]!) <= 0.01 * Math.abs(p.points.score![i]!), `${m[4]} vs ${p.points.score![i]}`);
  }
  // Images the payload does not embed are asked for, for this run, and filled in when they arrive.
  const shown = (await tiles.evaluateAll((ts) => ts.map((e) => e.getAttribute('title') ?? ''))).map((t) => Number(/#(\d+)/.exec(t)![1]));
  const embedded = new Set(p.thumbs!.map((t) => t.index));
  const req = (await posted(page)).find((m) => m.type === 'requestThumbs')!;
  assert.equal(req.runId, p.source!.runId);
  assert.deepEqual([...req.indices].sort((a, b) => a - b), shown.filter((i) => !embedded.has(i)).sort((a, b) => a - b));
  assert.equal(await page.locator('#m .dd-tile img').count(), shown.filter((i) => embedded.has(i)).length);
  const png = p.thumbs![0].thumb;
  await send(page, { type: 'thumbs', requestId: req.requestId, thumbs: req.indices.map((index) => ({ index, thumb: png })) });
  await page.waitForFunction((n) => {
    const d = (globalThis as unknown as { document: { querySelector(s: string): { shadowRoot: { querySelectorAll(s: string): { length: number } } } } }).document;
    return d.querySelector('#m').shadowRoot.querySelectorAll('.dd-tile img').length === n;
  }, shown.length);
  assert.equal(await page.locator('#m .dd-noimg').count(), 0);
  await page.screenshot({ path: 'test-output/renderer-map.png', fullPage: true }).catch(() => undefined);
  // The colouring switches without recomputing anything.
  await page.locator('#m select.dd-map-color').selectOption('suspicion');
  await page.locator('#m svg .role-legend-title text', { hasText: 'suspicion' }).waitFor();
  assert.deepEqual(await page.evaluate(() => (globalThis as unknown as { violations: string[] }).violations), []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('map: hostile class names and titles stay text in the legend and the brushed gallery; only PNG thumbnails show', { skip: noBrowser }, async () => {
  const page = await suite.page('dark');
  const names = Array.from({ length: 10 }, (_, i) => HOSTILE[i % HOSTILE.length] + (i >= HOSTILE.length ? ` ${i}` : ''));
  const p: MapPayload = mapCasePayload(300, { thumbs: 300, classNames: names });
  p.title = '<img src=x onerror="globalThis.__pwned=1">';
  p.thumbs![0].thumb = 'javascript:globalThis.__pwned=1';
  await renderItem(page, 'h', MIME.map, p);
  const legend = await page.locator('#h svg .role-legend-label text').allTextContents();
  for (const n of names.slice(0, 3)) assert.ok(legend.some((t) => t === n || (t.endsWith('…') && n.startsWith(t.slice(0, -1)))), `legend shows ${n} as text`);
  const box = (await page.locator('#h svg g.mark-symbol.role-mark').first().boundingBox())!;
  await drag(page, box, 0.01, 0.01, 0.99, 0.99);
  await page.locator('#h .dd-tile').first().waitFor({ timeout: 30_000 });
  const classes = await page.locator('#h .dd-class').allTextContents();
  assert.ok(classes.length > 0 && classes.every((c) => names.includes(c)), classes.join(' | '));
  for (const s of await page.locator('#h img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src') ?? ''))) assert.match(s, /^data:image\/png;base64,/);
  assert.equal(await page.locator('#h script, #h [onerror]').count(), 0);
  assert.equal(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned), undefined);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('map: thousands of points are drawn on a canvas, and brushing still shows the examples', { skip: noBrowser }, async () => {
  const page = await suite.page();
  const p = mapCasePayload(6000, { thumbs: 500 });
  await renderItem(page, 'big', MIME.map, p);
  const canvas = page.locator('#big canvas');
  assert.equal(await canvas.count(), 1);
  assert.equal(await page.locator('#big svg g.mark-symbol').count(), 0);
  const box = (await canvas.boundingBox())!;
  await drag(page, box, 0.3, 0.3, 0.7, 0.7);
  await page.locator('#big .dd-tile').first().waitFor({ timeout: 30_000 });
  assert.ok((await page.locator('#big .dd-tile').count()) <= MAP_BRUSH_CAP);
  assert.deepEqual(page.errors, []);
  await page.close();
});
