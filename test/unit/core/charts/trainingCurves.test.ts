import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainingCurveRows, trainingCurves, type TrainingEpoch } from '../../../../src/core/charts/trainingCurves';
import { withTheme, THEME_KINDS } from '../../../../src/core/charts/theme';
import { dataMarks, itemCount, render, texts } from './svg';

const epochs: TrainingEpoch[] = [1, 2, 3, 4].map((e) => ({
  epoch: e,
  train: { loss: 1 / e, accuracy: 0.9 + 0.01 * e },
  validation: { loss: 1.1 / e, accuracy: 0.905 + 0.004 * e },
  ...(e === 3 ? {} : { test: { loss: 1.2 / e, accuracy: 0.91 + 0.003 * e } }),
}));

test('rows: one per split present at each epoch, sorted by epoch', () => {
  const rows = trainingCurveRows({ epochs: [...epochs].reverse() });
  assert.equal(rows.length, 11);
  assert.deepEqual([...new Set(rows.map((r) => r.epoch))], [1, 2, 3, 4]);
  assert.equal(rows.filter((r) => r.split === 'test').length, 3);
  assert.throws(() => trainingCurveRows({ epochs: [] }), /no epochs/);
  assert.throws(() => trainingCurveRows({ epochs: [{ epoch: 1, train: { loss: 1, accuracy: 95 } }] }), /fraction in \[0, 1\], got 95/);
  assert.throws(() => trainingCurveRows({ epochs: [{ epoch: 1 }] }), /no split has metrics/);
});

test('two panels, loss and accuracy, a line per split, distinct accuracy ticks, in every theme', async () => {
  for (const theme of THEME_KINDS) {
    const svg = await render(withTheme(trainingCurves({ epochs }), theme));
    assert.ok(dataMarks(svg).includes('line'));
    assert.equal(itemCount(svg, 'line'), 6, 'three splits x two panels');
    const t = texts(svg);
    for (const s of ['train', 'validation', 'test', 'Loss (cross-entropy)', 'Accuracy', 'Epoch', 'Training curves']) assert.ok(t.includes(s), `${s} in ${t.join('|')}`);
    assert.ok(t.some((s) => /^test accuracy 92\.\d\d% after epoch 4$/.test(s)));
    const pct = t.filter((s) => /^9\d(\.\d+)?%$/.test(s));
    assert.ok(pct.length >= 3 && new Set(pct).size === pct.length, `accuracy ticks ${pct.join(' ')}`);
  }
});
