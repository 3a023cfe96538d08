import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartConfig, THEME_KINDS, withTheme } from '../../../../src/core/charts/theme';
import { pruningCurve } from '../../../../src/core/charts/pruningCurve';
import { render } from './svg';

const spec = pruningCurve({ series: [{ name: 'a', points: [{ fractionPruned: 0, accuracies: [0.9, 0.91] }, { fractionPruned: 0.5, accuracies: [0.8, 0.85] }] }], fullData: [0.95] });

test('every kind has a transparent background and its own text color', () => {
  const fg = new Set<string>();
  for (const kind of THEME_KINDS) {
    const c = chartConfig(kind);
    assert.equal(c.background, 'transparent');
    fg.add(String(c.axis?.labelColor));
    assert.ok(Array.isArray(c.range?.category) && (c.range.category as string[]).length >= 6);
  }
  assert.equal(fg.size, THEME_KINDS.length);
  assert.throws(() => chartConfig('solarized' as never), /unknown theme kind "solarized"/);
});

test('withTheme puts the theme under the spec own config and leaves the input alone', () => {
  const own = { ...spec, config: { axis: { labelColor: '#123456' }, legend: { orient: 'bottom' as const } } };
  const themed = withTheme(own, 'dark');
  assert.equal(themed.config?.axis?.labelColor, '#123456', 'spec wins');
  assert.equal(themed.config?.axis?.gridColor, chartConfig('dark').axis?.gridColor, 'theme fills the rest');
  assert.equal(themed.config?.legend?.orient, 'bottom');
  assert.equal(themed.config?.background, 'transparent');
  assert.deepEqual(own.config, { axis: { labelColor: '#123456' }, legend: { orient: 'bottom' } }, 'input unchanged');
  assert.equal((spec as { config?: unknown }).config, undefined);
});

test('themed charts render in the theme colors on a transparent background', async () => {
  const light = await render(spec);
  assert.match(light, /<rect [^>]*fill="white"/, 'Vega default: white background');
  for (const kind of THEME_KINDS) {
    const svg = await render(withTheme(spec, kind));
    const c = chartConfig(kind);
    assert.ok(!/<rect [^>]*fill="white"/.test(svg), `${kind}: no white background`);
    assert.ok(svg.includes(`fill="${c.axis?.labelColor}"`), `${kind}: axis labels in ${c.axis?.labelColor}`);
    assert.ok(svg.includes(`stroke="${(c.range?.category as string[])[0]}"`), `${kind}: first series in the palette's first color`);
  }
});
