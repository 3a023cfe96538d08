import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correlationCells, correlationMatrix } from '../../../../src/core/charts/correlationMatrix';
import { assertInert, dataMarks, HOSTILE, itemCount, render, texts } from './svg';

const names = ['lr 0.02, batch 32', 'lr 0.05, batch 32', 'lr 0.05, batch 128'];
const matrix = [
  [1, 0.81, 0.7],
  [0.81, 1, 0.77],
  [0.7, 0.77, 1],
];

test('a cell and a value per pair', async () => {
  const svg = await render(correlationMatrix({ names, matrix, title: 'EL2N across the grid' }));
  const marks = dataMarks(svg);
  assert.ok(marks.includes('rect') && marks.includes('text'), marks.join(','));
  assert.equal(itemCount(svg, 'rect'), 9);
  const t = texts(svg);
  for (const s of ['0.81', '0.77', '0.70', '1.00', 'lr 0.05, batch 128', 'EL2N across the grid']) assert.ok(t.includes(s), `${s} in ${t.join('|')}`);
});

test('shape and range are checked; NaN shows as a dash', () => {
  assert.throws(() => correlationCells({ names, matrix: [[1]] }), /3 x 3/);
  assert.throws(() => correlationCells({ names: ['a'], matrix: [[1.5]] }), /\[-1, 1\]/);
  assert.equal(correlationCells({ names: ['a'], matrix: [[NaN]] })[0].text, '–');
});

test('hostile names are inert', async () => {
  const svg = await render(correlationMatrix({ names: [HOSTILE[0], HOSTILE[3]], matrix: [[1, 0.5], [0.5, 1]] }));
  assertInert(svg);
});
