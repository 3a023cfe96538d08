import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  calibrateJoint,
  confidentClasses,
  confidentJoint,
  confidentThresholds,
  estimateNoise,
  FILTERS,
  findLabelIssues,
  labelCounts,
  normalizedMargin,
  numLabelIssues,
  pruneCounts,
  rankIssues,
  roundPreservingRowTotals,
  selfConfidence,
} from '../../../../src/core/labelErrors/confidentLearning';
import { makeRng } from '../../../../src/core/random';

// Nine examples, three classes, two mislabelled: example 2 is labelled 0 but looks like 1, example 8 is labelled 2
// but looks like 0; example 4 is a hesitant 1 that reaches no threshold.
const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2];
const probs = [
  [0.9, 0.05, 0.05],
  [0.8, 0.1, 0.1],
  [0.1, 0.85, 0.05],
  [0.1, 0.8, 0.1],
  [0.2, 0.7, 0.1],
  [0.05, 0.9, 0.05],
  [0.1, 0.1, 0.8],
  [0.05, 0.05, 0.9],
  [0.7, 0.1, 0.2],
].flat();
const close = (a: number[], b: number[], what: string) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-12, `${what}[${i}]: ${v} vs ${b[i]}`));

test('thresholds are the mean self-confidence per class; confident classes by hand', () => {
  close(confidentThresholds(probs, labels, 3), [(0.9 + 0.8 + 0.1) / 3, (0.8 + 0.7 + 0.9) / 3, (0.8 + 0.9 + 0.2) / 3], 'thresholds');
  // Example 3 sits exactly at class 1's threshold (0.8) and counts; example 4 reaches none (-1).
  assert.deepEqual(Array.from(confidentClasses(probs, labels, 3)), [0, 0, 1, 1, -1, 1, 2, 2, 0]);
  assert.deepEqual(confidentThresholds([0.5, 0.5, 0.5, 0.5], [0, 0], 2), [0.5, Infinity]);
  assert.throws(() => confidentThresholds([0.5, 0.5], [0, 1], 2), /2 probabilities for 2 examples x 2 classes/);
});

test('the confident joint, its calibration, the noise matrices and the number of issues, by hand', () => {
  const cj = confidentJoint(probs, labels, 3);
  assert.deepEqual(cj, [
    [2, 1, 0],
    [0, 2, 0],
    [1, 0, 2],
  ]);
  const joint = calibrateJoint(cj, labelCounts(labels, 3));
  assert.deepEqual(joint, [
    [2, 1, 0],
    [0, 3, 0],
    [1, 0, 2],
  ]);
  assert.equal(numLabelIssues(joint, labels.length), 2);
  const e = estimateNoise(joint);
  e.noiseMatrix.forEach((row, g) => close(row, [[2 / 3, 1 / 4, 0], [0, 3 / 4, 0], [1 / 3, 0, 1]][g], `noise ${g}`));
  e.inverseNoiseMatrix.forEach((row, t) => close(row, [[2 / 3, 0, 1 / 3], [1 / 3, 1, 0], [0, 0, 2 / 3]][t], `inverse ${t}`));
  close(e.truePrior, [3 / 9, 4 / 9, 2 / 9], 'prior');
  // Calibration scales each row to its label count, then the whole to N, keeping integer row totals.
  assert.deepEqual(calibrateJoint([[5, 1], [2, 2]], [4, 6]), [[3, 1], [3, 3]]);
  assert.deepEqual(roundPreservingRowTotals([[0.5, 0.5, 1]]), [[1, 0, 1]]);
  // A diagonal below the minimum takes from its row's off-diagonals, the row total kept.
  assert.deepEqual(pruneCounts([[0, 3], [1, 2]], 1), [[1, 2], [1, 2]]);
});

test('every filter finds the two mislabelled examples; ranking puts the worst first', () => {
  for (const filter of FILTERS) {
    const mask = findLabelIssues(probs, labels, 3, { filter });
    assert.deepEqual(Array.from(mask.keys()).filter((i) => mask[i]), [2, 8], filter);
  }
  const mask = findLabelIssues(probs, labels, 3);
  assert.deepEqual(rankIssues(mask, normalizedMargin(probs, labels, 3)), [2, 8]);
  close(Array.from(normalizedMargin(probs, labels, 3)).filter((_, i) => mask[i]), [(0.1 - 0.85 + 1) / 2, (0.2 - 0.7 + 1) / 2], 'margin');
  close(Array.from(selfConfidence(probs, labels, 3)).filter((_, i) => mask[i]), [0.1, 0.2], 'self-confidence');
  // A class with no more than the minimum number of examples is never pruned.
  const kept = findLabelIssues(probs, labels, 3, { minExamplesPerClass: 3 });
  assert.equal(kept.reduce((a, v) => a + v, 0), 0);
});

test('on 3,000 synthetic examples with 15% flipped labels: most flips found, few false alarms, the count close', () => {
  const rng = makeRng(7);
  const n = 3000;
  const k = 4;
  const truth = Int32Array.from({ length: n }, () => rng.int(k));
  const given = Int32Array.from(truth);
  const flipped = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (rng.next() < 0.15) {
      given[i] = (truth[i] + 1 + rng.int(k - 1)) % k;
      flipped[i] = 1;
    }
  }
  // An informative but imperfect model: softmax of 2.5 on the true class plus uniform noise on every logit.
  const p = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const logits = Array.from({ length: k }, (_, j) => (j === truth[i] ? 2.5 : 0) + 2 * (rng.next() - 0.5));
    const m = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    e.forEach((v, j) => (p[i * k + j] = v / s));
  }
  const trueFlips = flipped.reduce((a, v) => a + v, 0);
  const estimate = numLabelIssues(calibrateJoint(confidentJoint(p, given, k), labelCounts(given, k)), n);
  assert.ok(Math.abs(estimate - trueFlips) / trueFlips < 0.25, `estimated ${estimate} issues, ${trueFlips} flipped`);
  const mask = findLabelIssues(p, given, k);
  let tp = 0;
  let found = 0;
  for (let i = 0; i < n; i++) {
    found += mask[i];
    tp += mask[i] & flipped[i];
  }
  assert.ok(tp / found > 0.8, `precision ${tp / found}`);
  assert.ok(tp / trueFlips > 0.7, `recall ${tp / trueFlips}`);
});
