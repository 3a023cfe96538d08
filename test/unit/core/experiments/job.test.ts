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

test('ETA is steady through irregular ticks and pauses, and follows a lasting change of speed', () => {
  let t = 0;
  const eta = new EtaEstimator(10, () => t);
  const seen: number[] = [];
  // 1000 units at 100 units/s, ticking every 0.1 s, with a 2 s evaluation pause (ticks, no work) every 2 s.
  let done = 0;
  while (done < 600) {
    for (let i = 0; i < 20; i++) {
      t += 100;
      done += 10;
      seen.push(eta.tick(done, 1000).etaSeconds);
    }
    for (let i = 0; i < 4; i++) {
      t += 500;
      eta.tick(done, 1000);
    }
  }
  // Truth: 400 units left at 100 units/s of work plus a pause per 200 units: 4 s + 4 s = 8 s.
  const final = seen[seen.length - 1];
  assert.ok(final > 5.5 && final < 9.5, `eta ${final}`);
  // Steady: after the first pause, consecutive estimates move by well under a second.
  const later = seen.slice(40);
  const jumps = later.slice(1).map((v, i) => Math.abs(v - later[i]) - 0.1); // minus the 0.1 s that truly passed
  assert.ok(Math.max(...jumps) < 0.5, `largest jump ${Math.max(...jumps)}`);
  // Twice as fast for a while: the estimate follows.
  const before = eta.tick(done, 1000).etaSeconds;
  for (let i = 0; i < 150; i++) {
    t += 100;
    done += 2;
    eta.tick(done, 2000);
  }
  const slower = eta.tick(done, 2000);
  assert.ok(slower.secondsPerUnit > 0.03, `${slower.secondsPerUnit} s per unit after slowing to 20 units/s`);
  assert.ok(before > 0);
});
