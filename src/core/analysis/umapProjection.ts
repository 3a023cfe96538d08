/**
 * UMAP (McInnes et al. 2018) to 2-D with umap-js, reproducible: every draw of its neighbour search and layout comes
 * from the `random` function given (a derived stream, randomStreams.ts), never Math.random. The layout runs one
 * epoch at a time, yielding to the event loop every few epochs so that a notebook cell can be interrupted and can
 * report progress.
 */
import { UMAP } from 'umap-js';
import type { Matrix } from './projection';

export interface UmapOptions {
  /** Uniform [0, 1) draws (a RandomStream's uniform()). */
  readonly random: () => number;
  /** Neighbours of each point in the fuzzy graph; default 15 (at most n - 1). */
  readonly nNeighbors?: number;
  /** How tightly points may pack in the layout; default 0.1 (umap-learn's). */
  readonly minDist?: number;
  /** Layout epochs; default umap-js's (500 up to 10,000 points, 200 above). */
  readonly nEpochs?: number;
  readonly signal?: AbortSignal;
  /** Called every few epochs with the epochs done and in all. */
  readonly onEpoch?: (done: number, total: number) => void;
}

/** Fewest rows UMAP is run on: a neighbour graph of 3 points says nothing PCA would not. */
export const UMAP_MIN_ROWS = 4;

/** Epochs between yields to the event loop. */
const YIELD_EVERY = 10;

export class UmapInterrupted extends Error {
  constructor() {
    super('UMAP was interrupted');
    this.name = 'UmapInterrupted';
  }
}

/** 2-D UMAP coordinates of n rows of d features, row-major n x 2. */
export async function umapProject(x: Matrix, n: number, d: number, opts: UmapOptions): Promise<Float64Array> {
  if (x.length !== n * d) throw new RangeError(`UMAP: ${x.length} values for ${n} rows x ${d} columns`);
  if (n < UMAP_MIN_ROWS) throw new RangeError(`UMAP needs at least ${UMAP_MIN_ROWS} rows, got ${n}: use PCA for so few`);
  const nNeighbors = Math.min(opts.nNeighbors ?? 15, n - 1);
  if (!(Number.isInteger(nNeighbors) && nNeighbors >= 2)) throw new RangeError(`UMAP: neighbours must be an integer >= 2, got ${opts.nNeighbors}`);
  const rows: number[][] = Array.from({ length: n }, (_, r) => Array.from(x.subarray(r * d, (r + 1) * d)));
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist: opts.minDist ?? 0.1,
    random: opts.random,
    ...(opts.nEpochs !== undefined ? { nEpochs: opts.nEpochs } : {}),
  });
  const interrupted = () => opts.signal?.aborted === true;
  if (interrupted()) throw new UmapInterrupted();
  const total = umap.initializeFit(rows);
  for (let e = 0; e < total; e++) {
    umap.step();
    if ((e + 1) % YIELD_EVERY === 0 || e + 1 === total) {
      opts.onEpoch?.(e + 1, total);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (interrupted()) throw new UmapInterrupted();
    }
  }
  const emb = umap.getEmbedding();
  const out = new Float64Array(n * 2);
  for (let r = 0; r < n; r++) {
    out[r * 2] = emb[r][0];
    out[r * 2 + 1] = emb[r][1];
  }
  return out;
}
