import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EtaEstimator } from '../../../../src/core/experiments/job';

test('ETA follows the work rate even when ticks cover different amounts of work', async () => {
  const eta = new EtaEstimator();
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let last = { etaSeconds: NaN };
  for (let done = 100; done <= 500; done += 100) {
    await wait(20); // ~5000 units/s
    last = eta.tick(done, 1000);
  }
  // 500 units left at ~5000 units/s: about 0.1 s (timer jitter allowed), never hours.
  assert.ok(last.etaSeconds > 0.03 && last.etaSeconds < 0.5, `eta ${last.etaSeconds}`);
});
