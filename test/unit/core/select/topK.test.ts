import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keepTop } from '../../../../src/core/select/keepTop';
import { checkKs, descendingOrder, topKCut, topKMembership } from '../../../../src/core/select/topK';
import { membershipByEnumeration } from './reference';

test('topKCut: no tie across place k gives a plain cut', () => {
  const s = [0.1, 0.9, 0.5, 0.7];
  const order = descendingOrder('t', s);
  assert.deepEqual(Array.from(order), [1, 3, 2, 0]);
  const cut = topKCut(s, order, 2);
  assert.deepEqual([cut.certain, cut.tieEnd, cut.share], [2, 2, 0]);
  assert.deepEqual(Array.from(topKMembership(cut)), [0, 1, 0, 1]);
});

test('topKCut shares the straddling tie group', () => {
  const s = [3, 2, 2, 2, 1];
  const cut = topKCut(s, descendingOrder('t', s), 2);
  assert.deepEqual([cut.certain, cut.tieEnd], [1, 4]);
  assert.equal(cut.share, 1 / 3);
  assert.deepEqual(Array.from(topKMembership(cut)), [1, 1 / 3, 1 / 3, 1 / 3, 0]);
  assert.deepEqual(Array.from(topKMembership(topKCut(s, descendingOrder('t', s), 4))), [1, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(topKMembership(topKCut(s, descendingOrder('t', s), 0))), [0, 0, 0, 0, 0]);
});

test('errors', () => {
  assert.throws(() => descendingOrder('entropy', [1, NaN]), /entropy: score of example 1 is NaN/);
  assert.throws(() => topKCut([1, 2], descendingOrder('t', [1, 2]), 3), /k must be an integer in \[0, 2\]/);
  assert.throws(() => checkKs('overlap', [1, 0], 5), /overlap: k must be an integer in \[1, 5\].*got 0/);
});

test('membership equals the average over every tie-break, and agrees with keepTop without boundary ties (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 6 }).chain((xs) => fc.tuple(fc.constant(xs), fc.integer({ min: 0, max: xs.length }))),
      ([xs, k]) => {
        const cut = topKCut(xs, descendingOrder('t', xs), k);
        const m = Array.from(topKMembership(cut));
        const exact = membershipByEnumeration(xs, k);
        m.forEach((v, i) => assert.ok(Math.abs(v - exact[i]) < 1e-12, `example ${i}: ${v} vs ${exact[i]}`));
        assert.ok(Math.abs(m.reduce((a, b) => a + b, 0) - k) < 1e-12);
        if (cut.tieEnd === cut.certain) {
          const top = new Set(keepTop(xs, k));
          m.forEach((v, i) => assert.equal(v, top.has(i) ? 1 : 0));
        }
      },
    ),
  );
});
