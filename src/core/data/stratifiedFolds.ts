/**
 * K-fold cross-validation folds stratified by label, as scikit-learn's StratifiedKFold (shuffle=True) makes them for
 * cleanlab's out-of-sample probabilities: every class is spread over the folds as evenly as it can be, and the folds
 * differ in size by at most one example. Each class's members are shuffled by the fold stream, then the classes are
 * dealt round-robin into folds one after another (the deal continues where the previous class stopped), so a fold
 * gets floor or ceil of |class| / K of every class.
 */
import type { Rng } from '../random';

/** The fold (0..k-1) of every example. */
export function stratifiedFolds(labels: ArrayLike<number>, numClasses: number, k: number, rng: Rng): Int32Array {
  const n = labels.length;
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError(`stratifiedFolds: needs at least 2 folds, got ${k}`);
  if (k > n) throw new RangeError(`stratifiedFolds: ${k} folds for ${n} examples; every fold needs at least one`);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!(Number.isInteger(y) && y >= 0 && y < numClasses)) throw new RangeError(`stratifiedFolds: label ${y} of example ${i} is outside 0..${numClasses - 1}`);
    byClass[y].push(i);
  }
  const fold = new Int32Array(n);
  let deal = 0;
  for (const members of byClass) {
    // Every class is shuffled (even an empty one draws nothing), so the folds depend only on the stream and labels.
    rng.shuffle(members);
    for (const i of members) fold[i] = deal++ % k;
  }
  return fold;
}

/** Indices (ascending) of the examples in fold `f`, and of the others. */
export function foldMembers(fold: Int32Array, f: number): { inFold: Int32Array; outOfFold: Int32Array } {
  const inFold: number[] = [];
  const outOfFold: number[] = [];
  for (let i = 0; i < fold.length; i++) (fold[i] === f ? inFold : outOfFold).push(i);
  return { inFold: Int32Array.from(inFold), outOfFold: Int32Array.from(outOfFold) };
}
