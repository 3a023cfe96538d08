import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fitPca, projectPca } from '../../../../src/core/analysis/projection';
import { makeRng } from '../../../../src/core/random';
import { writeNpy } from '../../../../src/core/store/scoreFiles';
import { tempDir } from '../../helpers/paths';

/** n rows of d features with decreasing spread per feature, mixed by a fixed rotation, plus an offset. */
function data(n: number, d: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  const x = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const z = Array.from({ length: d }, (_, j) => (rng.next() * 2 - 1) * (4 / (1 + j)));
    for (let j = 0; j < d; j++) {
      // Mix neighbouring features, so the axes are not the coordinate axes.
      x[r * d + j] = z[j] + 0.5 * z[(j + 1) % d] - 0.3 * z[(j + 2) % d] + 10 + j;
    }
  }
  return x;
}

/** The slow obvious reference: covariance by its definition, then power iteration with deflation. */
function referencePca(x: Float32Array, n: number, d: number, k: number): { axes: number[][]; variance: number[] } {
  const mean = Array.from({ length: d }, (_, j) => {
    let s = 0;
    for (let r = 0; r < n; r++) s += x[r * d + j];
    return s / n;
  });
  const cov = Array.from({ length: d }, (_, a) =>
    Array.from({ length: d }, (_, b) => {
      let s = 0;
      for (let r = 0; r < n; r++) s += (x[r * d + a] - mean[a]) * (x[r * d + b] - mean[b]);
      return s / (n - 1);
    }),
  );
  const axes: number[][] = [];
  const variance: number[] = [];
  for (let c = 0; c < k; c++) {
    let v = Array.from({ length: d }, (_, j) => 1 + j / d);
    let lambda = 0;
    for (let it = 0; it < 20000; it++) {
      const w = cov.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
      lambda = Math.hypot(...w);
      if (lambda === 0) break;
      v = w.map((a) => a / lambda);
    }
    const big = v.reduce((b, a) => (Math.abs(a) > Math.abs(b) ? a : b), 0);
    if (big < 0) v = v.map((a) => -a);
    axes.push(v);
    variance.push(lambda);
    // Deflate: remove the found direction.
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a][b] -= lambda * v[a] * v[b];
  }
  return { axes, variance };
}

function close(got: number, want: number, tol: number, what: string): void {
  assert.ok(Math.abs(got - want) <= tol, `${what}: ${got} vs ${want}`);
}

test('PCA axes, variances and coordinates match the slow obvious reference (covariance and Gram paths)', () => {
  for (const [n, d] of [[80, 6], [15, 40]] as const) {
    const x = data(n, d, n + d);
    const pca = fitPca(x, n, d, 2);
    assert.ok(pca.converged);
    const ref = referencePca(x, n, d, 2);
    for (let c = 0; c < 2; c++) {
      close(pca.variance[c], ref.variance[c], 1e-8 * ref.variance[0], `${n}x${d}: variance ${c}`);
      for (let j = 0; j < d; j++) close(pca.axes[c * d + j], ref.axes[c][j], 1e-6, `${n}x${d}: axis ${c}[${j}]`);
    }
    const xy = projectPca(pca, x, n);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < 2; c++) {
        let want = 0;
        for (let j = 0; j < d; j++) want += (x[r * d + j] - pca.mean[j]) * ref.axes[c][j];
        close(xy[r * 2 + c], want, 1e-5 * Math.sqrt(ref.variance[0]), `${n}x${d}: row ${r} coordinate ${c}`);
      }
    }
    // The coordinates' variance is the axis variance; the total is the covariance's trace.
    let sx = 0;
    for (let r = 0; r < n; r++) sx += xy[r * 2] ** 2;
    close(sx / (n - 1), pca.variance[0], 1e-8 * pca.variance[0], `${n}x${d}: variance along axis 1`);
    assert.ok(pca.totalVariance >= pca.variance[0] + pca.variance[1] - 1e-9);
  }
});

test('PCA edge cases: constant data maps to the origin, one feature gives one axis, bad input is named', () => {
  const flat = new Float32Array(20 * 3).fill(7);
  const p = fitPca(flat, 20, 3, 2);
  assert.deepEqual(Array.from(p.variance), [0, 0]);
  assert.ok(Array.from(projectPca(p, flat, 20)).every((v) => v === 0));
  const line = Float32Array.from({ length: 10 }, (_, i) => i);
  const one = fitPca(line, 10, 1, 1);
  assert.deepEqual(Array.from(one.axes), [1]);
  assert.deepEqual(Array.from(projectPca(one, line, 10)), [-4.5, -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5]);
  const bad = data(5, 4, 1);
  bad[2 * 4 + 3] = NaN;
  assert.throws(() => fitPca(bad, 5, 4, 2), /PCA: row 2, column 3 is NaN/);
  assert.throws(() => fitPca(data(5, 4, 1), 5, 4, 5), /components must be an integer in 1\.\.4/);
  assert.throws(() => fitPca(new Float32Array(7), 2, 4, 1), /7 values for 2 rows x 4 columns/);
});

// numpy's SVD of the centered matrix, with the same sign convention (each axis's largest-magnitude entry positive).
const NUMPY_PCA = `
import json, sys
import numpy as np
x = np.load(sys.argv[1]).astype(np.float64)
n = x.shape[0]
xc = x - x.mean(0)
u, s, vt = np.linalg.svd(xc, full_matrices=False)
axes = vt[:2]
for a in axes:
    if a[np.argmax(np.abs(a))] < 0:
        a *= -1
print(json.dumps({"axes": axes.tolist(), "variance": (s[:2] ** 2 / (n - 1)).tolist(), "total": float((s ** 2).sum() / (n - 1)), "xy": (xc @ axes.T).tolist()}))
`;

test('PCA agrees with numpy.linalg.svd of the centered data (float32 input, both the covariance and the Gram path)', (t) => {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    if (process.env.CI === 'true') assert.fail(`numpy is required in CI: ${probe.stderr || probe.error}`);
    return t.skip('numpy not available to /usr/bin/python3 (apt-get install python3-numpy)');
  }
  const dir = tempDir('pca-numpy');
  for (const [n, d] of [[300, 20], [30, 90]] as const) {
    const x = data(n, d, 7 * n + d);
    const file = path.join(dir, `x-${n}x${d}.npy`);
    writeNpy(file, x, [n, d]);
    const r = spawnSync('/usr/bin/python3', ['-c', NUMPY_PCA, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    const np = JSON.parse(r.stdout) as { axes: number[][]; variance: number[]; total: number; xy: number[][] };
    const pca = fitPca(x, n, d, 2);
    const xy = projectPca(pca, x, n);
    close(pca.totalVariance, np.total, 1e-9 * np.total, `${n}x${d}: total variance`);
    for (let c = 0; c < 2; c++) {
      close(pca.variance[c], np.variance[c], 1e-9 * np.variance[0], `${n}x${d}: variance ${c}`);
      for (let j = 0; j < d; j++) close(pca.axes[c * d + j], np.axes[c][j], 1e-7, `${n}x${d}: axis ${c}[${j}]`);
      for (let r2 = 0; r2 < n; r2++) close(xy[r2 * 2 + c], np.xy[r2][c], 1e-6 * Math.sqrt(np.variance[0]), `${n}x${d}: row ${r2} coordinate ${c}`);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
