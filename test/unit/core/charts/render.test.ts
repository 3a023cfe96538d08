import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { compileSpec, loadVega, renderSvg } from '../../../../src/core/charts/render';
import * as charts from '../../../../src/core/charts';

const bar: TopLevelSpec = { data: { values: [{ a: 'x', b: 1 }, { a: 'y', b: 2 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } } };

test('compiles to Vega and renders a standalone SVG document, the same twice', async () => {
  const { vega, warnings } = await compileSpec(bar);
  assert.deepEqual(warnings, []);
  assert.ok(Array.isArray(vega.marks));
  const a = await renderSvg(bar);
  assert.equal(await renderSvg(bar), a);
  assert.match(a, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* width="\d+" height="\d+" viewBox="0 0 \d+ \d+">/);
  assert.match(a, /<g class="mark-rect role-mark/);
  assert.ok(a.endsWith('</svg>'));
});

test('compiler warnings are collected, not printed; errors throw', async () => {
  const printed: unknown[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void printed.push(args);
  try {
    const { warnings } = await compileSpec({ ...bar, encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative', scale: { type: 'log', zero: true } } } });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /zero/);
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(printed, []);
  await assert.rejects(() => renderSvg({} as TopLevelSpec), /Invalid specification/);
});

test('vega and vega-lite are loaded once, at run time, not bundled into the CommonJS output', async () => {
  assert.equal(loadVega(), loadVega());
  const { vega, vl } = await loadVega();
  assert.equal(typeof vega.View, 'function');
  assert.equal(typeof vl.compile, 'function');
  // This test file is itself an esbuild bundle of render.ts: it must hold no copy of vega.
  const self = fs.readFileSync(__filename, 'utf8');
  // (Markers built at run time: the bundle's inline source map holds this file's own text.)
  for (const name of ['domCanvas', 'parseView']) assert.ok(!self.includes(`function ${name}(`), `vega's ${name} is bundled`);
  assert.ok(self.length < 400_000, `bundle is ${self.length} characters`);
});

test('the index exports every builder', () => {
  for (const f of ['pruningCurve', 'windowSweep', 'scoreHistogram', 'scatter', 'curves', 'heatmap', 'chartConfig', 'withTheme', 'renderSvg']) {
    assert.equal(typeof (charts as Record<string, unknown>)[f], 'function', f);
  }
});
