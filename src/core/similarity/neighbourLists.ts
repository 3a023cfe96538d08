import type { Metric } from './vectorRows';

/**
 * Every row's k nearest other rows, nearest first: row r's neighbours are indices[r*k .. r*k+k), their distances
 * alongside. A row never lists itself (an identical copy of it is listed: it is another row). Where fewer than k
 * other rows exist the list is padded with -1 (distance Infinity).
 *
 * Distances: 'cosine' 1 - cos(a, b) in [0, 2]; 'l2' the squared Euclidean distance (as hnswlib reports it).
 */
export interface NeighbourLists {
  readonly k: number;
  readonly count: number;
  readonly metric: Metric;
  readonly indices: Int32Array;
  readonly distances: Float32Array;
}

export function emptyLists(count: number, k: number, metric: Metric): NeighbourLists {
  return { k, count, metric, indices: new Int32Array(count * k).fill(-1), distances: new Float32Array(count * k).fill(Infinity) };
}

/**
 * Writes row r's list from candidates found for it (`k + 1` asked, since the search may return r itself): r is
 * dropped wherever it appears, the rest keep their order, at most k are kept.
 */
export function setList(lists: NeighbourLists, r: number, found: ArrayLike<number>, distances: ArrayLike<number>): void {
  let at = r * lists.k;
  const end = at + lists.k;
  for (let j = 0; j < found.length && at < end; j++) {
    if (found[j] === r || found[j] < 0) continue;
    lists.indices[at] = found[j];
    lists.distances[at] = Math.max(0, distances[j]);
    at++;
  }
}

/** Cosine similarity from a cosine distance (1 - d). */
export function similarityOf(distance: number): number {
  return 1 - distance;
}
