import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapCoordinates, UMAP_INPUT_DIMS } from '../../../../src/core/analysis/mapCoordinates';
import { umapProject, UmapInterrupted } from '../../../../src/core/analysis/umapProjection';
import { makeRng } from '../../../../src/core/random';
import { RandomStream } from '../../../../src/core/randomStreams';

/** `perCluster` points around each of `clusters` far-apart centres in d dimensions, and each point's cluster. */
function blobs(clusters: number, perCluster: number, d: number, seed: number): { x: Float32Array; cluster: number[] } {
  const rng = makeRng(seed);
  const n = clusters * perCluster;
  const x = new Float32Array(n * d);
  const cluster: number[] = [];
  for (let r = 0; r < n; r++) {
    const c = r % clusters;
    cluster.push(c);
    for (let j = 0; j < d; j++) x[r * d + j] = (j % clusters === c ? 8 : 0) + (rng.next() - 0.5);
  }
  return { x, cluster };
}

const stream = (seed: number) => RandomStream.root(seed).derive('map-umap').uniform();

/** Fraction of points whose nearest other point in the 2-D map is in the same cluster. */
function neighbourPurity(xy: Float64Array, cluster: number[]): number {
  const n = cluster.length;
  let same = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dd = (xy[2 * i] - xy[2 * j]) ** 2 + (xy[2 * i + 1] - xy[2 * j + 1]) ** 2;
      if (dd < bestD) (bestD = dd), (best = j);
    }
    if (cluster[best] === cluster[i]) same++;
  }
  return same / n;
}

test('UMAP is reproducible from its stream and never draws from Math.random', async () => {
  const { x } = blobs(3, 20, 8, 1);
  const random = Math.random;
  Math.random = () => {
    throw new Error('Math.random was called');
  };
  try {
    const a = await umapProject(x, 60, 8, { random: stream(0), nEpochs: 60 });
    const b = await umapProject(x, 60, 8, { random: stream(0), nEpochs: 60 });
    const c = await umapProject(x, 60, 8, { random: stream(1), nEpochs: 60 });
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.notDeepEqual(Array.from(a), Array.from(c));
    assert.ok(Array.from(a).every(Number.isFinite));
  } finally {
    Math.random = random;
  }
});

test('UMAP keeps well-separated clusters apart: each point\'s nearest neighbour on the map is in its cluster', async () => {
  const { x, cluster } = blobs(4, 25, 12, 2);
  const epochs: number[] = [];
  const xy = await umapProject(x, 100, 12, { random: stream(3), onEpoch: (done) => epochs.push(done) });
  assert.ok(neighbourPurity(xy, cluster) >= 0.98, `purity ${neighbourPurity(xy, cluster)}`);
  assert.ok(epochs.length > 1 && epochs[epochs.length - 1] === 500, `progress reported up to the last epoch (${epochs.slice(-1)})`);
});

test('UMAP stops when its signal aborts; too few rows are refused with the alternative', async () => {
  const { x } = blobs(2, 10, 4, 3);
  const ac = new AbortController();
  await assert.rejects(
    umapProject(x, 20, 4, { random: stream(0), signal: ac.signal, onEpoch: () => ac.abort() }),
    (e: unknown) => e instanceof UmapInterrupted,
  );
  await assert.rejects(umapProject(x.subarray(0, 12), 3, 4, { random: stream(0) }), /UMAP needs at least 4 rows, got 3: use PCA/);
});

test('map coordinates: wide inputs go through PCA to 50 dimensions before UMAP; PCA maps report the variance they show', async () => {
  const { x, cluster } = blobs(3, 20, 64, 4);
  const u = await mapCoordinates(x, 60, 64, 'umap', { random: stream(0), nEpochs: 200 });
  assert.equal(u.reducedTo, UMAP_INPUT_DIMS);
  assert.ok(neighbourPurity(u.xy, cluster) >= 0.95);
  const narrow = await mapCoordinates(x.subarray(0, 60 * 1), 60, 1, 'pca');
  assert.ok(Array.from({ length: 60 }, (_, r) => narrow.xy[2 * r + 1]).every((v) => v === 0), 'one feature: a line on y = 0');
  const p = await mapCoordinates(x, 60, 64, 'pca');
  assert.equal(p.reducedTo, undefined);
  assert.ok(p.explained![0] >= p.explained![1] && p.explained![0] + p.explained![1] <= 1 + 1e-12 && p.explained![1] > 0.3, `explained ${p.explained}`);
});
