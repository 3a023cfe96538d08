import { test } from 'node:test';
import assert from 'node:assert/strict';
import { band, percentile, percentileRank } from '../../../../src/core/analysis/percentiles';

test('percentile interpolates linearly like numpy.quantile (values from numpy 1.24)', () => {
  const v = [1, 2, 3, 4, 10];
  assert.equal(percentile(v, 0.16), 1.6400000000000001);
  assert.equal(percentile(v, 0.84), 6.159999999999999);
  assert.equal(percentile(v, 0.5), 3);
  assert.equal(percentile(v, 0.33), 2.3200000000000003);
  assert.equal(percentile(v, 0), 1);
  assert.equal(percentile(v, 1), 10);
  assert.equal(percentile([7], 0.3), 7);
  assert.equal(percentile([1, Infinity, Infinity], 0.75), Infinity);
});

test('percentile refuses unsorted input, NaN, empty input and 0-100 style q', () => {
  assert.throws(() => percentile([2, 1], 0.5), /sorted ascending \(position 1: 1 < 2\)/);
  assert.throws(() => percentile([1, NaN], 0.5), /position 1 is NaN/);
  assert.throws(() => percentile([], 0.5), /no values/);
  assert.throws(() => percentile([1, 2], 50), /fraction in \[0, 1\]/);
});

test('percentileRank is the fraction of values <= each value', () => {
  assert.deepEqual(Array.from(percentileRank([3, 1, 2, 2])), [1, 0.25, 0.75, 0.75]);
  assert.deepEqual(Array.from(percentileRank([])), []);
});

test('band gives the mean and the 16th-84th percentile band (numpy reference)', () => {
  const b = band([3.5, 1.25, 7.0, 2.0]);
  assert.equal(b.mean, 3.4375);
  assert.equal(b.lo, 1.6099999999999999);
  assert.equal(b.hi, 5.32);
  assert.deepEqual(band([2], 0.1, 0.9), { mean: 2, lo: 2, hi: 2 });
  assert.throws(() => band([]), /no samples/);
});
