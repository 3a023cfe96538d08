// A realistic map payload over the fixture table (fixtures.ts): 16 features per example near its class's centre,
// a corrupted example near the centre of the class it was predicted as (as a mislabeled image looks like its true
// class), projected by the real PCA, with the corrupted ones flagged and thumbnails embedded for some points.
import { fitPca, projectPca } from '../../../../src/core/analysis/projection';
import type { MapPayload } from '../../../../src/core/notebook/mime';
import { mapPayload, mapThumbRows } from '../../../../src/core/notebook/mapPayload';
import { thumbnailDataUri } from '../../../../src/core/notebook/thumbnail';
import { makeRng } from '../../../../src/core/random';
import { CLASSES, table, type Table } from './fixtures';

export const MAP_DIMS = 16;

/** Features of the fixture table's rows: class centre (a bump at feature c and c + 10 mod 16) plus noise. */
export function mapFeatures(t: Table, seed = 2): Float32Array {
  const rng = makeRng(seed);
  const n = t.labels.length;
  const x = new Float32Array(n * MAP_DIMS);
  for (let r = 0; r < n; r++) {
    const c = t.corrupted[r] ? t.predicted[r] : t.labels[r];
    for (let j = 0; j < MAP_DIMS; j++) x[r * MAP_DIMS + j] = 0.3 * (rng.next() - 0.5);
    x[r * MAP_DIMS + c] += 3;
    x[r * MAP_DIMS + ((c + 10) % MAP_DIMS)] += 1.5 + 0.2 * c;
  }
  return x;
}

export function mapCasePayload(n = 1000, opts: { thumbs?: number; classNames?: readonly string[] } = {}): MapPayload {
  const t = table(n);
  const x = mapFeatures(t);
  const pca = fitPca(x, n, MAP_DIMS, 2);
  const xy = projectPca(pca, x, n);
  const suspicion = Array.from(t.corrupted, (c, r) => (c ? 0.6 + 0.3 * (r % 3) / 2 : -0.9 + 0.1 * (r % 5)));
  const flagged = Array.from(t.corrupted);
  return mapPayload({
    method: 'pca',
    input: 'embeddings',
    dims: MAP_DIMS,
    explained: [pca.variance[0] / pca.totalVariance, pca.variance[1] / pca.totalVariance],
    xy,
    index: t.index,
    labels: t.labels,
    predicted: t.predicted,
    score: { name: 'el2n', values: t.values },
    suspicion,
    flagged: { by: 'threshold', values: flagged },
    color: 'label',
    classNames: opts.classNames ?? Array.from({ length: CLASSES }, (_, c) => `class ${c}`),
    total: 3 * n,
    thumb: (i) => thumbnailDataUri(t.images, i),
    thumbRows: mapThumbRows(n, opts.thumbs ?? 200, flagged, suspicion),
    title: 'Map of the fixture run',
    source: { runId: '2026-12-01-score-abc', score: 'el2n' },
  });
}
