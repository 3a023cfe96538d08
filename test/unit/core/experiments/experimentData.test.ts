import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noisePairsOf, prepareData } from '../../../../src/core/experiments/experimentData';
import { stepBudgetWarning } from '../../../../src/core/experiments/budgetWarnings';
import { DEFAULT_VALIDATION, PRUNE_DEFAULTS, SCORE_DEFAULTS, TRAIN_DEFAULTS, WINDOW_DEFAULTS } from '../../../../src/contract/jobDefaults';

test('one validation default for train, score, prune and window', () => {
  for (const d of [TRAIN_DEFAULTS, SCORE_DEFAULTS, PRUNE_DEFAULTS, WINDOW_DEFAULTS]) assert.equal(d.validation, DEFAULT_VALIDATION);
});

test('a validation fraction is of the --subset examples used, and held out of them', async () => {
  const d = await prepareData({ dataset: 'mnist', validation: 0.1, seed: 0, trainSubset: 500 });
  assert.equal(d.valIndices.length, 50, '10% of the 500 used, not of the 60,000');
  assert.equal(d.trainIndices.length, 450);
  assert.equal(d.record.valSize, 50);
  const val = new Set(d.valIndices);
  assert.ok(d.trainIndices.every((i) => !val.has(i)), 'disjoint');
  // The same seed and subset without validation uses the same 500: a score run with --validation 0 covers them.
  const all = new Set((await prepareData({ dataset: 'mnist', validation: 0, seed: 0, trainSubset: 500 })).trainIndices);
  assert.equal(all.size, 500);
  assert.ok([...d.trainIndices, ...d.valIndices].every((i) => all.has(i)));
  // Without a subset the fraction is of the whole train split.
  assert.equal((await prepareData({ dataset: 'mnist', validation: 0.1, seed: 0 })).valIndices.length, 6000);
});

test('a validation count the subset cannot hold is refused, naming both options', async () => {
  await assert.rejects(() => prepareData({ dataset: 'mnist', validation: 500, seed: 0, trainSubset: 500 }), /--validation 500 cannot be held out of the 500 examples of --subset 500/);
});

test('a tiny SGD budget is flagged with what to change; a sound one or scores at initialization are not', () => {
  const w = stepBudgetWarning({ steps: 33, examples: 1400, batchSize: 128 });
  assert.match(w!, /only 33 SGD steps in all \(1,400 training examples in batches of 128 = 11 per epoch\)/);
  assert.match(w!, /--epochs 10 or more, or a smaller --batch-size/);
  assert.equal(stepBudgetWarning({ steps: 100, examples: 1400, batchSize: 128 }), undefined);
  assert.equal(stepBudgetWarning({ steps: 0, examples: 1400, batchSize: 128 }), undefined);
});

test('pairs noise relabels a fraction of each look-alike class as its pair, and only those; other datasets are refused', async () => {
  const d = await prepareData({ dataset: 'mnist', validation: 0, seed: 3, trainSubset: 2000, labelNoise: 0.2, noiseKind: 'pairs' });
  const pairs = new Map([[2, 7], [3, 8], [5, 6], [6, 5], [7, 1]]);
  const perClass = new Map<number, number>();
  for (const i of d.trainIndices) perClass.set(d.cleanLabels[i], (perClass.get(d.cleanLabels[i]) ?? 0) + 1);
  const flipped = new Map<number, number>();
  for (const i of d.trainIndices) {
    if (!d.corrupted![i]) continue;
    const from = d.cleanLabels[i];
    assert.equal(d.train.labels[i], pairs.get(from), `example ${i} of class ${from} went to its pair`);
    flipped.set(from, (flipped.get(from) ?? 0) + 1);
  }
  for (const [from] of pairs) assert.equal(flipped.get(from), Math.round(0.2 * perClass.get(from)!), `class ${from}`);
  assert.equal([...flipped.keys()].filter((c) => !pairs.has(c)).length, 0);
  // The same seed and draw give the same noise; uniform noise is another draw of the same stream's purpose.
  const again = await prepareData({ dataset: 'mnist', validation: 0, seed: 3, trainSubset: 2000, labelNoise: 0.2, noiseKind: 'pairs' });
  assert.deepEqual(again.corrupted, d.corrupted);
  assert.equal(noisePairsOf('fashion-mnist', 'fashion-mnist').length, 6);
  assert.throws(() => noisePairsOf('folder', 'folder:/data/pets'), /--noise-kind pairs needs the look-alike classes of the dataset, known for mnist and fashion-mnist, not folder:\/data\/pets; use --noise-kind uniform/);
});
