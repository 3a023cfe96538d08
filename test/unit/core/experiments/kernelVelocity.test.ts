import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runKernelVelocity, windowStarts } from '../../../../src/core/experiments/kernelVelocity';
import { kernelVelocity } from '../../../../src/core/charts/kernelVelocity';
import { renderSvg } from '../../../../src/core/charts/render';
import { tempDir } from '../../helpers/paths';

test('window starts spread from the lowest to the highest scores', () => {
  assert.deepEqual(windowStarts(100, 10, 4), [0, 30, 60, 90]);
  assert.deepEqual(windowStarts(100, 10, 1), [0]);
  assert.throws(() => windowStarts(5, 10, 2), /window size must be an integer in \[1, 5\]/);
});

test('kernel velocity on real MNIST: a velocity per window and epoch, in [0, 1], charted', async () => {
  const root = tempDir('kv');
  const m = await runKernelVelocity({ dataset: 'mnist', model: 'cnn-small', width: 0.25, trainSubset: 300, batchSize: 50, epochs: 2, windows: 4, windowSize: 10, backend: 'wasm' }, { root });
  assert.equal(m.status, 'done', m.error);
  const table = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', m.id, 'kernel-velocity.json'), 'utf8'));
  assert.equal(table.rows.length, 2 * 4, 'epochs 0->1 and 1->2, 4 windows each');
  assert.deepEqual([...new Set(table.rows.map((r: { epoch: number }) => r.epoch))], [0, 1]);
  for (const r of table.rows) assert.ok(r.velocity > 0 && r.velocity <= 1, String(r.velocity));
  // Windows are in ascending score order.
  const e0 = table.rows.filter((r: { epoch: number }) => r.epoch === 0);
  for (let i = 1; i < e0.length; i++) assert.ok(e0[i].meanScore >= e0[i - 1].meanScore);
  // The first epoch moves the kernel more than the second, on average (fast early phase, Fort et al.).
  const mean = (e: number) => table.rows.filter((r: { epoch: number }) => r.epoch === e).reduce((s: number, r: { velocity: number }) => s + r.velocity, 0) / 4;
  assert.ok(mean(0) > mean(1), `${mean(0)} vs ${mean(1)}`);
  const svg = await renderSvg(kernelVelocity({ rows: table.rows, windowSize: table.windowSize, score: table.score }));
  assert.match(svg, /mark-line role-mark/);
});

test('a linear model has a constant NTK: its velocity is 0 at every window (the Jacobian is the input)', async () => {
  const root = tempDir('kv-linear');
  const m = await runKernelVelocity({ dataset: 'mnist', model: 'linear', trainSubset: 200, batchSize: 50, epochs: 1, windows: 2, windowSize: 5, backend: 'wasm' }, { root });
  assert.equal(m.status, 'done', m.error);
  const table = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', m.id, 'kernel-velocity.json'), 'utf8'));
  assert.equal(table.rows.length, 2);
  for (const r of table.rows) assert.ok(r.velocity < 1e-6, String(r.velocity));
});

test('kernel velocity with label noise (the paper\'s Fig. 3, right): trained and sorted on the corrupted labels', async () => {
  const root = tempDir('kv-noise');
  const cfg = { dataset: 'mnist', model: 'cnn-small' as const, width: 0.25, trainSubset: 300, batchSize: 50, epochs: 1, windows: 3, windowSize: 10, backend: 'wasm' as const };
  const clean = await runKernelVelocity(cfg, { root });
  const noisy = await runKernelVelocity({ ...cfg, labelNoise: 0.3 }, { root });
  assert.equal(noisy.status, 'done', noisy.error);
  assert.equal((noisy.config as { labelNoise: number }).labelNoise, 0.3);
  const rows = (id: string) => JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', id, 'kernel-velocity.json'), 'utf8')).rows as { meanScore: number }[];
  // Same initialization and data order, other labels: the EL2N that sorts the windows is of the corrupted labels.
  const a = rows(clean.id).map((r) => r.meanScore);
  const b = rows(noisy.id).map((r) => r.meanScore);
  assert.equal(a.length, b.length);
  assert.notDeepEqual(a, b);
});
