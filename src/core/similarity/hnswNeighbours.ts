/**
 * Approximate k nearest neighbours with a hierarchical navigable small-world graph (hnswlib, through the native
 * package hnswlib-node): built once over every row, then every row is a query. Build and queries cost about
 * N log N distance evaluations instead of the exact search's N^2, at a recall below 1 that bench/nearestNeighbours.ts
 * measures (recall@10 against the exact search).
 *
 * The graph's construction draws each point's level at random: the draw is seeded from the caller's stream, so the
 * same rows give the same graph and the same answers. hnswlib-node is loaded when first used; where it is missing
 * (it compiles at install time) the error says so and nearestNeighbours.ts falls back to the exact search.
 */
import { createRequire } from 'node:module';
import type * as Hnswlib from 'hnswlib-node';
import { emptyLists, setList, type NeighbourLists } from './neighbourLists';
import type { SearchOptions } from './exactNeighbours';
import { row, rowCount, type VectorRows } from './vectorRows';

/**
 * Graph parameters: hnswlib's usual M = 16 links per node; efConstruction 200 and query ef 100 keep recall@10 high
 * on 60,000 rows (the bench's table). A larger ef raises recall and query time.
 */
export const HNSW_PARAMS = { m: 16, efConstruction: 200, ef: 100 } as const;

/** Rows added (or queried) between two yields to the event loop, so progress and cancellation get through. */
const BATCH = 2000;

let loaded: typeof Hnswlib | undefined;
let loadError: string | undefined;

/** hnswlib-node, or undefined with `hnswUnavailable()` saying why. */
export function hnswlib(): typeof Hnswlib | undefined {
  if (loaded || loadError) return loaded;
  try {
    loaded = createRequire(__filename)('hnswlib-node') as typeof Hnswlib;
  } catch (e) {
    loadError = `hnswlib-node did not load (${(e as Error).message.split('\n')[0]}); it compiles when npm installs it`;
  }
  return loaded;
}

export function hnswUnavailable(): string | undefined {
  hnswlib();
  return loadError;
}

export interface HnswOptions extends SearchOptions {
  /** Seed of the level draws (an integer from the caller's random stream). */
  readonly seed: number;
  readonly m?: number;
  readonly efConstruction?: number;
  readonly ef?: number;
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function hnswNeighbours(v: VectorRows, k: number, opts: HnswOptions): Promise<NeighbourLists> {
  const lib = hnswlib();
  if (!lib) throw new Error(loadError);
  const metric = opts.metric ?? 'cosine';
  const n = rowCount(v);
  const lists = emptyLists(n, k, metric);
  if (n < 2 || k < 1) return lists;
  const index = new lib.HierarchicalNSW(metric, v.dim);
  index.initIndex({ maxElements: n, m: opts.m ?? HNSW_PARAMS.m, efConstruction: opts.efConstruction ?? HNSW_PARAMS.efConstruction, randomSeed: opts.seed });
  // Build and query are one pass each over the rows: progress counts both (2N steps).
  for (let start = 0; start < n; start += BATCH) {
    opts.signal?.throwIfAborted();
    for (let r = start; r < Math.min(n, start + BATCH); r++) index.addPoint(Array.from(row(v, r)), r);
    opts.onProgress?.(Math.min(n, start + BATCH), 2 * n);
    await pause();
  }
  const take = Math.min(n, k + 1);
  index.setEf(Math.max(opts.ef ?? HNSW_PARAMS.ef, take));
  for (let start = 0; start < n; start += BATCH) {
    opts.signal?.throwIfAborted();
    for (let r = start; r < Math.min(n, start + BATCH); r++) {
      const res = index.searchKnn(Array.from(row(v, r)), take);
      setList(lists, r, res.neighbors, res.distances);
    }
    opts.onProgress?.(n + Math.min(n, start + BATCH), 2 * n);
    await pause();
  }
  return lists;
}
