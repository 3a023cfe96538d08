import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../helpers/paths';
import { labelEntropyCurves, runLabelEntropy, type LabelEntropyTable } from '../../../../src/core/experiments/labelEntropyCurve';
import { defaultKs, resolveKs } from '../../../../src/core/experiments/scoreRunRef';
import { createRun } from '../../../../src/core/store/runStore';
import { makeRng } from '../../../../src/core/random';
import { fakeScoreRun } from './fakeScoreRun';

/** Slow reference (no ties): sort by score, count the labels of the first k, Shannon entropy in nats. */
function refEntropy(scores: ArrayLike<number>, labels: ArrayLike<number>, k: number, classes: number): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const counts = new Array(classes).fill(0);
  for (const i of order.slice(0, k)) counts[labels[i]]++;
  return -counts.filter((c) => c > 0).reduce((s, c) => s + (c / k) * Math.log(c / k), 0);
}

const n = 2000;
const rng = makeRng(4);
const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
// "hard" scores concentrate on classes 3 and 8; "flat" ones ignore the class.
const hard = Float32Array.from(labels, (y) => (y === 3 || y === 8 ? 1 : 0) + rng.next());
const flat = Float32Array.from(labels, () => rng.next());

test('default and user ks', () => {
  assert.deepEqual(defaultKs(2000), [10, 20, 50, 100, 200, 500, 1000, 2000]);
  assert.deepEqual(defaultKs(7), [7]);
  assert.deepEqual(resolveKs(2000, [0.5, 100, 100, 10]), [10, 100, 1000]);
  assert.throws(() => resolveKs(100, [200]), /k = 200 exceeds the 100 scored examples/);
  assert.throws(() => resolveKs(100, [2.5]), /not a whole number/);
});

test('entropy curves match the slow reference; class-concentrated scores sit far below the uniform baseline', () => {
  const ks = [10, 100, 400, 1000, 2000];
  const t = labelEntropyCurves([{ name: 'hard', values: hard }, { name: 'flat', values: flat }], labels, ks, { numClasses: 10, seed: 1, randomDraws: 5 });
  t.series.forEach((s, si) => ks.forEach((k, j) => assert.ok(Math.abs(s.entropy[j] - refEntropy(si === 0 ? hard : flat, labels, k, 10)) < 1e-9)));
  assert.ok(Math.abs(t.uniform - Math.log(10)) < 1e-12);
  assert.ok(Math.abs(t.dataset - Math.log(10)) < 1e-12, 'balanced labels');
  assert.ok(Math.abs(t.series[0].entropy[2] - Math.LN2) < 1e-9, 'top 400 of "hard" are exactly classes 3 and 8');
  assert.ok(t.series[1].entropy[2] > 2.2);
  assert.ok(t.random[3] > 2.28 && t.random[3] <= Math.log(10) + 1e-12, `random top-1000 ${t.random[3]}`);
  assert.ok(Math.abs(t.random[4] - Math.log(10)) < 1e-12, 'k = N: everything');
});

test('entropy job reads a score run and writes label-entropy.json; clear errors for wrong runs and tables', async () => {
  const root = tempDir('entropy');
  const index = Int32Array.from({ length: n }, (_, i) => 3 * i);
  const id = fakeScoreRun(root, [{ name: 'el2n', index, label: labels, perRun: [hard] }, { name: 'grand', index, label: labels, perRun: [flat] }]);
  const m = await runLabelEntropy({ scoresFrom: id, ks: [100, 0.5] }, { root });
  assert.equal(m.status, 'done', m.error);
  assert.equal(m.kind, 'entropy');
  const t = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', m.id, 'label-entropy.json'), 'utf8')) as LabelEntropyTable;
  assert.deepEqual(t.ks, [100, 1000]);
  assert.deepEqual(t.series.map((s) => s.score), ['el2n', 'grand']);
  assert.ok(Math.abs(t.series[0].entropy[0] - refEntropy(hard, labels, 100, 10)) < 1e-9);
  assert.equal(t.scoreRun, id);
  await assert.rejects(runLabelEntropy({ scoresFrom: id, scores: ['aum'] }, { root }), /has no "aum" table .* it has: el2n, grand/);
  await assert.rejects(runLabelEntropy({ scoresFrom: 'nope' }, { root }), /score run "nope" not found/);
  const train = createRun(root, { kind: 'train', config: {}, seeds: {}, versions: {} });
  await assert.rejects(runLabelEntropy({ scoresFrom: train.id }, { root }), /is a train run, not a score run/);
});
