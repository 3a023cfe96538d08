import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningRateAt } from '../../../../src/core/train/schedule';

test('step decay at the milestones, with an optional linear warmup (step i of W at (i + 1) / W of the rate)', () => {
  const s = { baseLr: 0.1, milestones: [0.5, 0.75], gamma: 0.2, totalSteps: 100 };
  assert.deepEqual([0, 49, 50, 74, 75, 99].map((t) => learningRateAt(s, t)), [0.1, 0.1, 0.1 * 0.2, 0.1 * 0.2, 0.1 * 0.2 * 0.2, 0.1 * 0.2 * 0.2]);
  const w = { ...s, warmupSteps: 10 };
  assert.ok(Math.abs(learningRateAt(w, 0) - 0.01) < 1e-12);
  assert.ok(Math.abs(learningRateAt(w, 4) - 0.05) < 1e-12);
  assert.equal(learningRateAt(w, 9), 0.1);
  assert.equal(learningRateAt(w, 10), 0.1);
  // After the warmup the schedule is the plain one.
  for (const t of [10, 50, 80]) assert.equal(learningRateAt(w, t), learningRateAt(s, t));
  // No warmup: the first step runs at the full rate.
  assert.equal(learningRateAt({ ...s, warmupSteps: 0 }, 0), 0.1);
});
