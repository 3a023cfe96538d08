import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { queuePrecisionAt, rankSuspects, suspectQuality, suspicionFromProbs } from '../../../../src/core/annotations/suspects';
import { softmaxRows, summarizePredictions } from '../../../../src/core/annotations/predictions';

/** Slow reference: sort the other classes' probabilities and take the largest. */
function refSuspicion(probs: number[], labels: number[], k: number): number[] {
  return labels.map((y, r) => {
    const row = probs.slice(r * k, r * k + k);
    const others = row.filter((_, c) => c !== y).sort((a, b) => b - a);
    return others[0] - row[y];
  });
}

test('suspicion is the best other class minus the label, matching a sort-based reference', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 20 }), fc.integer(), (k, n, seed) => {
      let s = seed >>> 0;
      const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
      const logits = Array.from({ length: n * k }, () => 6 * rnd() - 3);
      const probs = Array.from(softmaxRows(logits, k));
      const labels = Array.from({ length: n }, () => Math.floor(rnd() * k));
      const got = suspicionFromProbs(probs, labels, k);
      refSuspicion(probs, labels, k).forEach((v, i) => assert.ok(Math.abs(v - got[i]) < 1e-6));
    }),
  );
});

test('softmax rows sum to one and survive huge logits', () => {
  const p = softmaxRows([1000, 0, -1000, 1, 2, 3], 3);
  assert.ok(Math.abs(p[0] - 1) < 1e-6 && p[1] < 1e-30);
  const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const z = e[0] + e[1] + e[2];
  e.forEach((v, c) => assert.ok(Math.abs(p[3 + c] - v / z) < 1e-6));
});

test('a confidently disagreeing prediction is flagged and comes first; agreement is not flagged', () => {
  // Rows: agrees (label 0, p0 .9), disagrees strongly (label 1, p2 .95), disagrees weakly (label 0, p1 .5 vs .45).
  const probs = Float32Array.from([0.9, 0.05, 0.05, 0.02, 0.03, 0.95, 0.45, 0.5, 0.05]);
  const r = rankSuspects({ probs, label: Int32Array.from([0, 1, 0]), numClasses: 3 }, { threshold: 0.5 });
  assert.deepEqual(Array.from(r.order), [1, 2, 0]);
  assert.deepEqual(Array.from(r.flagged), [0, 1, 0]);
  assert.equal(r.count, 1);
  // A lower threshold flags the weak disagreement too.
  assert.equal(rankSuspects({ probs, label: Int32Array.from([0, 1, 0]), numClasses: 3 }, { threshold: 0 }).count, 2);
  assert.throws(() => rankSuspects({ probs, label: Int32Array.from([0, 1, 0]), numClasses: 3 }, { threshold: 2 }), /threshold must be in \[-1, 1\]/);
});

test('ties in suspicion are broken by the tie-break score, then by row', () => {
  const probs = Float32Array.from([0, 1, 0, 1, 0, 1]);
  const r = rankSuspects({ probs, label: Int32Array.from([0, 0, 0]), numClasses: 2 }, { tieBreak: [0.1, 0.9, 0.5] });
  assert.deepEqual(Array.from(r.order), [1, 2, 0]);
  const plain = rankSuspects({ probs, label: Int32Array.from([0, 0, 0]), numClasses: 2 });
  assert.deepEqual(Array.from(plain.order), [0, 1, 2]);
});

test('queue precision counts corrupted rows among the first k; quality reports flagged precision and recall', () => {
  assert.equal(queuePrecisionAt([3, 1, 0, 2], [0, 1, 0, 1], 2), 1);
  assert.equal(queuePrecisionAt([0, 1, 2, 3], [0, 1, 0, 1], 4), 0.5);
  const probs = Float32Array.from([0.9, 0.1, 0.1, 0.9, 0.2, 0.8, 0.6, 0.4]);
  const r = rankSuspects({ probs, label: Int32Array.from([0, 0, 0, 0]), numClasses: 2 });
  const q = suspectQuality(r, [0, 1, 0, 0], [1, 2, 4]);
  assert.equal(q.flagged, 2); // rows 1 (0.8) and 2 (0.6)
  assert.deepEqual(q.precisionAt, { '1': 1, '2': 0.5, '4': 0.25 });
  assert.equal(q.flaggedPrecision, 0.5);
  assert.equal(q.flaggedRecall, 1);
});

test('predictions average softmax over runs and pick the argmax with its probability', () => {
  const p = summarizePredictions(Int32Array.from([4, 7]), Int32Array.from([0, 1]), [Float32Array.from([0.8, 0.2, 0.4, 0.6]), Float32Array.from([0.4, 0.6, 0.2, 0.8])], 2);
  assert.deepEqual(Array.from(p.predicted), [0, 1]);
  assert.ok(Math.abs(p.confidence[0] - 0.6) < 1e-6 && Math.abs(p.labelProb[1] - 0.7) < 1e-6);
  assert.throws(() => summarizePredictions(Int32Array.from([0]), Int32Array.from([0]), [new Float32Array(3)], 2), /expected 1 x 2/);
});

test('confident learning flags the confidently-other examples, as many as the noise, least self-confident first', () => {
  // 3 classes, 9 rows; rows 2 and 7 are labelled against a confident prediction, row 4 is merely unsure.
  const probs = [
    [0.9, 0.05, 0.05], [0.8, 0.1, 0.1], [0.05, 0.9, 0.05],
    [0.1, 0.8, 0.1], [0.4, 0.35, 0.25], [0.05, 0.9, 0.05],
    [0.1, 0.1, 0.8], [0.95, 0.03, 0.02], [0.05, 0.05, 0.9],
  ].flat();
  const label = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]);
  const r = rankSuspects({ probs: Float32Array.from(probs), label, numClasses: 3 }, { method: 'confident-learning' });
  assert.equal(r.method, 'confident-learning');
  assert.deepEqual(Array.from(r.flagged), [0, 0, 1, 0, 0, 0, 0, 1, 0]);
  assert.equal(r.count, 2);
  // p(label): row 7 0.02, row 2 0.05.
  assert.deepEqual(Array.from(r.order.subarray(0, 2)), [7, 2]);
  const t = rankSuspects({ probs: Float32Array.from(probs), label, numClasses: 3 }, { method: 'threshold', threshold: 0.5 });
  assert.deepEqual(Array.from(t.flagged), [0, 0, 1, 0, 0, 0, 0, 1, 0]);
  assert.throws(() => rankSuspects({ probs: Float32Array.from(probs), label, numClasses: 3 }, { method: 'nope' as never }), /suspect method must be one of/);
});
