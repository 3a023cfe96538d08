// Slow, obviously-correct references for the selection and top-k tests (not a test file itself).

/** All permutations of 0..n-1 (n <= 7 or so). */
export function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) {
    for (let pos = 0; pos <= p.length; pos++) out.push([...p.slice(0, pos), n - 1, ...p.slice(pos)]);
  }
  return out;
}

/** Indices ascending by (score, index), via plain array sort of pairs. */
export function naiveAscending(scores: ArrayLike<number>): number[] {
  return Array.from(scores, (s, i) => [s, i] as const)
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] - y[1]))
    .map((p) => p[1]);
}

/**
 * P(example i is in the top k) when ties are broken uniformly at random, by enumerating every tie-break
 * (every permutation used as a secondary key).
 */
export function membershipByEnumeration(scores: ArrayLike<number>, k: number): number[] {
  const n = scores.length;
  const perms = permutations(n);
  const hits = new Array<number>(n).fill(0);
  for (const p of perms) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || p[a] - p[b]);
    for (let q = 0; q < k; q++) hits[order[q]]++;
  }
  return hits.map((h) => h / perms.length);
}

export const asArray = (a: ArrayLike<number>): number[] => Array.from(a);
