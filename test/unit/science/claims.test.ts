import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runPruneSweep, type RetrainRow, type PrunePoint } from '../../../src/core/experiments/pruneSweep';
import { runScores } from '../../../src/core/experiments/scoreRun';
import { tempDir } from '../helpers/paths';

/**
 * What the papers predict, checked on real MNIST at a scale that runs in about a minute: these fail when the
 * science breaks (a scoring bug, a seeding flaw, a training regression), not only when the code throws. The margins
 * are set from measurements, far from the thresholds; the randomness is the product's, not tuned per seed.
 */
const base = { dataset: 'mnist', model: 'cnn-small' as const, width: 1, trainSubset: 4000, validation: 0, batchSize: 32, lr: 0.0125, epochs: 2, backend: 'wasm' as const };

const sweepTable = (root: string, id: string) =>
  JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', id, 'prune-sweep.json'), 'utf8')) as { rows: RetrainRow[]; summary: PrunePoint[] };

test('10% permuted labels: EL2N at epoch 1 finds them (AUROC >= 0.95), and the random baseline keeps its hypergeometric share', async () => {
  const root = tempDir('claims-noise');
  const noisy = await runScores({ ...base, scores: ['el2n'], scoreEpoch: 1, runs: 1, labelNoise: 0.1 }, { root });
  assert.equal(noisy.status, 'done', noisy.error);
  const auroc = (noisy.results as { detection: { el2n: { auroc: number } } }).detection.el2n.auroc;
  assert.ok(auroc >= 0.95, `EL2N AUROC ${auroc.toFixed(3)} < 0.95`);

  // Which labels are corrupted does not depend on training, so one step per retraining is enough here.
  const sweep = await runPruneSweep({ ...base, scoresFrom: noisy.id, strategies: ['random'], fractions: [0.5, 0.9], seeds: 3, steps: 1 }, { root });
  assert.equal(sweep.status, 'done', sweep.error);
  const rows = sweepTable(root, sweep.id).rows;
  const full = rows.find((r) => r.strategy === 'full data')!;
  const n = full.kept;
  const corrupted = full.corruptedKept!;
  assert.ok(corrupted > 0.08 * n && corrupted < 0.1 * n, `${corrupted} corrupted of ${n}`);
  for (const r of rows.filter((x) => x.strategy === 'random')) {
    // Hypergeometric: mean k C / N, variance k (C/N)(1 - C/N)(N - k)/(N - 1); 6 rows at |z| < 3.8 is a 0.1%
    // family-wise false alarm rate. Under the old seeding every corrupted label was kept (z > 40 here).
    const p = corrupted / n;
    const z = (r.corruptedKept! - r.kept * p) / Math.sqrt((r.kept * p * (1 - p) * (n - r.kept)) / (n - 1));
    assert.ok(Math.abs(z) < 3.8, `random ${r.fractionPruned * 100}% pruned, repeat ${r.repeat}: kept ${r.corruptedKept} of ${corrupted} corrupted in ${r.kept} (expected ${(r.kept * p).toFixed(1)}, z = ${z.toFixed(1)})`);
  }
});

test('clean labels: class-balanced EL2N keep-top beats random at 70% pruned, mean over 3 repeats', async () => {
  const root = tempDir('claims-prune');
  const scores = await runScores({ ...base, scores: ['el2n'], scoreEpoch: 1, runs: 2 }, { root });
  assert.equal(scores.status, 'done', scores.error);
  const sweep = await runPruneSweep({ ...base, scoresFrom: scores.id, strategies: ['keep-top', 'random'], fractions: [0.7], seeds: 3, classBalanced: true }, { root });
  assert.equal(sweep.status, 'done', sweep.error);
  const { summary, rows } = sweepTable(root, sweep.id);
  const at = (strategy: string) => summary.find((p) => p.strategy === strategy && Math.abs(p.fractionPruned - 0.7) < 1e-9)!;
  const el2n = at('keep-top');
  const random = at('random');
  const detail = rows.map((r) => `${r.strategy} ${r.repeat}: ${(100 * r.testAccuracy).toFixed(2)}%`).join('; ');
  assert.ok(el2n.mean > random.mean, `EL2N ${(100 * el2n.mean).toFixed(2)}% vs random ${(100 * random.mean).toFixed(2)}% (${detail})`);
});
