import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCpu } from '../../helpers/tf';
import { exactNeighbours } from '../../../../src/core/similarity/exactNeighbours';
import { hnswNeighbours, hnswUnavailable } from '../../../../src/core/similarity/hnswNeighbours';
import { chooseMethod, EXACT_MAX_ROWS, indexSeed, nearestNeighbours } from '../../../../src/core/similarity/nearestNeighbours';
import { nearestAmong } from '../../../../src/core/similarity/nearestAmong';
import { unitRows, type Metric, type VectorRows } from '../../../../src/core/similarity/vectorRows';
import type { NeighbourLists } from '../../../../src/core/similarity/neighbourLists';
import { makeRng } from '../../../../src/core/random';

/** n Gaussian rows of dimension d around `clusters` random centres (spread 0.3), with a few exact copies planted. */
function clustered(n: number, d: number, clusters: number, seed: number): VectorRows {
  const rng = makeRng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: d }, gauss));
  const values = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const c = centres[r % clusters];
    for (let j = 0; j < d; j++) values[r * d + j] = c[j] + 0.3 * gauss();
  }
  // Row 1 is a copy of row 0: each must list the other first, at distance 0.
  values.copyWithin(d, 0, d);
  return { values, dim: d };
}

function bruteForce(v: VectorRows, k: number, metric: Metric): { idx: number[][]; dist: number[][] } {
  const n = v.values.length / v.dim;
  const u = metric === 'cosine' ? unitRows(v) : v;
  const idx: number[][] = [];
  const dist: number[][] = [];
  for (let r = 0; r < n; r++) {
    const all: { q: number; d: number }[] = [];
    for (let q = 0; q < n; q++) {
      if (q === r) continue;
      let s = 0;
      for (let j = 0; j < v.dim; j++) {
        const a = u.values[r * v.dim + j];
        const b = u.values[q * v.dim + j];
        s += metric === 'cosine' ? a * b : (a - b) ** 2;
      }
      all.push({ q, d: metric === 'cosine' ? 1 - s : s });
    }
    all.sort((a, b) => a.d - b.d || a.q - b.q);
    idx.push(all.slice(0, k).map((x) => x.q));
    dist.push(all.slice(0, k).map((x) => x.d));
  }
  return { idx, dist };
}

function listOf(l: NeighbourLists, r: number): number[] {
  return Array.from(l.indices.subarray(r * l.k, (r + 1) * l.k));
}

/** Fraction of the true k nearest found (recall@k), over all rows. */
function recall(found: NeighbourLists, truth: NeighbourLists): number {
  let hit = 0;
  for (let r = 0; r < truth.count; r++) {
    const want = new Set(listOf(truth, r));
    for (const q of listOf(found, r)) if (want.has(q)) hit++;
  }
  return hit / (truth.count * truth.k);
}

test('exact search: every row\'s k nearest other rows, nearest first, by cosine and by squared L2, in blocks', async () => {
  await useCpu();
  const v = clustered(300, 12, 7, 1);
  for (const metric of ['cosine', 'l2'] as const) {
    const got = await exactNeighbours(v, 5, { metric });
    const want = bruteForce(v, 5, metric);
    let sameSets = 0;
    for (let r = 0; r < 300; r++) {
      assert.ok(!listOf(got, r).includes(r), 'a row never lists itself');
      const d = Array.from(got.distances.subarray(r * 5, r * 5 + 5));
      d.forEach((x, j) => assert.ok(Math.abs(x - want.dist[r][j]) < 1e-4 * Math.max(1, want.dist[r][j]), `${metric} row ${r} distance ${j}: ${x} vs ${want.dist[r][j]}`));
      if (listOf(got, r).join() === want.idx[r].join()) sameSets++;
    }
    // float32 products against float64 sums may swap near-ties; the distances above agree everywhere.
    assert.ok(sameSets >= 295, `${metric}: ${sameSets} of 300 lists identical`);
    assert.equal(got.indices[0], 1, 'an exact copy is the nearest');
    assert.equal(got.indices[5], 0);
    assert.ok(got.distances[0] < 1e-5);
  }
});

test('exact search with k >= n pads with -1; fewer than two rows have no neighbours', async () => {
  await useCpu();
  const v: VectorRows = { values: Float32Array.from([1, 0, 0, 1, 1, 1]), dim: 2 };
  const l = await exactNeighbours(v, 4);
  assert.deepEqual(listOf(l, 0), [2, 1, -1, -1]);
  assert.equal(l.distances[3], Infinity);
  const one = await exactNeighbours({ values: Float32Array.from([1, 2]), dim: 2 }, 3);
  assert.deepEqual(listOf(one, 0), [-1, -1, -1]);
});

test('all-zero rows are left out of a cosine search: no neighbours, and nobody lists them', async () => {
  await useCpu();
  const v: VectorRows = { values: Float32Array.from([1, 0, 0, 0, 0.9, 0.1, 0, 1]), dim: 2 };
  const { lists } = await nearestNeighbours(v, 2, { method: 'exact' });
  assert.deepEqual(listOf(lists, 1), [-1, -1]);
  for (const r of [0, 2, 3]) assert.ok(!listOf(lists, r).includes(1));
  assert.deepEqual(listOf(lists, 0), [2, 3]);
});

test('HNSW: seeded (same seed, same lists), recall@10 against the exact search above 0.95 on clustered data', { skip: hnswUnavailable() }, async () => {
  await useCpu();
  const v = clustered(3000, 32, 30, 2);
  const exact = await exactNeighbours(v, 10);
  const a = await hnswNeighbours(v, 10, { seed: indexSeed(0) });
  const b = await hnswNeighbours(v, 10, { seed: indexSeed(0) });
  assert.deepEqual(a.indices, b.indices);
  for (let r = 0; r < 3000; r++) assert.ok(!listOf(a, r).includes(r));
  const rc = recall(a, exact);
  assert.ok(rc > 0.95, `recall@10 ${rc}`);
  assert.equal(a.indices[0], 1, 'the exact copy is found');
  assert.ok(a.distances[0] < 1e-5);
});

test('the search is chosen by size: exact up to EXACT_MAX_ROWS, the index above; an explicit choice wins', () => {
  assert.equal(chooseMethod(EXACT_MAX_ROWS).method, 'exact');
  assert.equal(chooseMethod(EXACT_MAX_ROWS + 1).method, hnswUnavailable() ? 'exact' : 'hnsw');
  assert.match(chooseMethod(EXACT_MAX_ROWS + 1).reason, /rows/);
  assert.equal(chooseMethod(10, 'exact').method, 'exact');
  if (!hnswUnavailable()) assert.equal(chooseMethod(10, 'hnsw').method, 'hnsw');
  assert.notEqual(indexSeed(0), indexSeed(1));
});

test('nearestAmong: the most similar candidates of one row, itself excluded, ties by row', () => {
  const u = unitRows({ values: Float32Array.from([1, 0, 1, 0.1, 1, -0.1, 0, 1, 2, 0]), dim: 2 });
  assert.deepEqual(nearestAmong(u, 0, [0, 1, 2, 3, 4], 3).map((x) => x.row), [4, 1, 2]);
  const top = nearestAmong(u, 0, [3, 2, 1], 2);
  assert.deepEqual(top.map((x) => x.row), [1, 2]);
  assert.ok(Math.abs(top[0].similarity - 1 / Math.sqrt(1.01)) < 1e-6);
  assert.deepEqual(nearestAmong(u, 3, [0, 1], 5).map((x) => x.row), [1, 0]);
});
