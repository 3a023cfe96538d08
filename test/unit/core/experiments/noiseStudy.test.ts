import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../helpers/paths';
import { groupStats, runNoiseStudy, type NoiseStudyTable } from '../../../../src/core/experiments/noiseStudy';
import { makeRng } from '../../../../src/core/random';
import { fakeScoreRun } from './fakeScoreRun';

test('group statistics of clean and corrupted examples', () => {
  const s = groupStats([1, 2, 3, 4, 10, NaN], [0, 0, 0, 0, 1, 0], 0);
  assert.deepEqual({ ...s }, { count: 4, mean: 2.5, median: 2.5, p16: 1 + 0.16 * 3, p84: 1 + 0.84 * 3 });
  assert.equal(groupStats([1, 2], [1, 1], 0).count, 0);
});

test('noise study of a noisy score run: AUROC and distributions per score; refuses runs without noise', async () => {
  const root = tempDir('noise-study');
  const n = 1000;
  const rng = makeRng(3);
  const corrupted = Float32Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0));
  // "el2n" separates the corrupted examples perfectly, "aum" (low = suspicious) too, "flat" not at all.
  const el2n = Float32Array.from(corrupted, (c) => c + rng.next() * 0.9);
  const aum = Float32Array.from(el2n, (v) => -v);
  const flat = Float32Array.from(corrupted, () => rng.next());
  const index = Int32Array.from({ length: n }, (_, i) => i);
  const label = Int32Array.from({ length: n }, (_, i) => i % 7);
  const id = fakeScoreRun(root, [el2n, aum, flat].map((v, j) => ({ name: ['el2n', 'aum', 'flat'][j], index, label, perRun: [v], extra: { corrupted } })), 10, { labelNoise: 0.1 });
  const m = await runNoiseStudy({ scoresFrom: id }, { root });
  assert.equal(m.status, 'done', m.error);
  const t = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', m.id, 'noise-study.json'), 'utf8')) as NoiseStudyTable;
  assert.equal(t.corrupted, 100);
  assert.equal(t.labelNoise, 0.1);
  const [e, a, f] = t.scores;
  assert.equal(e.auroc, 1);
  assert.equal(a.auroc, 1, 'AUM is negated: low margin = suspicious');
  assert.ok(Math.abs(f.auroc - 0.5) < 0.1, `flat ${f.auroc}`);
  assert.equal(e.precisionAt['100'], 1);
  assert.equal(e.clean.count, 900);
  assert.ok(e.corruptedStats.median > 1 && e.clean.median < 1);
  const clean = fakeScoreRun(root, [{ name: 'el2n', index, label, perRun: [el2n] }]);
  await assert.rejects(runNoiseStudy({ scoresFrom: clean }, { root }), /injected no label noise; score with --label-noise/);
});
