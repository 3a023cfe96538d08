/**
 * Percentiles for reporting across runs. The Data Diet papers plot the mean over independent runs with a band
 * from the 16th to the 84th percentile (appendix B.3), roughly +-1 sigma for a normal distribution but without
 * assuming one. Quantiles here are fractions q in [0, 1] (numpy.quantile's convention, not numpy.percentile's 0-100).
 */

function checkNumbers(fn: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) throw new RangeError(`${fn}: value at position ${i} is NaN`);
  }
}

/**
 * The q-quantile of ascending `sorted` values with linear interpolation between the two nearest ranks: numpy's
 * default method ('linear'), i.e. position q * (n - 1).
 */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('percentile: no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`percentile: q must be a fraction in [0, 1] (0.5 for the median), got ${q}`);
  checkNumbers('percentile', sorted);
  for (let i = 1; i < n; i++) {
    if (sorted[i] < sorted[i - 1]) throw new RangeError(`percentile: values must be sorted ascending (position ${i}: ${sorted[i]} < ${sorted[i - 1]})`);
  }
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const t = pos - lo;
  // Equal neighbours (including infinities) return the value itself; interpolating would give Inf - Inf = NaN.
  if (t === 0 || sorted[lo] === sorted[hi]) return sorted[lo];
  // numpy's _lerp: interpolate from the nearer end, so the result is monotone in q and bit-identical to numpy.
  const diff = sorted[hi] - sorted[lo];
  return t >= 0.5 ? sorted[hi] - diff * (1 - t) : sorted[lo] + diff * t;
}

/** For each value, the fraction of all values that are <= it (ties share the highest such fraction). */
export function percentileRank(values: ArrayLike<number>): Float64Array {
  checkNumbers('percentileRank', values);
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Upper bound: first position whose value is > values[i].
    let a = 0;
    let b = n;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (sorted[m] <= values[i]) a = m + 1;
      else b = m;
    }
    out[i] = a / n;
  }
  return out;
}

/** Mean and a [lo, hi] percentile band of samples (default 16th-84th, the papers' shading). */
export function band(samples: number[], lo = 0.16, hi = 0.84): { mean: number; lo: number; hi: number } {
  if (samples.length === 0) throw new RangeError('band: no samples');
  if (!(lo <= hi)) throw new RangeError(`band: lo (${lo}) must not exceed hi (${hi})`);
  checkNumbers('band', samples);
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const s of samples) sum += s;
  return { mean: sum / samples.length, lo: percentile(sorted, lo), hi: percentile(sorted, hi) };
}
