import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { auroc, averagePrecision, precisionAtK } from '../../../../src/core/analysis/auroc';
import { membershipByEnumeration } from '../select/reference';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('match sklearn roc_auc_score / average_precision_score on the documented example', () => {
  const y = Uint8Array.from([0, 0, 1, 1]);
  const s = Float32Array.from([0.1, 0.4, 0.35, 0.8]);
  close(auroc(s, y), 0.75);
  close(averagePrecision(s, y), 0.8333333333333333);
});

test('ties: AUROC counts a tied pair as half; AP treats a tie group as one threshold', () => {
  close(auroc([0.5, 0.5], [0, 1]), 0.5);
  // Pairs (pos, neg): (0.5, 0.1) 1, (0.5, 0.5) 0.5, (0.7, .) 2, (0.2, 0.1) 1, (0.2, 0.5) 0  -> 4.5 / 6
  close(auroc([0.1, 0.5, 0.5, 0.7, 0.2], [0, 0, 1, 1, 1]), 0.75);
  // Thresholds: 1 -> P 1/2, R 1/2; 0.5 -> P 2/4, R 1. AP = 0.5 * 0.5 + 0.5 * 0.5.
  close(averagePrecision([1, 1, 0.5, 0.5], [1, 0, 1, 0]), 0.5);
  // Constant scores: AP is the positive rate (sklearn gives the same).
  close(averagePrecision([3, 3, 3, 3, 3], [1, 0, 0, 1, 0]), 0.4);
  // Perfect and reversed rankings.
  assert.equal(auroc([1, 2, 3, 4], [0, 0, 1, 1]), 1);
  assert.equal(auroc([4, 3, 2, 1], [0, 0, 1, 1]), 0);
  assert.equal(averagePrecision([1, 2, 3, 4], [0, 0, 1, 1]), 1);
  // AP with the positive ranked 1st and 3rd: (1/2) * 1 + (1/2) * (2/3).
  close(averagePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0]), 0.5 + 1 / 3);
});

test('precision@k, with the straddling tie group counted in proportion', () => {
  const s = [0.1, 0.4, 0.35, 0.8];
  const y = [0, 0, 1, 1];
  assert.equal(precisionAtK(s, y, 1), 1);
  assert.equal(precisionAtK(s, y, 2), 0.5);
  assert.equal(precisionAtK(s, y, 4), 0.5);
  // Top 2 of [5, 3, 3, 3]: example 0, then one of three tied (one of them positive) -> (1 + 1/3) / 2.
  close(precisionAtK([5, 3, 3, 3], [1, 1, 0, 0], 2), 2 / 3);
});

test('undefined metrics are NaN; bad inputs are refused', () => {
  assert.ok(Number.isNaN(auroc([1, 2], [0, 0])));
  assert.ok(Number.isNaN(auroc([1, 2], [1, 1])));
  assert.ok(Number.isNaN(averagePrecision([1, 2], [0, 0])));
  assert.equal(averagePrecision([1, 2], [1, 1]), 1);
  assert.throws(() => auroc([1, 2], [0]), /auroc: 2 scores but 1 positive flags/);
  assert.throws(() => auroc([1, 2], [0, 2]), /flag of example 1 is 2; positives must be 0 or 1/);
  assert.throws(() => averagePrecision([NaN, 2], [0, 1]), /score of example 0 is NaN/);
  assert.throws(() => precisionAtK([1, 2], [0, 1], 0), /k must be an integer in \[1, 2\]/);
});

/** Brute-force AUROC over all positive-negative pairs. */
function pairAuroc(s: number[], y: number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < s.length; i++) {
    for (let j = 0; j < s.length; j++) {
      if (y[i] === 1 && y[j] === 0) {
        den++;
        num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
    }
  }
  return num / den;
}

/** AP straight from the definition: for each distinct threshold t (descending), precision and recall of {s >= t}. */
function definitionAp(s: number[], y: number[]): number {
  const pos = y.reduce((a, b) => a + b, 0);
  const thresholds = [...new Set(s)].sort((a, b) => b - a);
  let ap = 0;
  let prev = 0;
  for (const t of thresholds) {
    const sel = s.map((v, i) => [v, y[i]]).filter(([v]) => v >= t);
    const tp = sel.filter(([, l]) => l === 1).length;
    const r = tp / pos;
    ap += (r - prev) * (tp / sel.length);
    prev = r;
  }
  return ap;
}

const labelled = (maxLength: number) =>
  fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength }).map((rows) => ({
    s: rows.map((r) => r[0]),
    y: rows.map((r) => r[1]),
  }));

test('AUROC equals the pairwise statistic and AP its definition, with heavy ties (property)', () => {
  fc.assert(
    fc.property(labelled(40), ({ s, y }) => {
      const p = y.reduce((a, b) => a + b, 0);
      fc.pre(p > 0 && p < y.length);
      close(auroc(s, y), pairAuroc(s, y));
      close(averagePrecision(s, y), definitionAp(s, y));
      // Flipping the score flips the AUROC.
      close(auroc(s.map((v) => -v), y), 1 - auroc(s, y));
    }),
  );
});

test('precision@k is the expectation over random tie-breaks (property)', () => {
  fc.assert(
    fc.property(labelled(6).chain((d) => fc.tuple(fc.constant(d), fc.integer({ min: 1, max: d.s.length }))), ([{ s, y }, k]) => {
      const m = membershipByEnumeration(s, k);
      close(precisionAtK(s, y, k), m.reduce((a, v, i) => a + v * y[i], 0) / k);
    }),
  );
});
