import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCsvManifest } from '../../../../src/core/data/manifest';
import { classMembers, classQuotas } from '../../../../src/core/select/classBalanced';
import { gradientCdf } from '../../../../src/core/select/gradientCdf';
import { keepBottom, keepTop } from '../../../../src/core/select/keepTop';
import { nonExtreme } from '../../../../src/core/select/nonExtreme';
import { randomSubset } from '../../../../src/core/select/random';
import { exportSelection, keepCount, parseStrategy, select, STRATEGIES, STRATEGY_NAMES } from '../../../../src/core/select/selection';
import { slidingWindow } from '../../../../src/core/select/slidingWindow';
import { RandomStream } from '../../../../src/core/randomStreams';

const arr = (a: Int32Array) => Array.from(a);
const scores = Float32Array.from({ length: 40 }, (_, i) => ((i * 17) % 40) / 4);
const labels = Int32Array.from({ length: 40 }, (_, i) => (i < 25 ? 0 : i < 35 ? 1 : 2));

test('registry lists every strategy with a description', () => {
  assert.deepEqual([...STRATEGY_NAMES], ['keep-top', 'keep-bottom', 'random', 'window', 'non-extreme', 'gradient-cdf']);
  for (const n of STRATEGY_NAMES) assert.ok(STRATEGIES[n].description.length > 0);
  assert.deepEqual(parseStrategy('window', true), { name: 'window', classBalanced: true });
  assert.throws(() => parseStrategy('keep-highest'), /unknown selection strategy "keep-highest"; expected one of keep-top, keep-bottom, random, window, non-extreme, gradient-cdf/);
});

test('select dispatches to the strategy functions', () => {
  assert.deepEqual(arr(select('keep-top', scores, undefined, 10)), arr(keepTop(scores, 10)));
  assert.deepEqual(arr(select({ name: 'keep-bottom' }, scores, labels, 10)), arr(keepBottom(scores, 10)));
  assert.deepEqual(arr(select('random', scores, undefined, 10, { stream: RandomStream.root(3) })), arr(randomSubset(40, 10, RandomStream.root(3).rng())));
  assert.deepEqual(arr(select('window', scores, undefined, 10, { offset: 0.25 })), arr(slidingWindow(scores, 10, 10)));
  assert.deepEqual(arr(select('window', scores, undefined, 10, { offset: 5 })), arr(slidingWindow(scores, 5, 10)));
  assert.deepEqual(arr(select('non-extreme', scores, undefined, 10)), arr(nonExtreme(scores, 10)));
  assert.deepEqual(arr(select('non-extreme', scores, undefined, 10, { dropFraction: 0.1 })), arr(nonExtreme(scores, 10, { dropFraction: 0.1 })));
  assert.deepEqual(arr(select('gradient-cdf', scores, undefined, 10, { stream: RandomStream.root(3) })), arr(gradientCdf(scores, 10, RandomStream.root(3).rng())));
  // 'random' ignores the scores entirely, NaN included.
  assert.equal(select('random', new Float32Array(5).fill(NaN), undefined, 2, { stream: RandomStream.root(1) }).length, 2);
});

test('select refuses missing or misplaced options with a useful message', () => {
  assert.throws(() => select('random', scores, undefined, 10), /strategy "random" is random and needs opts.stream/);
  assert.throws(() => select('window', scores, undefined, 10), /needs opts.offset/);
  assert.throws(() => select('keep-top', scores, undefined, 10, { offset: 3 }), /option offset is not used by strategy "keep-top" \(it is for window\)/);
  assert.throws(() => select('window', scores, undefined, 10, { offset: 3, stream: RandomStream.root(1) }), /option stream is not used by strategy "window" \(it is for random, gradient-cdf\)/);
  assert.throws(() => select('keep-top', scores, labels, 10, { numClasses: 3 }), /numClasses only applies to class-balanced/);
  assert.throws(() => select({ name: 'keep-top', classBalanced: true }, scores, undefined, 10), /needs the labels/);
  assert.throws(() => select('keep-top', scores, labels.subarray(1), 10), /40 scores but 39 labels/);
  assert.throws(() => select('keep-top', scores, undefined, 0.5), /keep must be an integer count in \[0, 40\].*keepCount/);
  assert.throws(() => select('window', scores, undefined, 30, { offset: 0.5 }), /offset 20 \+ size 30 = 50 exceeds the 40 examples/);
  assert.throws(() => select({ name: 'non-extreme', classBalanced: true }, scores, labels, 39, {}), /discarding the top 2 of 40 examples leaves 38, fewer than keep = 39/);
  assert.throws(() => select({ name: 'keep-top', classBalanced: true }, Float32Array.from([1, NaN]), [0, 1], 1), /select: score of example 1 is NaN/);
  assert.throws(() => select({ name: 'gradient-cdf', classBalanced: true }, Float32Array.from([1, 2, -3]), [0, 1, 1], 1, { stream: RandomStream.root(0) }), /score of example 2 is -3/);
  assert.throws(() => select('nope' as never, scores, undefined, 1), /unknown selection strategy "nope"/);
});

