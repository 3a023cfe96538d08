/**
 * Exact k nearest neighbours of every row among all rows, by blocks of rows on the active tfjs backend: a block of
 * queries times all rows is one matrix product (oneDNN's on wasm when the native kernels are built), and the k best
 * of each query row come from the backend's TopK, so only k values per row cross back into JavaScript. The cost is
 * N^2 D multiply-adds: fine for tens of thousands of rows, and the reference the approximate index is measured
 * against (bench/nearestNeighbours.ts). Callers that need speed start a fast backend first (compute/backend.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { emptyLists, setList, type NeighbourLists } from './neighbourLists';
import { rowCount, unitRows, type Metric, type VectorRows } from './vectorRows';

export interface SearchOptions {
  readonly metric?: Metric;
  readonly signal?: AbortSignal;
  /** Rows done so far (after each block). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Query rows per block: the block's similarity matrix stays under 64 MB (16M floats) whatever N is. */
export function blockRows(n: number): number {
  return Math.max(1, Math.min(1024, Math.floor((16 * 1024 * 1024) / Math.max(1, n))));
}

export async function exactNeighbours(v: VectorRows, k: number, opts: SearchOptions = {}): Promise<NeighbourLists> {
  const metric = opts.metric ?? 'cosine';
  const n = rowCount(v);
  const lists = emptyLists(n, k, metric);
  // k + 1 candidates: the row itself is among them (a tie with an identical copy may put it second).
  const take = Math.min(n, k + 1);
  if (n < 2 || k < 1) return lists;
  const data = metric === 'cosine' ? unitRows(v) : v;
  const d = v.dim;
  const all = tf.tensor2d(data.values, [n, d]);
  // For l2: rank by 2 q.x - |x|^2 (the query's own |q|^2 is the same for every candidate), distance = |q|^2 - that.
  const sqNorms = metric === 'l2' ? tf.tidy(() => tf.sum(tf.square(all), 1)) : undefined;
  const block = blockRows(n);
  try {
    for (let start = 0; start < n; start += block) {
      opts.signal?.throwIfAborted();
      const rows = Math.min(block, n - start);
      const [values, indices] = tf.tidy(() => {
        const q = tf.slice(all, [start, 0], [rows, d]);
        let s: tf.Tensor2D = tf.matMul(q, all, false, true);
        if (sqNorms) s = tf.sub(tf.mul(s, 2), sqNorms);
        const top = tf.topk(s, take);
        return [top.values, top.indices];
      });
      const [vals, idx] = await Promise.all([values.data(), indices.data()]);
      tf.dispose([values, indices]);
      for (let i = 0; i < rows; i++) {
        const r = start + i;
        const found = idx.subarray(i * take, (i + 1) * take);
        const own = metric === 'cosine' ? 1 : rowSqNorm(v, r);
        const dist = Float32Array.from(vals.subarray(i * take, (i + 1) * take), (s) => own - s);
        setList(lists, r, found, dist);
      }
      opts.onProgress?.(start + rows, n);
    }
  } finally {
    tf.dispose([all, ...(sqNorms ? [sqNorms] : [])]);
  }
  return lists;
}

function rowSqNorm(v: VectorRows, r: number): number {
  let s = 0;
  for (let j = r * v.dim; j < (r + 1) * v.dim; j++) s += v.values[j] * v.values[j];
  return s;
}
