import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRng, permutation } from '../../../../src/core/random';

test('same seed gives the same stream, different seeds differ', () => {
  const a = makeRng(42);
  const b = makeRng(42);
  const c = makeRng(43);
  const sa = Array.from({ length: 100 }, () => a.nextU32());
  const sb = Array.from({ length: 100 }, () => b.nextU32());
  const sc = Array.from({ length: 100 }, () => c.nextU32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

test('seeds beyond 32 bits and negative seeds give distinct streams', () => {
  const first = (s: number) => makeRng(s).nextU32();
  const seeds = [0, 1, -1, 2 ** 32, 2 ** 32 + 1, 2 ** 40];
  const outs = new Set(seeds.map(first));
  assert.equal(outs.size, seeds.length);
  assert.throws(() => makeRng(Number.NaN), RangeError);
});

test('next() lies in [0, 1) and is roughly uniform', () => {
  const rng = makeRng(7);
  const bins = new Array(10).fill(0);
  let sum = 0;
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const v = rng.next();
    assert.ok(v >= 0 && v < 1);
    bins[Math.floor(v * 10)]++;
    sum += v;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.01);
  for (const b of bins) assert.ok(Math.abs(b - n / 10) < 600, `bin count ${b}`);
});

test('next works detached from its object (callers pass rng.next as a function)', () => {
  const next = makeRng(3).next;
  const v = next();
  assert.ok(v >= 0 && v < 1);
});

test('int(n) stays in range, hits every value, and rejects bad n', () => {
  const rng = makeRng(1);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const v = rng.int(7);
    assert.ok(Number.isInteger(v) && v >= 0 && v < 7);
    seen.add(v);
  }
  assert.equal(seen.size, 7);
  assert.equal(rng.int(1), 0);
  assert.throws(() => rng.int(0), RangeError);
  assert.throws(() => rng.int(2.5), RangeError);
  const big = rng.int(2 ** 32);
  assert.ok(big >= 0 && big < 2 ** 32);
});

test('shuffle and permutation give permutations, deterministically', () => {
  const p = permutation(1000, makeRng(5));
  assert.ok(p instanceof Int32Array);
  assert.deepEqual(Array.from(p).sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(p, permutation(1000, makeRng(5)));
  assert.notDeepEqual(p, permutation(1000, makeRng(6)));
  const arr = ['a', 'b', 'c', 'd'];
  const same = makeRng(9).shuffle(arr);
  assert.equal(same, arr);
  assert.deepEqual([...arr].sort(), ['a', 'b', 'c', 'd']);
  assert.equal(permutation(0, makeRng(1)).length, 0);
  assert.throws(() => permutation(-1, makeRng(1)), RangeError);
});

test('shuffle is unbiased enough: each of the 6 orders of 3 items appears about equally', () => {
  const rng = makeRng(11);
  const counts = new Map<string, number>();
  const n = 60_000;
  for (let i = 0; i < n; i++) {
    const key = rng.shuffle([0, 1, 2]).join('');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.equal(counts.size, 6);
  for (const c of counts.values()) assert.ok(Math.abs(c - n / 6) < 500, `count ${c}`);
});
