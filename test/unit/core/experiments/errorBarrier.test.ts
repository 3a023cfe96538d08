import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runErrorBarrier, summarizeBarriers, type BarrierRow } from '../../../../src/core/experiments/errorBarrier';
import { errorBarrierChart } from '../../../../src/core/charts/errorBarrier';
import { renderSvg } from '../../../../src/core/charts/render';
import { tempDir } from '../../helpers/paths';

test('error barrier on real MNIST: children per spawn time, a barrier per evaluation set, charted', async () => {
  const root = tempDir('lmc');
  const m = await runErrorBarrier(
    { dataset: 'mnist', model: 'cnn-small', width: 0.5, trainSubset: 300, batchSize: 25, lr: 0.025, epochs: 3, spawnFractions: [0, 0.5], subsetSize: 100, alphaSteps: 4, testExamples: 300, backend: 'wasm' },
    { root },
  );
  assert.equal(m.status, 'done', m.error);
  const table = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', m.id, 'error-barrier.json'), 'utf8'));
  assert.equal(table.steps, 36);
  assert.deepEqual(table.spawnSteps, [0, 18]);
  assert.equal(table.rows.length, 2 * 4);
  for (const r of table.rows as BarrierRow[]) {
    assert.equal(r.errors.length, 5);
    // The barrier is never below the endpoints' own excess (0) and matches the errors it came from.
    assert.ok(r.barrier >= 0 && r.barrier <= 1);
    const line = (a: number) => (1 - a) * r.errors[0] + a * r.errors[4];
    const max = Math.max(...r.errors.map((e, i) => e - line(i / 4)));
    assert.ok(Math.abs(max - r.barrier) < 1e-12);
  }
  // Children trained from the same point learn: their endpoints beat chance on the test split.
  const test0 = table.rows.find((r: BarrierRow) => r.set === 'test' && r.spawnStep === 18);
  assert.ok(test0.errors[0] < 0.5 && test0.errors[4] < 0.5, test0.errors.join(','));
  const series = ['highest', 'lowest', 'random'].map((set) => ({ name: set, points: table.summary.filter((p: { set: string }) => p.set === set).map((p: { spawnStep: number; barriers: number[] }) => ({ spawnStep: p.spawnStep, barriers: p.barriers })) }));
  assert.match(await renderSvg(errorBarrierChart({ series, steps: table.steps })), /mark-area role-mark/);
});

test('summary: mean and band per set and spawn step', () => {
  const row = (set: BarrierRow['set'], spawnStep: number, barrier: number): BarrierRow => ({ set, spawnStep, spawnFraction: 0, pair: 0, errors: [], barrier, alphaAtMax: 0.5 });
  const s = summarizeBarriers([row('random', 5, 0.1), row('highest', 5, 0.3), row('random', 5, 0.2), row('highest', 0, 0.5)]);
  assert.deepEqual(s.map((p) => [p.set, p.spawnStep]), [['highest', 0], ['highest', 5], ['random', 5]]);
  assert.ok(Math.abs(s[2].mean - 0.15) < 1e-12);
});

test('subsets that would overlap are refused with the numbers', async () => {
  await assert.rejects(runErrorBarrier({ dataset: 'mnist', trainSubset: 100, subsetSize: 60, backend: 'wasm' }, { root: tempDir('lmc-bad') }), /2 x size <= 100/);
});
