/**
 * Eigenpairs of a real symmetric matrix (row-major Float64Array, m x m), largest eigenvalue first:
 *   jacobiEigen      all of them, by cyclic Jacobi rotations: exact to rounding, O(m^3) per sweep, for small m.
 *   topEigenpairs    the k largest, by block power iteration (orthogonal / subspace iteration with a Rayleigh-Ritz
 *                    step), O(m^2 b) per iteration: a covariance matrix of a few thousand features needs only its
 *                    top few directions.
 * Eigenvectors are unit length with their largest-magnitude entry positive, so the same matrix always gives the same
 * signs (an eigenvector's sign is otherwise arbitrary, and a map would flip from one run to the next).
 */

export interface Eigenpairs {
  /** Eigenvalues, descending. */
  readonly values: Float64Array;
  /** Eigenvector j is vectors[j * m .. (j + 1) * m). */
  readonly vectors: Float64Array;
  /** Length of each eigenvector. */
  readonly m: number;
}

function checkSquare(fn: string, a: ArrayLike<number>, m: number): void {
  if (!(Number.isInteger(m) && m >= 1)) throw new RangeError(`${fn}: size must be a positive integer, got ${m}`);
  if (a.length !== m * m) throw new RangeError(`${fn}: ${a.length} entries for a ${m} x ${m} matrix`);
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) throw new RangeError(`${fn}: entry (${Math.floor(i / m)}, ${i % m}) is ${a[i]}`);
}

/** Flips each vector so that its largest-magnitude entry is positive (the first such entry on ties). */
export function canonicalSigns(vectors: Float64Array, m: number): void {
  for (let off = 0; off < vectors.length; off += m) {
    let best = off;
    for (let i = off + 1; i < off + m; i++) if (Math.abs(vectors[i]) > Math.abs(vectors[best])) best = i;
    if (vectors[best] < 0) for (let i = off; i < off + m; i++) vectors[i] = -vectors[i];
  }
}

/** Pairs sorted by descending eigenvalue; `cols` holds eigenvector j as column j of an m x m row-major matrix. */
function sortedPairs(diag: Float64Array, cols: Float64Array, m: number, k: number): Eigenpairs {
  const order = Array.from({ length: m }, (_, i) => i).sort((p, q) => diag[q] - diag[p] || p - q);
  const values = new Float64Array(k);
  const vectors = new Float64Array(k * m);
  for (let j = 0; j < k; j++) {
    values[j] = diag[order[j]];
    for (let i = 0; i < m; i++) vectors[j * m + i] = cols[i * m + order[j]];
  }
  canonicalSigns(vectors, m);
  return { values, vectors, m };
}

/** All eigenpairs of a symmetric matrix by cyclic Jacobi rotations (the input is not changed). */
export function jacobiEigen(a: ArrayLike<number>, m: number): Eigenpairs {
  checkSquare('jacobiEigen', a, m);
  const s = Float64Array.from(a);
  // Symmetrize: callers accumulate the two triangles separately, and rounding may leave them a hair apart.
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) s[i * m + j] = s[j * m + i] = (s[i * m + j] + s[j * m + i]) / 2;
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  let norm = 0;
  for (let i = 0; i < s.length; i++) norm += s[i] * s[i];
  const floor = 1e-30 * Math.max(norm, Number.MIN_VALUE);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += s[p * m + q] * s[p * m + q];
    if (off <= floor) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = s[p * m + q];
        if (apq === 0) continue;
        // The rotation angle that zeroes (p, q): tan of it is the smaller root of t^2 + 2 theta t - 1 = 0.
        const theta = (s[q * m + q] - s[p * m + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let r = 0; r < m; r++) {
          // Columns p and q of S J.
          const sp = s[r * m + p];
          const sq = s[r * m + q];
          s[r * m + p] = c * sp - sn * sq;
          s[r * m + q] = sn * sp + c * sq;
        }
        for (let r = 0; r < m; r++) {
          // Rows p and q of J^T (S J).
          const sp = s[p * m + r];
          const sq = s[q * m + r];
          s[p * m + r] = c * sp - sn * sq;
          s[q * m + r] = sn * sp + c * sq;
        }
        for (let r = 0; r < m; r++) {
          const vp = v[r * m + p];
          const vq = v[r * m + q];
          v[r * m + p] = c * vp - sn * vq;
          v[r * m + q] = sn * vp + c * vq;
        }
      }
    }
  }
  const diag = Float64Array.from({ length: m }, (_, i) => s[i * m + i]);
  return sortedPairs(diag, v, m, m);
}

/**
 * A fixed, generic start vector entry in [-1, 1): an integer hash of (row, column, salt). Not a random draw (the
 * result does not depend on it beyond the tolerance), just a start that no structured matrix is orthogonal to.
 */
function startEntry(i: number, j: number, salt: number): number {
  let h = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(j + 1, 0x85ebca77) ^ Math.imul(salt + 1, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 2147483648 - 1;
}

/** Orthonormalizes the b vectors of `v` (each of length m) in place, by modified Gram-Schmidt applied twice. */
function orthonormalize(v: Float64Array, m: number, b: number, salt: number): void {
  for (let j = 0; j < b; j++) {
    const vj = v.subarray(j * m, (j + 1) * m);
    for (let attempt = 0; ; attempt++) {
      let before = 0;
      for (let i = 0; i < m; i++) before += vj[i] * vj[i];
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < j; p++) {
          const vp = v.subarray(p * m, (p + 1) * m);
          let dot = 0;
          for (let i = 0; i < m; i++) dot += vp[i] * vj[i];
          for (let i = 0; i < m; i++) vj[i] -= dot * vp[i];
        }
      }
      let norm = 0;
      for (let i = 0; i < m; i++) norm += vj[i] * vj[i];
      // A vector that was (almost) in the span of the earlier ones carries no new direction: start it afresh.
      if (norm > 1e-20 * Math.max(before, 1e-300) && norm > 0) {
        const inv = 1 / Math.sqrt(norm);
        for (let i = 0; i < m; i++) vj[i] *= inv;
        break;
      }
      if (attempt > 8) throw new Error('topEigenpairs: cannot complete an orthonormal block (is the matrix size smaller than the block?)');
      for (let i = 0; i < m; i++) vj[i] = startEntry(i, j, salt + 1 + attempt);
    }
  }
}

