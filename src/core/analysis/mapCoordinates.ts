/**
 * 2-D coordinates of a map of examples: PCA (the plane of largest variance: linear, deterministic, quick) or UMAP
 * (neighbourhoods kept: clusters of look-alikes and the odd example inside another class's cluster show up). UMAP's
 * neighbour search costs grow with the features, so wide inputs are first reduced to their top 50 principal
 * components, as umap-learn's documentation advises; the output says so.
 */
import type { MapMethod } from '../../contract/notebookMime';
import { fitPca, projectPca, type Matrix } from './projection';
import { umapProject, type UmapOptions } from './umapProjection';

/** Features UMAP runs on at most; wider inputs are reduced by PCA first. */
export const UMAP_INPUT_DIMS = 50;

export interface MapCoordinates {
  /** Row-major n x 2. */
  readonly xy: Float64Array;
  /** UMAP on the top principal components of a wider input: how many. */
  readonly reducedTo?: number;
  /** PCA: share of the total variance along each axis. */
  readonly explained?: readonly [number, number];
}

export async function mapCoordinates(x: Matrix, n: number, d: number, method: MapMethod, umap?: UmapOptions): Promise<MapCoordinates> {
  if (method === 'pca') {
    const k = Math.min(2, d);
    const pca = fitPca(x, n, d, k);
    const coords = projectPca(pca, x, n);
    const xy = new Float64Array(n * 2);
    for (let r = 0; r < n; r++) {
      xy[r * 2] = coords[r * k];
      // One feature: a line, drawn on y = 0.
      xy[r * 2 + 1] = k === 2 ? coords[r * k + 1] : 0;
    }
    const share = (j: number) => (pca.totalVariance > 0 && j < k ? pca.variance[j] / pca.totalVariance : 0);
    return { xy, explained: [share(0), share(1)] };
  }
  if (!umap) throw new RangeError('UMAP needs its random stream');
  if (d <= UMAP_INPUT_DIMS) return { xy: await umapProject(x, n, d, umap) };
  // The reduction only has to keep the neighbourhoods: a looser tolerance than the PCA map's.
  const k = Math.min(UMAP_INPUT_DIMS, n);
  const pca = fitPca(x, n, d, k, { tol: 1e-6, maxIter: 300 });
  const reduced = projectPca(pca, x, n);
  return { xy: await umapProject(reduced, n, k, umap), reducedTo: k };
}
