/**
 * k nearest neighbours of every row, exact or approximate by size: the exact search (exactNeighbours.ts) below
 * EXACT_MAX_ROWS rows, the HNSW index (hnswNeighbours.ts) above, where the exact search's N^2 cost outgrows the
 * index's build. The bench (bench/nearestNeighbours.ts, its table in bench/nearest-neighbours.md) measures both on
 * 60,000 rows of several dimensions and sets the constant. Without hnswlib-node the exact search runs at any size.
 *
 * Rows that are all zeros have no direction (a one-colour thumbnail, a dead embedding): under the cosine metric they
 * are left out of the search and get no neighbours, and no other row lists them.
 */
import { RandomStream } from '../randomStreams';
import { exactNeighbours, type SearchOptions } from './exactNeighbours';
import { hnswNeighbours, hnswUnavailable } from './hnswNeighbours';
import { emptyLists, type NeighbourLists } from './neighbourLists';
import { rowCount, type VectorRows } from './vectorRows';

/**
 * Largest row count searched exactly under 'auto'. Set from bench/nearest-neighbours.md: the exact search (matrix
 * products on the backend) was faster than building and querying the index at every size measured, up to 60,000
 * rows of 64 to 784 dimensions, and it finds every true neighbour where the index's recall@10 fell to 0.68-0.94 on
 * mixed Gaussian data; scaled as N^2 against N log N, the two cross beyond 128,000 rows. Below that, exact.
 */
export const EXACT_MAX_ROWS = 120_000;

export const KNN_METHODS = ['auto', 'exact', 'hnsw'] as const;
export type KnnMethod = (typeof KNN_METHODS)[number];

export interface NeighbourSearch extends SearchOptions {
  readonly method?: KnnMethod;
  /** Root seed of the index's random level draws (its `neighbour-index` stream). */
  readonly seed?: number;
}

export interface NeighbourResult {
  readonly lists: NeighbourLists;
  readonly method: 'exact' | 'hnsw';
  /** Why this method: the size rule, the request, or a missing hnswlib-node. */
  readonly reason: string;
}

/** Which search 'auto' takes for n rows, and why (for logs and results). */
export function chooseMethod(n: number, requested: KnnMethod = 'auto'): { method: 'exact' | 'hnsw'; reason: string } {
  if (requested === 'exact') return { method: 'exact', reason: 'requested' };
  const missing = hnswUnavailable();
  if (requested === 'hnsw') {
    if (missing) throw new Error(`the HNSW index is not available: ${missing}`);
    return { method: 'hnsw', reason: 'requested' };
  }
  if (n <= EXACT_MAX_ROWS) return { method: 'exact', reason: `${n.toLocaleString('en-US')} rows <= ${EXACT_MAX_ROWS.toLocaleString('en-US')}` };
  if (missing) return { method: 'exact', reason: `${n.toLocaleString('en-US')} rows would take the HNSW index, but ${missing}` };
  return { method: 'hnsw', reason: `${n.toLocaleString('en-US')} rows > ${EXACT_MAX_ROWS.toLocaleString('en-US')}` };
}

/** The integer seed hnswlib draws levels from: the `neighbour-index` stream of the caller's root seed. */
export function indexSeed(seed: number): number {
  return RandomStream.root(seed).derive('neighbour-index').rng().nextU32() & 0x7fffffff;
}

export async function nearestNeighbours(v: VectorRows, k: number, opts: NeighbourSearch = {}): Promise<NeighbourResult> {
  const metric = opts.metric ?? 'cosine';
  const n = rowCount(v);
  const keep = metric === 'cosine' ? nonZeroRows(v) : undefined;
  const searched = keep && keep.length < n ? gatherRows(v, keep) : v;
  const m = keep ? keep.length : n;
  const { method, reason } = chooseMethod(m, opts.method);
  const inner = method === 'exact' ? await exactNeighbours(searched, k, opts) : await hnswNeighbours(searched, k, { ...opts, seed: indexSeed(opts.seed ?? 0) });
  return { lists: searched === v ? inner : scatterLists(inner, keep!, n), method, reason };
}

/** Rows with at least one non-zero value, ascending. */
function nonZeroRows(v: VectorRows): Int32Array {
  const n = rowCount(v);
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let j = r * v.dim; j < (r + 1) * v.dim; j++) {
      if (v.values[j] !== 0) {
        out.push(r);
        break;
      }
    }
  }
  return Int32Array.from(out);
}

function gatherRows(v: VectorRows, rows: Int32Array): VectorRows {
  const out = new Float32Array(rows.length * v.dim);
  rows.forEach((r, i) => out.set(v.values.subarray(r * v.dim, (r + 1) * v.dim), i * v.dim));
  return { values: out, dim: v.dim };
}

/** Lists over a subset of rows, renumbered back to the full set (rows outside it keep empty lists). */
function scatterLists(inner: NeighbourLists, rows: Int32Array, n: number): NeighbourLists {
  const out = emptyLists(n, inner.k, inner.metric);
  for (let i = 0; i < rows.length; i++) {
    for (let j = 0; j < inner.k; j++) {
      const q = inner.indices[i * inner.k + j];
      if (q < 0) break;
      out.indices[rows[i] * inner.k + j] = rows[q];
      out.distances[rows[i] * inner.k + j] = inner.distances[i * inner.k + j];
    }
  }
  return out;
}
