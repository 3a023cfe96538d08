/**
 * Principal component analysis of n rows of d features (row-major): center the columns, take the top-k eigenvectors
 * of the covariance matrix (symmetricEigen.ts), and project the centered rows on them. Exact up to the eigen
 * solver's tolerance, as numpy's SVD of the centered matrix (test/unit/core/analysis/projection.test.ts checks it).
 *   d <= n: the d x d covariance X^T X / (n - 1);
 *   d >  n: the n x n Gram matrix X X^T / (n - 1) has the same nonzero eigenvalues, and its eigenvectors u give the
 *           axes X^T u / sqrt((n - 1) lambda): the smaller matrix of the two is decomposed.
 * Sums are in float64 whatever the input, and the columns are centered before multiplying (no cancellation of a
 * large mean).
 */
import { canonicalSigns, topEigenpairs, type TopEigenOptions } from './symmetricEigen';

export type Matrix = Float32Array | Float64Array;

export interface Pca {
  /** Features per row. */
  readonly d: number;
  /** Components kept. */
  readonly k: number;
  /** Column means (subtracted before projecting). */
  readonly mean: Float64Array;
  /** Axis j is axes[j * d .. (j + 1) * d): unit length, its largest-magnitude entry positive. */
  readonly axes: Float64Array;
  /** Variance of the data along each axis (covariance eigenvalues, n - 1 denominator), descending. */
  readonly variance: Float64Array;
  /** Total variance: the covariance's trace (variance[j] / totalVariance is axis j's share). */
  readonly totalVariance: number;
  readonly converged: boolean;
}

function checkMatrix(fn: string, x: Matrix, n: number, d: number): void {
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(d) && d >= 1)) throw new RangeError(`${fn}: rows and columns must be positive integers, got ${n} x ${d}`);
  if (x.length !== n * d) throw new RangeError(`${fn}: ${x.length} values for ${n} rows x ${d} columns`);
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new RangeError(`${fn}: row ${Math.floor(i / d)}, column ${i % d} is ${x[i]}`);
}

export function columnMeans(x: Matrix, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) mean[c] += x[r * d + c];
  for (let c = 0; c < d; c++) mean[c] /= n;
  return mean;
}

/**
 * The d x d covariance of the centered rows (n - 1 denominator; n = 1 gives zeros). Four rows at a time: each pass
 * over the upper triangle adds four outer products, a quarter of the loads and stores of one at a time.
 */
export function covarianceMatrix(x: Matrix, n: number, d: number, mean: Float64Array): Float64Array {
  const c = new Float64Array(d * d);
  const r0 = new Float64Array(d);
  const r1 = new Float64Array(d);
  const r2 = new Float64Array(d);
  const r3 = new Float64Array(d);
  const load = (row: Float64Array, r: number) => {
    for (let j = 0; j < d; j++) row[j] = x[r * d + j] - mean[j];
  };
  let r = 0;
  for (; r + 4 <= n; r += 4) {
    load(r0, r);
    load(r1, r + 1);
    load(r2, r + 2);
    load(r3, r + 3);
    for (let a = 0; a < d; a++) {
      const a0 = r0[a];
      const a1 = r1[a];
      const a2 = r2[a];
      const a3 = r3[a];
      const base = a * d;
      for (let b = a; b < d; b++) c[base + b] += a0 * r0[b] + a1 * r1[b] + a2 * r2[b] + a3 * r3[b];
    }
  }
  for (; r < n; r++) {
    load(r0, r);
    for (let a = 0; a < d; a++) {
      const a0 = r0[a];
      const base = a * d;
      for (let b = a; b < d; b++) c[base + b] += a0 * r0[b];
    }
  }
  const div = Math.max(1, n - 1);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = c[a * d + b] / div;
      c[a * d + b] = v;
      c[b * d + a] = v;
    }
  }
  return c;
}

/** The n x n Gram matrix of the centered rows, divided by n - 1 (its eigenvalues are the covariance's). */
function gramMatrix(x: Matrix, n: number, d: number, mean: Float64Array): { gram: Float64Array; centered: Float64Array } {
  const centered = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) centered[r * d + j] = x[r * d + j] - mean[j];
  const gram = new Float64Array(n * n);
  const div = Math.max(1, n - 1);
  for (let p = 0; p < n; p++) {
    for (let q = p; q < n; q++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += centered[p * d + j] * centered[q * d + j];
      gram[p * n + q] = gram[q * n + p] = dot / div;
    }
  }
  return { gram, centered };
}

/** Fits the top-k principal axes of n rows of d features. */
export function fitPca(x: Matrix, n: number, d: number, k: number, opts: TopEigenOptions = {}): Pca {
  const fn = 'PCA';
  checkMatrix(fn, x, n, d);
  if (!(Number.isInteger(k) && k >= 1 && k <= d)) throw new RangeError(`${fn}: components must be an integer in 1..${d} (the features), got ${k}`);
  const mean = columnMeans(x, n, d);
  if (d <= n) {
    const cov = covarianceMatrix(x, n, d, mean);
    let total = 0;
    for (let j = 0; j < d; j++) total += cov[j * d + j];
    const top = topEigenpairs(cov, d, k, opts);
    return { d, k, mean, axes: top.vectors, variance: clampVariance(top.values), totalVariance: total, converged: top.converged };
  }
  const { gram, centered } = gramMatrix(x, n, d, mean);
  let total = 0;
  for (let r = 0; r < n; r++) total += gram[r * n + r];
  const kk = Math.min(k, n);
  const top = topEigenpairs(gram, n, kk, opts);
  const axes = new Float64Array(k * d);
  const variance = new Float64Array(k);
  const div = Math.max(1, n - 1);
  for (let j = 0; j < kk; j++) {
    const lambda = top.values[j];
    // Below rounding noise the direction is undefined: the axis stays zero and the coordinate along it is 0.
    if (!(lambda > 1e-12 * Math.max(top.values[0], Number.MIN_VALUE))) continue;
    variance[j] = lambda;
    const scale = 1 / Math.sqrt(div * lambda);
    for (let r = 0; r < n; r++) {
      const u = top.vectors[j * n + r] * scale;
      if (u === 0) continue;
      for (let c = 0; c < d; c++) axes[j * d + c] += u * centered[r * d + c];
    }
  }
  canonicalSigns(axes, d);
  return { d, k, mean, axes, variance, totalVariance: total, converged: top.converged };
}

/** Eigenvalues of a covariance are >= 0; rounding can leave -1e-17. */
function clampVariance(values: Float64Array): Float64Array {
  return values.map((v) => Math.max(0, v));
}

/** Coordinates of n rows on the fitted axes: (x - mean) . axis_j, row-major n x k. */
export function projectPca(p: Pca, x: Matrix, n: number): Float64Array {
  const { d, k } = p;
  if (x.length !== n * d) throw new RangeError(`PCA projection: ${x.length} values for ${n} rows x ${d} columns`);
  const out = new Float64Array(n * k);
  const row = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < d; c++) row[c] = x[r * d + c] - p.mean[c];
    for (let j = 0; j < k; j++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += row[c] * p.axes[j * d + c];
      out[r * k + j] = dot;
    }
  }
  return out;
}
