import { row, type VectorRows } from './vectorRows';

/**
 * The k rows among `candidates` most similar to row `query` (itself excluded), most similar first, ties by row:
 * one query against a few thousand candidates, as the review queue asks for each suspect, is a plain loop of dot
 * products. `unit` holds unit-length rows (unitRows), so the dot product is the cosine similarity.
 */
export function nearestAmong(unit: VectorRows, query: number, candidates: ArrayLike<number>, k: number): { row: number; similarity: number }[] {
  const q = row(unit, query);
  const d = unit.dim;
  const best: { row: number; similarity: number }[] = [];
  for (let j = 0; j < candidates.length; j++) {
    const c = candidates[j];
    if (c === query) continue;
    let s = 0;
    const base = c * d;
    for (let t = 0; t < d; t++) s += unit.values[base + t] * q[t];
    const worst = best.length === k ? best[k - 1] : undefined;
    if (worst && (s < worst.similarity || (s === worst.similarity && c > worst.row))) continue;
    let at = best.length;
    while (at > 0 && (best[at - 1].similarity < s || (best[at - 1].similarity === s && best[at - 1].row > c))) at--;
    best.splice(at, 0, { row: c, similarity: s });
    if (best.length > k) best.pop();
  }
  return best;
}
