import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIME, type GalleryPayload, type HistogramPayload } from '../../../src/core/notebook/mime';
import { payloadCases } from '../core/notebook/payloadCases';
import { pythonOutputs } from '../core/notebook/pythonOutputs';
import { HOSTILE } from '../core/charts/svg';
import { rendererSuite, renderItem } from './rendererPage';

const suite = rendererSuite();
const { noBrowser } = suite;

test('the renderer bundle is an ES module with no string evaluation', () => {
  for (const re of [/(^|[^\w$.])Function\s*\(/, /(^|[^\w$.])eval\s*\((?![^()]*\)\s*\{)/]) assert.equal(re.exec(suite.bundle()), null, String(re));
  assert.match(suite.bundle(), /export\s*\{[^}]*\bactivate\b/);
});

test('every chart payload draws SVG marks under a CSP without unsafe-eval, in light, dark and high contrast', { skip: noBrowser }, async () => {
  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    const page = await suite.page(theme);
    for (const [i, c] of payloadCases().entries()) {
      if (c.kind === 'gallery') continue;
      await renderItem(page, `o${i}`, MIME[c.kind], c.payload);
      const marks = await page.locator(`#o${i} svg .role-mark path, #o${i} svg .role-mark line`).count();
      assert.ok(marks > 0, `${theme}: ${c.name} drew no marks`);
    }
    // Axis labels follow the theme's foreground (VS Code's --vscode-editor-foreground).
    const fill = await page.locator('#o0 svg .role-axis-label text').first().getAttribute('fill');
    assert.equal(fill, { light: '#3b3b3b', dark: '#cccccc', 'high-contrast': '#ffffff' }[theme]);
    if (theme === 'dark') await page.screenshot({ path: 'test-output/renderer-dark.png', fullPage: true }).catch(() => undefined);
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as { violations: string[] }).violations), []);
    assert.deepEqual(page.errors, []);
    await page.close();
  }
});

