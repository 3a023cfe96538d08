import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confusionCells, confusionMatrixChart, matrixAccuracy } from '../../../../src/core/charts/confusionMatrix';
import { withTheme, THEME_KINDS } from '../../../../src/core/charts/theme';
import { assertInert, HOSTILE, itemCount, render, texts } from './svg';

const input = { labels: ['cat', 'dog', 'bird'], matrix: [[8, 2, 0], [1, 90, 9], [0, 0, 0]], split: 'test' };

test('cells: row-normalized rates, light ink on dark fills, empty rows at zero', () => {
  const cells = confusionCells(input);
  assert.equal(cells.length, 9);
  const at = (a: string, p: string) => cells.find((c) => c.actual === a && c.predicted === p)!;
  assert.equal(at('cat', 'cat').rate, 0.8);
  assert.equal(at('dog', 'bird').rate, 0.09);
  assert.equal(at('bird', 'bird').rate, 0);
  assert.equal(at('dog', 'dog').ink, 'light');
  assert.equal(at('dog', 'cat').ink, 'dark');
  assert.equal(matrixAccuracy(input.matrix), 98 / 110);
  assert.throws(() => confusionCells({ labels: ['a', 'b'], matrix: [[1, 2]] }), /2 x 2 matrix/);
  assert.throws(() => confusionCells({ labels: ['a', 'a'], matrix: [[1, 2], [3, 4]] }), /must differ/);
  assert.throws(() => confusionCells({ labels: ['a'], matrix: [[1.5]] }), /non-negative integers/);
});

test('renders a cell and its count per (true, predicted) pair in every theme', async () => {
  for (const theme of THEME_KINDS) {
    const svg = await render(withTheme(confusionMatrixChart(input), theme));
    assert.equal(itemCount(svg, 'rect'), 9);
    const t = texts(svg);
    for (const s of ['8', '90', '9', 'Predicted class', 'True class', 'cat', 'dog', 'bird']) assert.ok(t.includes(s), `${s} in ${t.join('|')}`);
    assert.ok(t.some((s) => s.includes('110 examples; accuracy 89.09%')));
    assert.match(svg, /fill="#ffffff"/, 'light ink on the dark diagonal');
  }
});

test('hostile class names are escaped and inert', async () => {
  const k = HOSTILE.length;
  const matrix = Array.from({ length: k }, (_, t) => Array.from({ length: k }, (_, p) => (t === p ? 5 : 1)));
  const svg = await render(confusionMatrixChart({ labels: HOSTILE, matrix }));
  assertInert(svg);
});

test('every class name on the predicted axis is drawn whole and visible (ten Fashion-MNIST names, rotated)', async () => {
  const labels = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  const matrix = labels.map((_, t) => labels.map((__, p) => (t === p ? 90 : 1)));
  const svg = await render(confusionMatrixChart({ labels, matrix, split: 'test' }));
  const xAxis = svg.slice(svg.indexOf("X-axis titled 'Predicted class'"));
  const shown = [...xAxis.slice(0, xAxis.indexOf('role-axis-domain')).matchAll(/<text [^>]*opacity="1">([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(shown, labels);
});
