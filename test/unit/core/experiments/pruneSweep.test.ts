import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pruneExperiment, resolvePruneConfig, runPruneSweep, summarize } from '../../../../src/core/experiments/pruneSweep';
import { runScores } from '../../../../src/core/experiments/scoreRun';
import { createRun } from '../../../../src/core/store/runStore';
import { tempDir } from '../../helpers/paths';

// Width 0.5 at batch 25 and lr 0.025 learns in 48 steps from any initialization (78-87% test accuracy over 8 seeds);
// width 0.25 at batch 50 collapsed to chance from some.
const base = { dataset: 'mnist', model: 'cnn-small' as const, width: 0.5, trainSubset: 600, validation: 0, batchSize: 25, lr: 0.025, backend: 'wasm' as const };

test('prune sweep: every fraction x strategy x seed retrains with the full-data budget and reports mean and band', async () => {
  const root = tempDir('prune');
  const scores = await runScores({ ...base, epochs: 1, scoreEpoch: 1, runs: 1, scores: ['el2n'] }, { root });
  const m = await runPruneSweep({ ...base, scoresFrom: scores.id, epochs: 2, fractions: [0.5], strategies: ['keep-top', 'random'], seeds: 2 }, { root });
  assert.equal(m.status, 'done', m.error);
  const table = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', m.id, 'prune-sweep.json'), 'utf8'));
  assert.equal(table.rows.length, 2 * (1 + 2));
  assert.equal(table.steps, 2 * 24, 'budget = 2 epochs of the 600 examples at batch 25, for every subset');
  for (const r of table.rows) {
    assert.equal(r.kept, r.strategy === 'full data' ? 600 : 300);
    assert.ok(r.testAccuracy > 0.3, `${r.strategy}: ${r.testAccuracy}`);
    // The test split is evaluated once per full-data epoch (24 steps), not after each of the half subset's 4 passes.
    assert.deepEqual(r.curve.map((p: { step: number }) => p.step), [24, 48], r.strategy);
    assert.equal(r.curve.at(-1).testAccuracy, r.testAccuracy);
  }
  const full = table.summary.find((p: { strategy: string }) => p.strategy === 'full data');
  assert.ok(full.lo <= full.mean && full.mean <= full.hi);
  assert.equal(table.summary.length, 3);
});

test('prune sweep refuses scores of a different dataset or a run that is not a score run', async () => {
  const root = tempDir('prune-bad');
  const other = createRun(root, { kind: 'score', config: {}, seeds: {}, versions: {} });
  other.finish('done', { dataset: { spec: 'x', name: 'x', fingerprint: 'f'.repeat(64), shape: [1, 1, 1], numClasses: 2, trainSize: 1, valSize: 0, testSize: 1 } });
  await assert.rejects(runPruneSweep({ ...base, scoresFrom: other.id }, { root }), /scored a different dataset/);
  const train = createRun(root, { kind: 'train', config: {}, seeds: {}, versions: {} });
  await assert.rejects(runPruneSweep({ ...base, scoresFrom: train.id }, { root }), /is a train run, not a score run/);
  await assert.rejects(runPruneSweep({ ...base, scoresFrom: 'nope' }, { root }), /score run "nope" not found/);
});

test('summary bands: lo <= mean <= hi, grouped per strategy and fraction', () => {
  const rows = [0.9, 0.8, 0.85, 0.95].map((a, i) => ({ strategy: 'random', fractionPruned: 0.5, kept: 5, repeat: i, testAccuracy: a }));
  const [p] = summarize(rows);
  assert.ok(Math.abs(p.mean - 0.875) < 1e-12);
  assert.ok(p.lo >= 0.8 && p.lo <= p.mean && p.hi <= 0.95 && p.hi >= p.mean);
});

test('--no-full-data: the sweep leaves out the full-data retrainings (another sweep with the same seed has them)', () => {
  const keys = (fullData?: boolean) => pruneExperiment.plan(resolvePruneConfig({ dataset: 'mnist', scoresFrom: 'x', fractions: [0.3, 0.5], strategies: ['keep-top'], seeds: 2, ...(fullData === undefined ? {} : { fullData }) })).map((u) => u.key);
  assert.deepEqual(keys(), ['full-r0', 'keep-top-f0.3-r0', 'keep-top-f0.5-r0', 'full-r1', 'keep-top-f0.3-r1', 'keep-top-f0.5-r1']);
  // The pruned points keep their keys: a run made with and one without the baseline name the same retrainings alike.
  assert.deepEqual(keys(false), ['keep-top-f0.3-r0', 'keep-top-f0.5-r0', 'keep-top-f0.3-r1', 'keep-top-f0.5-r1']);
});

