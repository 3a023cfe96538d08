import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradHeatmapChart } from '../../../../src/core/charts/gradHeatmapChart';
import { dataMarks, itemCount, render, texts } from './svg';

const examples = [5, 17, 300, 42, 9];
const epochs = [0, 1, 2, 3];
const values = examples.map((_, i) => epochs.map((e) => (i + 1) * Math.exp(-e)));

test('a rect per (example, epoch), log colour when every norm is positive, rows in table order', async () => {
  const spec = gradHeatmapChart({ examples, epochs, values });
  const svg = await render(spec);
  assert.deepEqual(dataMarks(svg), ['rect']);
  assert.equal(itemCount(svg, 'rect'), examples.length * epochs.length);
  const t = texts(svg);
  assert.ok(t.includes('Per-example gradient norm over training') && t.includes('5 examples x 4 epochs') && t.includes('Gradient norm'), t.join('|'));
  const enc = (spec as { encoding: { color: { scale: { type: string } }; y: { scale: { domain: number[] } } } }).encoding;
  assert.equal(enc.color.scale.type, 'log');
  assert.deepEqual(enc.y.scale.domain, examples);
  // A zero norm (an example fitted exactly) falls back to a linear scale instead of failing.
  const zero = gradHeatmapChart({ examples, epochs, values: values.map((r, i) => (i === 0 ? [0, ...r.slice(1)] : r)) });
  assert.equal((zero as { encoding: { color: { scale: { type: string } } } }).encoding.color.scale.type, 'linear');
  assert.equal(itemCount(await render(zero), 'rect'), examples.length * epochs.length);
});