/** w_j = A v_j for the b vectors of v. */
function multiply(a: Float64Array, m: number, v: Float64Array, b: number, w: Float64Array): void {
  for (let r = 0; r < m; r++) {
    const row = a.subarray(r * m, (r + 1) * m);
    for (let j = 0; j < b; j++) {
      const vj = v.subarray(j * m, (j + 1) * m);
      let dot = 0;
      for (let i = 0; i < m; i++) dot += row[i] * vj[i];
      w[j * m + r] = dot;
    }
  }
}

/** The b vectors of v combined by the b x b matrix q (row-major): out_j = sum_p q[p][j] v_p. */
function combine(v: Float64Array, m: number, b: number, q: Float64Array): Float64Array {
  const out = new Float64Array(b * m);
  for (let j = 0; j < b; j++) {
    const oj = out.subarray(j * m, (j + 1) * m);
    for (let p = 0; p < b; p++) {
      const c = q[p * b + j];
      if (c === 0) continue;
      const vp = v.subarray(p * m, (p + 1) * m);
      for (let i = 0; i < m; i++) oj[i] += c * vp[i];
    }
  }
  return out;
}

export interface TopEigenOptions {
  /** Extra vectors iterated along (faster convergence of the k wanted); default 8. */
  readonly oversample?: number;
  /** Stop when every wanted pair has ||A v - lambda v|| <= tol * |lambda_1|; default 1e-9. */
  readonly tol?: number;
  /** Most iterations; default 2000. */
  readonly maxIter?: number;
  /** Matrices up to this size are solved whole by jacobiEigen; default 48. */
  readonly directBelow?: number;
}

export interface TopEigenpairs extends Eigenpairs {
  readonly iterations: number;
  /** Whether the residual tolerance was met (false: maxIter ran out; the pairs are the best estimate). */
  readonly converged: boolean;
}

/** The k largest eigenpairs of a symmetric (positive semi-definite, e.g. covariance) matrix. */
export function topEigenpairs(a: Float64Array, m: number, k: number, opts: TopEigenOptions = {}): TopEigenpairs {
  checkSquare('topEigenpairs', a, m);
  if (!(Number.isInteger(k) && k >= 1 && k <= m)) throw new RangeError(`topEigenpairs: k must be an integer in 1..${m}, got ${k}`);
  if (m <= (opts.directBelow ?? 48)) {
    const all = jacobiEigen(a, m);
    return { values: all.values.slice(0, k), vectors: all.vectors.slice(0, k * m), m, iterations: 0, converged: true };
  }
  const b = Math.min(m, k + (opts.oversample ?? 8));
  const tol = opts.tol ?? 1e-9;
  const maxIter = opts.maxIter ?? 2000;
  let v: Float64Array = new Float64Array(b * m);
  for (let j = 0; j < b; j++) for (let i = 0; i < m; i++) v[j * m + i] = startEntry(i, j, 0);
  orthonormalize(v, m, b, 0);
  let w: Float64Array = new Float64Array(b * m);
  let values: Float64Array = new Float64Array(b);
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIter; iterations++) {
    multiply(a, m, v, b, w);
    // Rayleigh-Ritz: the best eigenpairs within span(v), from the small matrix v^T A v.
    const t = new Float64Array(b * b);
    for (let p = 0; p < b; p++) {
      for (let q = p; q < b; q++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += v[p * m + i] * w[q * m + i];
        let dot2 = 0;
        for (let i = 0; i < m; i++) dot2 += v[q * m + i] * w[p * m + i];
        t[p * b + q] = t[q * b + p] = (dot + dot2) / 2;
      }
    }
    const small = jacobiEigen(t, b);
    // jacobiEigen returns the small eigenvectors as rows, sorted; as columns of q they rotate the block.
    const q = new Float64Array(b * b);
    for (let j = 0; j < b; j++) for (let p = 0; p < b; p++) q[p * b + j] = small.vectors[j * b + p];
    v = combine(v, m, b, q);
    w = combine(w, m, b, q);
    values = small.values;
    const scale = Math.max(Math.abs(values[0]), Number.MIN_VALUE);
    let worst = 0;
    for (let j = 0; j < k; j++) {
      let r = 0;
      for (let i = 0; i < m; i++) {
        const d = w[j * m + i] - values[j] * v[j * m + i];
        r += d * d;
      }
      worst = Math.max(worst, Math.sqrt(r));
    }
    if (worst <= tol * scale || values[0] === 0) {
      converged = true;
      iterations++;
      break;
    }
    v = w;
    w = new Float64Array(b * m);
    orthonormalize(v, m, b, iterations + 1);
  }
  const vectors = v.slice(0, k * m);
  canonicalSigns(vectors, m);
  return { values: values.slice(0, k), vectors, m, iterations, converged };
}
