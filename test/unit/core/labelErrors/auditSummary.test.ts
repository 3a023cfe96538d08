import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditSummaryLines, noiseRateText } from '../../../../src/core/labelErrors/auditSummary';

const results = {
  folds: 5,
  foldsDone: 5,
  complete: true,
  rows: 70000,
  trainRows: 60000,
  testRows: 10000,
  outOfFoldAccuracy: 0.9812,
  outOfFoldAccuracyBySplit: { train: 0.981, test: 0.9822 },
  foldAccuracy: [0.98, 0.982].map((accuracy, fold) => ({ fold, accuracy })),
  filter: 'prune_by_noise_rate',
  estimatedIssues: 812,
  flagged: 790,
  topNoiseRates: [{ given: 1, true: 7, rate: 0.04 }, { given: 5, true: 3, rate: 0.011 }],
};

test('noise rates in words: digits as "7s", named classes quoted', () => {
  assert.equal(noiseRateText({ given: 1, true: 7, rate: 0.04 }), 'about 4.0% of 7s are labelled 1');
  assert.equal(noiseRateText({ given: 0, true: 6, rate: 0.123 }, ['T-shirt', 'a', 'b', 'c', 'd', 'e', 'shirt']), 'about 12.3% of "shirt" are labelled T-shirt');
});

test('the audit summary: rows by split, out-of-fold accuracy, the estimate, the noise, files and the next step', () => {
  const lines = auditSummaryLines({ id: 'r1', results }, '/w/.datadiet/runs/r1');
  assert.match(lines[0], /audited +70,000 rows \(60,000 train, 10,000 test\) in 5 folds stratified by label/);
  assert.match(lines[1], /out-of-fold +accuracy 98\.1% \(train 98\.1%, test 98\.2%\); per fold 98\.0%, 98\.2%/);
  assert.match(lines[2], /about 812 estimated by confident learning; 790 flagged \(filter prune_by_noise_rate\)/);
  assert.match(lines[3], /noise +about 4\.0% of 7s are labelled 1$/);
  assert.match(lines[4], /^ +about 1\.1% of 3s are labelled 5$/);
  assert.equal(lines.at(-1), '  next            datadiet suspects --run r1');
  const partial = auditSummaryLines({ id: 'r2', results: { ...results, complete: false, foldsDone: 3 } }, '/d');
  assert.ok(partial.some((l) => /3 of 5 folds finished: .*datadiet runs resume r2 runs the rest/.test(l)));
  assert.deepEqual(auditSummaryLines({ id: 'r3', results: undefined }, '/d'), []);
});
