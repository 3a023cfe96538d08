/**
 * Subsets and held-out validation splits. Both keep the original example indices, because scores are
 * reported per example of the loaded dataset: example i of a subset is example indices[i] of its parent.
 */
import type { Rng } from '../random';
import { exampleSize, type ImageDataset } from './dataset';

/** Copy the examples at `indices` (in that order) into a new dataset. */
export function subset(ds: ImageDataset, indices: ArrayLike<number>, name = `${ds.name}[subset]`): ImageDataset {
  const size = exampleSize(ds);
  const n = indices.length;
  const count = ds.labels.length;
  const images = new Uint8Array(n * size);
  const labels = new Int32Array(n);
  const sources: string[] | undefined = ds.sources ? new Array<string>(n) : undefined;
  const dim = ds.features?.dim ?? 0;
  const features = ds.features ? new Float32Array(n * dim) : undefined;
  for (let i = 0; i < n; i++) {
    const idx = indices[i];
    if (!Number.isInteger(idx) || idx < 0 || idx >= count) {
      throw new RangeError(`subset: index ${idx} out of range [0, ${count})`);
    }
    images.set(ds.images.subarray(idx * size, (idx + 1) * size), i * size);
    labels[i] = ds.labels[idx];
    if (sources) sources[i] = ds.sources![idx];
    if (features) features.set(ds.features!.values.subarray(idx * dim, (idx + 1) * dim), i * dim);
  }
  return {
    name,
    images,
    labels,
    shape: ds.shape,
    numClasses: ds.numClasses,
    ...(ds.classNames ? { classNames: ds.classNames } : {}),
    ...(sources ? { sources } : {}),
    ...(features ? { features: { values: features, dim } } : {}),
  };
}

export interface ValidationSplit {
  readonly train: ImageDataset;
  readonly val: ImageDataset;
  /** Original index of each example of `train`, ascending. */
  readonly trainIndices: Int32Array;
  /** Original index of each example of `val`, ascending. */
  readonly valIndices: Int32Array;
}

/** Resolve "fraction (0..1) or count (>= 1)" to an example count. */
export function validationCount(total: number, fractionOrCount: number): number {
  if (!Number.isFinite(fractionOrCount) || fractionOrCount < 0) {
    throw new RangeError(`validation size must be a fraction in [0, 1) or a count, got ${fractionOrCount}`);
  }
  const count = fractionOrCount < 1 ? Math.round(fractionOrCount * total) : fractionOrCount;
  if (!Number.isInteger(count)) throw new RangeError(`validation count must be an integer, got ${fractionOrCount}`);
  if (count >= total) {
    throw new RangeError(`validation size ${count} leaves no training examples (dataset has ${total})`);
  }
  return count;
}

/**
 * How many of each class go to validation: proportional to class size, rounded by largest remainder so
 * the total is exact (ties go to the lower class index, deterministically).
 */
export function stratifiedQuotas(classCounts: readonly number[], count: number): number[] {
  const total = classCounts.reduce((a, b) => a + b, 0);
  if (total === 0) return classCounts.map(() => 0);
  const exact = classCounts.map((c) => (c * count) / total);
  const quotas = exact.map(Math.floor);
  let left = count - quotas.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, k) => ({ k, rem: e - Math.floor(e) }))
    .filter(({ k }) => quotas[k] < classCounts[k])
    .sort((a, b) => b.rem - a.rem || a.k - b.k);
  for (const { k } of order) {
    if (left === 0) break;
    quotas[k]++;
    left--;
  }
  return quotas;
}

/**
 * Hold out a stratified validation set: each class contributes in proportion to its size, and which
 * examples are chosen is a seeded shuffle within the class. `fractionOrCount` < 1 is a fraction of the
 * dataset, >= 1 a number of examples; 0 gives an empty validation set.
 */
export function splitValidation(ds: ImageDataset, fractionOrCount: number, rng: Rng): ValidationSplit {
  const total = ds.labels.length;
  const count = validationCount(total, fractionOrCount);
  const byClass: number[][] = Array.from({ length: ds.numClasses }, () => []);
  for (let i = 0; i < total; i++) {
    const y = ds.labels[i];
    if (y < 0 || y >= ds.numClasses) throw new RangeError(`splitValidation: label ${y} of example ${i} out of range`);
    byClass[y].push(i);
  }
  const quotas = stratifiedQuotas(
    byClass.map((m) => m.length),
    count,
  );
  const isVal = new Uint8Array(total);
  byClass.forEach((members, k) => {
    // Shuffle every class (even with quota 0) so the random stream, and hence the split, depends only on
    // the stream and the labels, not on the requested size of other classes.
    rng.shuffle(members);
    for (let j = 0; j < quotas[k]; j++) isVal[members[j]] = 1;
  });
  const valIndices = new Int32Array(count);
  const trainIndices = new Int32Array(total - count);
  for (let i = 0, v = 0, t = 0; i < total; i++) {
    if (isVal[i]) valIndices[v++] = i;
    else trainIndices[t++] = i;
  }
  return {
    train: subset(ds, trainIndices, `${ds.name}:train`),
    val: subset(ds, valIndices, `${ds.name}:val`),
    trainIndices,
    valIndices,
  };
}