test('brushing the histogram shows that score range\'s examples below it, and asks the extension for the full range', { skip: noBrowser }, async () => {
  const page = await suite.page();
  const h = payloadCases().find((c) => c.name === 'histogram by noise, with examples')!.payload as HistogramPayload;
  await renderItem(page, 'h', MIME.histogram, h);
  await page.locator('#h .dd-hint').waitFor();
  const box = (await page.locator('#h svg g.mark-rect.role-mark.marks').boundingBox())!;
  // Drag across the middle of the plot.
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 5 });
  await page.mouse.up();
  await page.locator('#h .dd-tile').first().waitFor({ timeout: 30_000 });
  const note = await page.locator('#h .dd-gallery-head .dd-note').first().textContent();
  assert.match(note!, /sampled of about [\d,]+ examples with EL2N in \[/);
  const scores = await page.locator('#h .dd-tile .dd-score').allTextContents();
  const posted = await page.evaluate(() => (globalThis as unknown as { posted: { type: string; lo: number; hi: number; requestId: string; runId: string }[] }).posted);
  const req = posted.find((m) => m.type === 'requestRange')!;
  assert.equal(req.runId, '2026-12-01-score-abc');
  for (const s of scores) assert.ok(Number(s) >= req.lo - 1e-3 && Number(s) <= req.hi + 1e-3, `${s} in [${req.lo}, ${req.hi}]`);
  const inRange = h.examples!.filter((e) => e.score >= req.lo && e.score <= req.hi).length;
  assert.equal(scores.length, Math.min(inRange, 40 * new Set(h.examples!.filter((e) => e.score >= req.lo && e.score <= req.hi).map((e) => e.label)).size));
  // The extension's answer replaces the sample.
  const full = payloadCases().find((c) => c.name === 'gallery percentile')!.payload as GalleryPayload;
  await page.evaluate(([id, g]) => (globalThis as unknown as { sendToRenderer(m: unknown): void }).sendToRenderer({ type: 'rangeGallery', requestId: id, gallery: g }), [req.requestId, full] as const);
  await page.locator('#h .dd-note', { hasText: 'from the run' }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('gallery: hostile class names stay text, click enlarges, actions post annotate messages', { skip: noBrowser }, async () => {
  const page = await suite.page();
  const g = structuredClone(payloadCases().find((c) => c.name === 'gallery lowest')!.payload) as GalleryPayload;
  g.classNames = g.classNames.map((_, i) => HOSTILE[i % HOSTILE.length]);
  g.groups.forEach((grp) => (grp.className = g.classNames[grp.label]));
  g.title = '<img src=x onerror="globalThis.__pwned=1">';
  g.groups[0].items[1].thumb = 'javascript:globalThis.__pwned=1';
  await renderItem(page, 'g', MIME.gallery, g);
  assert.equal(await page.locator('#g .dd-title').textContent(), g.title);
  const names = await page.locator('#g .dd-class').allTextContents();
  assert.deepEqual(names, g.groups.map((grp) => grp.className));
  const srcs = await page.locator('#g img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src') ?? ''));
  assert.equal(srcs.length, g.groups.reduce((a, grp) => a + grp.items.length, 0) - 1);
  for (const s of srcs) assert.match(s, /^data:image\/png;base64,/);
  assert.equal(await page.locator('#g script, #g [onerror]').count(), 0);
  assert.equal(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned), undefined);

  const first = g.groups[2].items[0];
  const boxes = () => page.locator('#g .dd-tile').evaluateAll((ts) => ts.map((t) => [Math.round(t.getBoundingClientRect().left), Math.round(t.getBoundingClientRect().top)]));
  const before = await boxes();
  await page.locator('#g .dd-tile').nth(12).click();
  await page.locator('#g .dd-detail img.dd-large').waitFor();
  // The panel opens below the clicked tile's row: no tile changes column, the tiles of that row stay put.
  const after = await boxes();
  assert.deepEqual(after.map((b) => b[0]), before.map((b) => b[0]));
  const rowTop = before[12][1];
  before.forEach((b, i) => b[1] <= rowTop && assert.deepEqual(after[i], b, `tile ${i} moved`));
  assert.equal(await page.locator('#g .dd-detail').getAttribute('data-index'), String(first.index));
  await page.locator('#g .dd-detail button[data-action="flag"]').click();
  await page.locator('#g .dd-detail select').selectOption('7');
  await page.locator('#g .dd-detail button[data-action="relabel"]').click();
  const posted = await page.evaluate(() => (globalThis as unknown as { posted: unknown[] }).posted);
  assert.deepEqual(posted, [
    { type: 'annotate', runId: '2026-12-01-score-abc', index: first.index, action: 'flag', originalLabel: 2, score: 'el2n' },
    { type: 'annotate', runId: '2026-12-01-score-abc', index: first.index, action: 'relabel', originalLabel: 2, score: 'el2n', label: 7 },
  ]);
  await page.evaluate((i) => (globalThis as unknown as { sendToRenderer(m: unknown): void }).sendToRenderer({ type: 'annotated', runId: '2026-12-01-score-abc', index: i, action: 'relabel', label: 7 }), first.index);
  assert.match((await page.locator('#g .dd-detail .dd-status').textContent())!, /relabeled to .* \(saved\)/);
  // Arrow keys step to the next example with the panel open.
  await page.locator('#g .dd-tile').nth(12).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('#g .dd-detail').getAttribute('data-index'), String(g.groups[2].items[1].index));
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#g .dd-detail').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a 10,000-image gallery starts with a chunk per class and adds more on demand', { skip: noBrowser }, async () => {
  const page = await suite.page();
  const base = payloadCases().find((c) => c.name === 'gallery lowest')!.payload as GalleryPayload;
  const thumb = base.groups[0].items[0].thumb;
  const big: GalleryPayload = { ...base, selection: { mode: 'percentile', lo: 0, hi: 100 }, groups: base.groups.map((grp) => ({ ...grp, matched: 1000, items: Array.from({ length: 1000 }, (_, k) => ({ index: grp.label * 1000 + k, label: grp.label, score: k / 1000, thumb })) })) };
  await renderItem(page, 'big', MIME.gallery, big);
  const initial = await page.locator('#big .dd-tile').count();
  assert.ok(initial >= 400 && initial < 2000, `${initial} tiles at first`);
  // Scrolling the end of the last class into view loads its next chunk (IntersectionObserver) ...
  const lastTiles = page.locator('#big .dd-group').last().locator('.dd-tile');
  assert.equal(await lastTiles.count(), 40);
  await page.locator('#big .dd-more').last().scrollIntoViewIfNeeded();
  await page.waitForFunction(() => {
    const d = (globalThis as unknown as { document: { querySelector(s: string): { shadowRoot: { querySelectorAll(s: string): { length: number } } } } }).document;
    return d.querySelector('#big').shadowRoot.querySelectorAll('.dd-group:last-of-type .dd-tile').length > 40;
  });
  // ... and the button adds one too, without rendering everything.
  const now = await lastTiles.count();
  await page.locator('#big .dd-more').last().click();
  assert.ok((await lastTiles.count()) >= now + 40);
  assert.ok((await page.locator('#big .dd-tile').count()) < 10_000 / 2);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an output this renderer cannot read says why instead of failing silently', { skip: noBrowser }, async () => {
  const page = await suite.page();
  await renderItem(page, 'bad', MIME.pruningCurve, { version: 3, series: [] });
  assert.match((await page.locator('#bad .dd-error').textContent())!, /payload version 3 is not supported/);
  await renderItem(page, 'bad2', MIME.pruningCurve, { version: 1, series: [] });
  assert.match((await page.locator('#bad2 .dd-error').textContent())!, /pruningCurve: no series/);
  await page.close();
});

