import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jacobiEigen, topEigenpairs } from '../../../../src/core/analysis/symmetricEigen';
import { makeRng } from '../../../../src/core/random';

/** A random symmetric m x m matrix; `psd`: B B^T (a covariance-like matrix). */
function symmetric(m: number, seed: number, psd = false): Float64Array {
  const rng = makeRng(seed);
  const b = Float64Array.from({ length: m * m }, () => rng.next() * 2 - 1);
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let v = 0;
      if (psd) for (let k = 0; k < m; k++) v += b[i * m + k] * b[j * m + k];
      else v = (b[i * m + j] + b[j * m + i]) / 2;
      a[i * m + j] = v;
    }
  }
  return a;
}

test('jacobiEigen: A = V diag(lambda) V^T, V orthonormal, eigenvalues descending, largest entry of each vector positive', () => {
  for (const [m, seed] of [[1, 1], [2, 2], [5, 3], [17, 4]] as const) {
    const a = symmetric(m, seed);
    const { values, vectors } = jacobiEigen(a, m);
    for (let j = 1; j < m; j++) assert.ok(values[j - 1] >= values[j], `m=${m}: descending`);
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < m; k++) {
        let rec = 0;
        let dot = 0;
        for (let j = 0; j < m; j++) {
          rec += vectors[j * m + i] * values[j] * vectors[j * m + k];
          dot += vectors[i * m + j] * vectors[k * m + j];
        }
        assert.ok(Math.abs(rec - a[i * m + k]) < 1e-12 * m, `m=${m}: reconstruction (${i}, ${k})`);
        assert.ok(Math.abs(dot - (i === k ? 1 : 0)) < 1e-12, `m=${m}: orthonormal (${i}, ${k})`);
      }
    }
    for (let j = 0; j < m; j++) {
      const v = Array.from(vectors.subarray(j * m, (j + 1) * m));
      const big = v.reduce((b, x) => (Math.abs(x) > Math.abs(b) ? x : b), 0);
      assert.ok(big > 0, `m=${m}: vector ${j} sign`);
    }
  }
});

test('topEigenpairs: block power iteration finds the same top pairs as the full Jacobi decomposition', () => {
  for (const [m, k, seed] of [[60, 2, 5], [120, 5, 6], [90, 50, 7]] as const) {
    const a = symmetric(m, seed, true);
    const all = jacobiEigen(a, m);
    const top = topEigenpairs(a, m, k);
    assert.ok(top.converged, `m=${m} k=${k}: converged in ${top.iterations} iterations`);
    for (let j = 0; j < k; j++) {
      assert.ok(Math.abs(top.values[j] - all.values[j]) <= 1e-9 * all.values[0], `m=${m}: eigenvalue ${j}`);
      // Same sign convention, so the vectors agree entry by entry (where the eigenvalue is well separated).
      const gap = Math.min(j > 0 ? all.values[j - 1] - all.values[j] : Infinity, all.values[j] - all.values[j + 1]);
      if (gap < 1e-3 * all.values[0]) continue;
      for (let i = 0; i < m; i++) assert.ok(Math.abs(top.vectors[j * m + i] - all.vectors[j * m + i]) < 1e-6, `m=${m}: vector ${j} entry ${i}`);
    }
  }
});

test('topEigenpairs: a zero matrix and a rank-one matrix; bad input is refused with what is wrong', () => {
  const zero = topEigenpairs(new Float64Array(100 * 100), 100, 2);
  assert.deepEqual(Array.from(zero.values), [0, 0]);
  const m = 80;
  const u = Float64Array.from({ length: m }, (_, i) => (i % 7) - 3);
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) a[i * m + j] = u[i] * u[j];
  const r1 = topEigenpairs(a, m, 2);
  const norm2 = u.reduce((s, x) => s + x * x, 0);
  assert.ok(Math.abs(r1.values[0] - norm2) < 1e-9 * norm2);
  assert.ok(Math.abs(r1.values[1]) < 1e-9 * norm2);
  assert.throws(() => topEigenpairs(new Float64Array(9), 3, 4), /k must be an integer in 1\.\.3/);
  assert.throws(() => topEigenpairs(new Float64Array(8), 3, 1), /8 entries for a 3 x 3 matrix/);
  assert.throws(() => jacobiEigen([1, NaN, NaN, 1], 2), /entry \(0, 1\) is NaN/);
});
