import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heatmap, heatmapCells } from '../../../../src/core/charts/heatmap';
import { assertInert, dataMarks, itemCount, render, texts } from './svg';

const examples = [17, 4, 59999, 123];
const epochs = Array.from({ length: 20 }, (_, e) => e);
const values = examples.map((id, i) => epochs.map((e) => (i + 1) * Math.exp(-e / 5) + 0.01 * (id % 7)));

test('one rect per (example, epoch), NaN cells left out', async () => {
  const svg = await render(heatmap({ examples, epochs, values }));
  assert.deepEqual(dataMarks(svg), ['rect']);
  assert.equal(itemCount(svg, 'rect'), examples.length * epochs.length);
  const t = texts(svg);
  assert.ok(t.includes('Gradient norm over training') && t.includes('4 examples x 20 epochs') && t.includes('Epoch') && t.includes('Example'), t.join('|'));
  assert.ok(t.includes('59999'), 'example ids label the rows');
  const gaps = values.map((row) => row.map((v, e) => (e % 5 === 0 ? NaN : v)));
  const svg2 = await render(heatmap({ examples, epochs, values: gaps, logColor: true, valueTitle: 'EL2N' }));
  assert.equal(itemCount(svg2, 'rect'), examples.length * (epochs.length - 4));
});

test('rows follow the given example order', () => {
  const cells = heatmapCells({ examples, epochs: [0, 1], values: examples.map(() => [1, 2]) });
  assert.deepEqual(cells.filter((c) => c.epoch === 0).map((c) => c.example), examples);
  const spec = heatmap({ examples, epochs: [0, 1], values: examples.map(() => [1, 2]) }) as { encoding: { y: { scale: { domain: number[] } } } };
  assert.deepEqual(spec.encoding.y.scale.domain, examples);
});

test('titles are escaped and inert', async () => {
  assertInert(await render(heatmap({ examples: [1], epochs: [0], values: [[1]], title: '<img src=x onerror=alert(1)>', valueTitle: '"+(globalThis.__pwned=1)+"' })));
});

test('refuses ragged or mislabelled grids', () => {
  assert.throws(() => heatmap({ examples: [1, 2], epochs: [0], values: [[1]] }), /values has 1 rows for 2 examples/);
  assert.throws(() => heatmap({ examples: [1], epochs: [0, 1], values: [[1]] }), /row 0 \(example 1\) has 1 values for 2 epochs/);
  assert.throws(() => heatmap({ examples: [1, 1], epochs: [0], values: [[1], [1]] }), /example ids must be distinct/);
  assert.throws(() => heatmap({ examples: [1], epochs: [0], values: [[0]], logColor: true }), /log color scale needs positive values/);
  assert.throws(() => heatmap({ examples: [], epochs: [0], values: [] }), /at least one example/);
});