test('outputs written by a Python kernel render: charts draw marks, the gallery shows its images', { skip: noBrowser }, async () => {
  const page = await suite.page('dark');
  for (const [i, o] of pythonOutputs().entries()) {
    await renderItem(page, `py${i}`, o.mime, o.payload);
    const n = await page.locator(`#py${i} svg .role-mark path, #py${i} .dd-tile img`).count();
    assert.ok(n > 0, `${o.cell} ${o.mime} drew nothing`);
    assert.equal(await page.locator(`#py${i} .dd-error`).count(), 0);
  }
  await page.screenshot({ path: 'test-output/renderer-python-outputs.png', fullPage: true }).catch(() => undefined);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('histogram by class: small multiples across the output width, a log-axis toggle and a layout choice that redraw it', { skip: noBrowser }, async () => {
  const page = await suite.page('dark');
  const h = payloadCases().find((c) => c.name === 'histogram by class, normalized')!.payload as HistogramPayload;
  await renderItem(page, 'c', MIME.histogram, h);
  const headers = () => page.locator('#c svg .role-title-text text').allTextContents();
  for (const g of h.groups) assert.ok((await headers()).includes(g), `a panel titled ${g}`);
  const hostWidth = await page.locator('#c .dd-chart').evaluate((e) => e.clientWidth);
  const svgWidth = await page.locator('#c .dd-chart svg').first().evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(svgWidth > hostWidth * 0.8 && svgWidth <= hostWidth + 1, `chart ${svgWidth} px in an output of ${hostWidth} px`);
  await page.locator('#c .dd-controls input[type=checkbox]').check();
  await page.locator('#c svg text', { hasText: 'symmetric-log' }).first().waitFor();
  await page.locator('#c .dd-controls select').selectOption('stack');
  await page.waitForFunction(() => {
    const d = (globalThis as unknown as { document: { querySelector(s: string): { shadowRoot: { querySelectorAll(s: string): { length: number } } } } }).document;
    return d.querySelector('#c').shadowRoot.querySelectorAll('.role-title-text text').length === 1;
  });
  assert.ok((await page.locator('#c svg .role-legend').count()) > 0, 'stacked bars have a colour legend');
  // Tooltip fields are on every bar (Vega writes them into its aria-label too).
  assert.match((await page.locator('#c svg .mark-rect.role-mark path').first().getAttribute('aria-label'))!, /group: .*from: .*examples: \d+/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a gallery with corrupted labels or wrong predictions shows the key to their markers', { skip: noBrowser }, async () => {
  const page = await suite.page();
  const g = structuredClone(payloadCases().find((c) => c.name === 'gallery lowest')!.payload) as GalleryPayload;
  g.groups[0].items[0].corrupted = true;
  await renderItem(page, 'k', MIME.gallery, g);
  const key = await page.locator('#k .dd-key').textContent();
  assert.match(key!, /label corrupted by noise injection/);
  for (const grp of g.groups) for (const it of grp.items) it.corrupted = false;
  await renderItem(page, 'k2', MIME.gallery, g);
  assert.doesNotMatch((await page.locator('#k2 .dd-gallery-head').textContent())!, /corrupted by noise/);
  await page.close();
});

test('a gallery of duplicates names groups, shows their flags as text and each copy\'s split and file', { skip: noBrowser }, async () => {
  const page = await suite.page();
  const g = structuredClone(payloadCases().find((c) => c.name === 'gallery of duplicates')!.payload) as GalleryPayload;
  g.groups[1].flags = ['<img src=x onerror="globalThis.__pwned=1">'];
  await renderItem(page, 'd', MIME.gallery, g);
  assert.match((await page.locator('#d .dd-gallery-head .dd-note').first().textContent())!, /^5 examples in 2 groups$/);
  assert.deepEqual(await page.locator('#d .dd-group').first().locator('.dd-flag').allTextContents(), ['train/test leakage', 'label conflict']);
  assert.equal(await page.locator('#d .dd-group').nth(1).locator('.dd-flag').textContent(), g.groups[1].flags[0]);
  assert.equal(await page.locator('#d [onerror]').count(), 0);
  assert.match((await page.locator('#d .dd-tile').nth(1).getAttribute('title'))!, /similarity 0\.993\ntest · row 1003 · a-q70\.jpg$/);
  await page.locator('#d .dd-tile').nth(1).click();
  assert.match((await page.locator('#d .dd-detail').textContent())!, /abouttest · row 1003 · a-q70\.jpg/);
  // No run to annotate: the panel says so instead of offering actions.
  assert.match((await page.locator('#d .dd-detail .dd-actions').textContent())!, /names no run/);
  assert.deepEqual(page.errors, []);
  await page.close();
});
