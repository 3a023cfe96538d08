/**
 * Class-balanced selection: run any strategy separately inside each class, with per-class quotas proportional to
 * class size. Score-based selection skews the class distribution: the largest-gradient examples concentrate in a
 * few classes (Vodrahalli et al. 2018, Fig. 7 and 12, low label entropy of the top-k), and a pruned subset missing
 * most of a class trains a worse classifier than its scores suggest. Balancing keeps the dataset's class
 * proportions exactly (up to rounding) while still choosing by score within each class.
 *
 * Quotas use largest-remainder rounding (data/split.ts stratifiedQuotas, shared with the stratified validation
 * split), so they sum to exactly `keep` and never exceed a class's size.
 */
import { stratifiedQuotas } from '../data/split';
import { checkKeep } from './order';

/**
 * Selects `keep` of the `scores.length` examples of one class: gets that class's scores (in dataset order) and its
 * quota, returns positions into `classScores` (any order, no duplicates). `label` lets a seeded strategy use an
 * independent random stream per class.
 */
export type ClassSelector = (classScores: Float64Array, keep: number, label: number) => Int32Array;

/** Members of each class, in dataset order; validates labels against numClasses (default: max label + 1). */
export function classMembers(labels: ArrayLike<number>, numClasses?: number): Int32Array[] {
  let maxLabel = -1;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0) throw new RangeError(`classBalanced: label of example ${i} is ${y}; labels must be non-negative integers`);
    if (y > maxLabel) maxLabel = y;
  }
  const k = numClasses ?? maxLabel + 1;
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`classBalanced: numClasses must be a non-negative integer, got ${numClasses}`);
  if (maxLabel >= k) throw new RangeError(`classBalanced: label ${maxLabel} out of range for ${k} classes`);
  const counts = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const members = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) members[labels[i]][fill[labels[i]]++] = i;
  return members;
}

/** Per-class quotas for keeping `keep` of the examples: proportional to class size, summing exactly to `keep`. */
export function classQuotas(members: readonly Int32Array[], keep: number): number[] {
  return stratifiedQuotas(
    members.map((m) => m.length),
    keep,
  );
}

/**
 * Indices (ascending) chosen by `selectInClass` inside every class, `keep` in total. Classes are visited in label
 * order (even those with quota 0), so a selector's behaviour cannot depend on which classes happen to get examples.
 */
export function classBalanced(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  keep: number,
  selectInClass: ClassSelector,
  numClasses?: number,
): Int32Array {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`classBalanced: ${n} scores but ${labels.length} labels`);
  checkKeep('classBalanced', keep, n);
  const members = classMembers(labels, numClasses);
  const quotas = classQuotas(members, keep);
  const out = new Int32Array(keep);
  let filled = 0;
  members.forEach((m, label) => {
    // Float64Array holds float32 (or float64) scores exactly: rounding here could create ties that were not there.
    const classScores = Float64Array.from(m, (i) => scores[i]);
    const picked = selectInClass(classScores, quotas[label], label);
    if (picked.length !== quotas[label]) {
      throw new Error(`classBalanced: the strategy returned ${picked.length} examples for class ${label}, expected its quota ${quotas[label]}`);
    }
    const seen = new Uint8Array(m.length);
    for (const p of picked) {
      if (!(p >= 0 && p < m.length) || seen[p]) throw new Error(`classBalanced: the strategy returned an invalid or repeated position ${p} for class ${label}`);
      seen[p] = 1;
      out[filled++] = m[p];
    }
  });
  return out.sort();
}
