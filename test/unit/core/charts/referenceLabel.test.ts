import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceLabel } from '../../../../src/core/charts/referenceLabel';
import { pruningCurve } from '../../../../src/core/charts/pruningCurve';

const pt = (x: number, y: number) => ({ x, lo: y, hi: y });

test('the label goes where the data leaves room near an end', () => {
  // A pruning curve that falls: at the right end it is below the full-data rule, so the label goes above.
  assert.deepEqual(referenceLabel([pt(0, 0.95), pt(0.5, 0.9), pt(0.9, 0.7)], 0.95), { end: 'right', side: 'above' });
  // Curves above the rule at the right end: below it.
  assert.deepEqual(referenceLabel([pt(0, 0.2), pt(1, 0.9)], 0.5), { end: 'right', side: 'below' });
  // Crossing at the right end but clear at the left end.
  assert.deepEqual(referenceLabel([pt(0, 0.3), pt(0.2, 0.35), pt(0.8, 0.6), pt(1, 0.4)], 0.5), { end: 'left', side: 'above' });
  // A band that straddles the rule at the right end counts as crossing it.
  assert.deepEqual(referenceLabel([{ x: 0, lo: 0.8, hi: 0.85 }, { x: 1, lo: 0.45, hi: 0.55 }], 0.5), { end: 'left', side: 'below' });
  assert.deepEqual(referenceLabel([], 1), { end: 'right', side: 'above' });
});

test('pruning curve: the full-data label sits above the rule when the curve ends below it', () => {
  const spec = pruningCurve({ series: [{ name: 'a', points: [{ fractionPruned: 0, accuracies: [0.95] }, { fractionPruned: 0.8, accuracies: [0.7] }] }], fullData: [0.95, 0.96] }) as { layer: { mark: { type: string; baseline?: string; align?: string } }[] };
  const text = spec.layer.find((l) => l.mark.type === 'text')!;
  assert.equal(text.mark.baseline, 'bottom', 'above the rule');
  assert.equal(text.mark.align, 'right');
});