test('class-balanced strategies keep class proportions', () => {
  const members = classMembers(labels);
  const quotas = classQuotas(members, 12); // sizes 25, 10, 5 -> 7.5, 3, 1.5 -> 8, 3, 1
  assert.deepEqual(quotas, [8, 3, 1]);
  for (const name of STRATEGY_NAMES) {
    const opts = name === 'random' || name === 'gradient-cdf' ? { stream: RandomStream.root(1) } : name === 'window' ? { offset: 0.3 } : {};
    const kept = select({ name, classBalanced: true }, scores, labels, 12, opts);
    assert.equal(kept.length, 12);
    const perClass = [0, 0, 0];
    for (const i of kept) perClass[labels[i]]++;
    assert.deepEqual(perClass, quotas, name);
    for (let i = 1; i < kept.length; i++) assert.ok(kept[i] > kept[i - 1], 'ascending');
  }
});

test('class-balanced window: each class skips its share of the offset', () => {
  // Two classes of 10, score = position in class; offset 6 of 20 -> 3 per class; keep 8 -> 4 per class.
  const s = Float32Array.from({ length: 20 }, (_, i) => i % 10);
  const y = Int32Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : 1));
  assert.deepEqual(arr(select({ name: 'window', classBalanced: true }, s, y, 8, { offset: 6 })), [3, 4, 5, 6, 13, 14, 15, 16]);
  assert.deepEqual(arr(select({ name: 'non-extreme', classBalanced: true }, s, y, 8, { dropFraction: 0.2 })), [4, 5, 6, 7, 14, 15, 16, 17]);
});

test('class-balanced random draws independent classes', () => {
  const y = Int32Array.from({ length: 200 }, (_, i) => (i < 100 ? 0 : 1));
  const kept = arr(select({ name: 'random', classBalanced: true }, new Float32Array(200), y, 20, { stream: RandomStream.root(9) }));
  const a = kept.filter((i) => i < 100);
  const b = kept.filter((i) => i >= 100).map((i) => i - 100);
  assert.notDeepEqual(a, b, 'equal-sized classes must not keep the same positions');
  assert.deepEqual(kept, arr(select({ name: 'random', classBalanced: true }, new Float32Array(200), y, 20, { stream: RandomStream.root(9) })));
});

test('class-balanced window and non-extreme never overflow a class when the whole-dataset window fits (property)', () => {
  fc.assert(
    fc.property(
      fc
        .array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 80 })
        .chain((rows) => fc.integer({ min: 0, max: rows.length }).chain((keep) => fc.tuple(fc.constant(rows), fc.constant(keep), fc.integer({ min: 0, max: rows.length - keep }), fc.double({ min: 0, max: 0.99, noNaN: true })))),
      ([rows, keep, offset, dropFraction]) => {
        const s = Float32Array.from(rows, (r) => r[0]);
        const y = Int32Array.from(rows, (r) => r[1]);
        const w = select({ name: 'window', classBalanced: true }, s, y, keep, { offset });
        assert.equal(w.length, keep);
        const drop = Math.round(dropFraction * rows.length);
        if (drop + keep <= rows.length) assert.equal(select({ name: 'non-extreme', classBalanced: true }, s, y, keep, { dropFraction }).length, keep);
      },
    ),
  );
});

test('keepCount: fractions below 1 are rounded shares, counts from 1 up are counts', () => {
  assert.equal(keepCount(10, 0.3), 3);
  assert.equal(keepCount(100, 0.29), 29);
  assert.equal(keepCount(50000, 0.7), 35000);
  assert.equal(keepCount(10, 0), 0);
  assert.equal(keepCount(10, 1), 1);
  assert.equal(keepCount(10, 10), 10);
  assert.throws(() => keepCount(10, 11), /count 11 exceeds the 10 examples/);
  assert.throws(() => keepCount(10, 2.5), /a count must be an integer, got 2.5/);
  assert.throws(() => keepCount(10, -0.1), /expected a fraction in \[0, 1\) or a count in \[1, 10\]/);
  assert.throws(() => keepCount(10, NaN), /expected a fraction/);
});

test('exportSelection: plain index list for torch.utils.data.Subset', () => {
  assert.equal(exportSelection(Int32Array.from([0, 3, 7]), { format: 'indices' }), '0\n3\n7\n');
  assert.equal(exportSelection(new Int32Array(0), { format: 'indices' }), '');
  assert.throws(() => exportSelection([1, -2], { format: 'indices' }), /entry 1 is -2, not an example index/);
  assert.throws(() => exportSelection([5], { format: 'indices', labels: [0, 1] }), /entry 0 is 5, not an example index in \[0, 2\)/);
  assert.throws(() => exportSelection([1], { format: 'json' as never }), /format must be "indices" or "csv"/);
});

test('exportSelection: CSV index,label, or path,label that loads back as a Data Diet manifest', () => {
  const y = [4, 1, 2, 0];
  assert.equal(exportSelection([1, 3], { format: 'csv', labels: y }), 'index,label\n1,1\n3,0\n');
  const paths = ['a/0.png', 'b/1, comma.png', 'c/"q".png', 'd/3.png'];
  const text = exportSelection([0, 1, 2], { format: 'csv', labels: y, paths });
  assert.equal(text, 'path,label\na/0.png,4\n"b/1, comma.png",1\n"c/""q"".png",2\n');
  assert.deepEqual(
    parseCsvManifest(text, 'keep.csv').map((e) => [e.path, e.label]),
    [
      ['a/0.png', '4'],
      ['b/1, comma.png', '1'],
      ['c/"q".png', '2'],
    ],
  );
  assert.throws(() => exportSelection([0], { format: 'csv' }), /format "csv" needs the labels of the full dataset/);
  assert.throws(() => exportSelection([0], { format: 'csv', labels: y, paths: ['x'] }), /1 paths but 4 labels/);
});
