/**
 * Spearman rank correlation, the statistic both Data Diet papers use to compare scores (appendix Fig. 15) and
 * to show how many runs a score needs before its ranking settles (appendix Fig. 10, `stabilityCurve`).
 *
 * Computed as the Pearson correlation of average ranks, which equals scipy.stats.spearmanr with ties (the
 * 1 - 6 sum d^2 / (n(n^2-1)) shortcut is only exact without ties). NaN inputs are refused rather than ranked
 * somewhere arbitrary: a NaN score (a diverged run, an example never presented) needs a decision by the caller.
 */

/** 1-based ranks; tied values all get the mean of the ranks they span (scipy.stats.rankdata 'average'). */
export function ranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(values[i])) throw new RangeError(`ranks: value at position ${i} is NaN; drop or impute NaN scores before ranking`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
  const out = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    // Positions start..end-1 (0-based) share the average of 1-based ranks start+1..end.
    const r = (start + 1 + end) / 2;
    for (let j = start; j < end; j++) out[order[j]] = r;
    start = end;
  }
  return out;
}

/** Pearson correlation in float64; NaN if either side is constant (correlation undefined, as in scipy). */
function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return NaN;
  // sqrt(saa * sbb) rather than sqrt(saa) * sqrt(sbb): for identical inputs it is exactly saa, so r is exactly 1.
  const r = sab / Math.sqrt(saa * sbb);
  return Math.max(-1, Math.min(1, r));
}

function checkPair(fn: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`${fn}: lengths differ (${a.length} vs ${b.length})`);
  if (a.length < 2) throw new RangeError(`${fn}: need at least 2 values, got ${a.length}`);
}

/** Spearman rank correlation of two equally long samples; NaN if either is constant. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair('spearman', a, b);
  return pearson(ranks(a), ranks(b));
}

/** All pairwise Spearman correlations; matrix[i][j] correlates columns i and j (symmetric, diagonal 1). */
export function spearmanMatrix(columns: { name: string; values: ArrayLike<number> }[]): { names: string[]; matrix: number[][] } {
  const n = columns.length > 0 ? columns[0].values.length : 0;
  for (const c of columns) {
    if (c.values.length !== n) throw new RangeError(`spearmanMatrix: column "${c.name}" has ${c.values.length} values, column "${columns[0].name}" has ${n}`);
  }
  if (columns.length > 0 && n < 2) throw new RangeError(`spearmanMatrix: need at least 2 values per column, got ${n}`);
  // Rank each column once, not once per pair.
  const ranked = columns.map((c) => {
    try {
      return ranks(c.values);
    } catch (e) {
      throw new RangeError(`spearmanMatrix: column "${c.name}": ${(e as Error).message}`);
    }
  });
  const matrix = columns.map(() => new Array<number>(columns.length).fill(NaN));
  for (let i = 0; i < columns.length; i++) {
    for (let j = i; j < columns.length; j++) {
      const r = pearson(ranked[i], ranked[j]);
      matrix[i][j] = r;
      matrix[j][i] = r;
    }
  }
  return { names: columns.map((c) => c.name), matrix };
}

/**
 * Stability of a score averaged over runs: entry k-1 is the Spearman correlation between the mean of the first k
 * runs and the mean of all K runs (appendix Fig. 10, left). The last entry is 1 by construction; how fast the
 * curve gets there says how many runs are worth paying for.
 */
export function stabilityCurve(perRun: Float32Array[]): number[] {
  const K = perRun.length;
  if (K === 0) throw new RangeError('stabilityCurve: need at least one run');
  const n = perRun[0].length;
  perRun.forEach((r, k) => {
    if (r.length !== n) throw new RangeError(`stabilityCurve: run ${k} has ${r.length} scores, run 0 has ${n}`);
  });
  if (n < 2) throw new RangeError(`stabilityCurve: need at least 2 examples, got ${n}`);
  const mean = (k: number): Float64Array => {
    const m = new Float64Array(n);
    for (let r = 0; r < k; r++) for (let i = 0; i < n; i++) m[i] += perRun[r][i];
    for (let i = 0; i < n; i++) m[i] /= k;
    return m;
  };
  const all = ranks(mean(K));
  const curve: number[] = [];
  for (let k = 1; k <= K; k++) curve.push(pearson(ranks(mean(k)), all));
  return curve;
}
