/**
 * Subsets and held-out validation splits. Both keep the original example indices, because scores are
 * reported per example of the loaded dataset: example i of a subset is example indices[i] of its parent.
 */
import type { Rng } from '../random';
import { exampleSize, type ImageDataset } from './dataset';

/** Copy the examples at `indices` (in that order) into a new dataset. */
export function subset(ds: ImageDataset, indices: ArrayLike<number>, name = `${ds.name}[subset]`): ImageDataset {
  const count = ds.labels.length;
  const picks = Array.from(indices, (idx) => {
    if (!Number.isInteger(idx) || idx < 0 || idx >= count) throw new RangeError(`subset: index ${idx} out of range [0, ${count})`);
    return { ds, at: idx };
  });
  return gatherExamples(picks, ds, name);
}

/** One example: the `at`-th of `ds`. */
export interface ExamplePick {
  readonly ds: ImageDataset;
  readonly at: number;
}

/**
 * The picked examples, of one dataset or of several with the same shape and classes as `like` (a train and a test
 * split), copied into a new dataset in the order picked: pixels, labels, source paths (when every dataset has them)
 * and backbone features (when `like` has them).
 */
export function gatherExamples(picks: readonly ExamplePick[], like: ImageDataset, name: string): ImageDataset {
  const n = picks.length;
  const size = exampleSize(like);
  for (const ds of new Set(picks.map((s) => s.ds))) {
    if (ds.shape.some((v, d) => v !== like.shape[d])) throw new RangeError(`gatherExamples: ${ds.name} holds ${ds.shape.join('x')} examples, ${like.name} ${like.shape.join('x')}`);
  }
  const images = new Uint8Array(n * size);
  const labels = new Int32Array(n);
  const sources = like.sources && picks.every((s) => s.ds.sources) ? new Array<string>(n) : undefined;
  const dim = like.features?.dim ?? 0;
  const features = like.features ? new Float32Array(n * dim) : undefined;
  picks.forEach(({ ds, at }, i) => {
    images.set(ds.images.subarray(at * size, (at + 1) * size), i * size);
    labels[i] = ds.labels[at];
    if (sources) sources[i] = ds.sources![at];
    if (features) features.set(ds.features!.values.subarray(at * dim, (at + 1) * dim), i * dim);
  });
  return {
    name,
    images,
    labels,
    shape: like.shape,
    numClasses: like.numClasses,
    ...(like.classNames ? { classNames: like.classNames } : {}),
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
  const { trainIndices, valIndices } = validationIndices(ds, fractionOrCount, rng);
  return {
    train: subset(ds, trainIndices, `${ds.name}:train`),
    val: subset(ds, valIndices, `${ds.name}:val`),
    trainIndices,
    valIndices,
  };
}

/** Which examples splitValidation holds out (the same draw), without copying any. */
export function validationIndices(ds: Pick<ImageDataset, 'labels' | 'numClasses'>, fractionOrCount: number, rng: Rng): { trainIndices: Int32Array; valIndices: Int32Array } {
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
  return { trainIndices, valIndices };
}

/**
 * The examples `first` then `second` (together every example once), as two datasets that are views of `ds`'s own
 * arrays, reordered in place: a freshly loaded dataset is split without a second copy of its pixels. `ds` is consumed
 * (its arrays now hold the new order).
 */
export function partitionInPlace(ds: ImageDataset, first: Int32Array, second: Int32Array, names: [string, string]): [ImageDataset, ImageDataset] {
  const n = ds.labels.length;
  if (first.length + second.length !== n) throw new RangeError(`partitionInPlace: ${first.length} + ${second.length} indices for ${n} examples`);
  const order = new Int32Array(n);
  order.set(first);
  order.set(second, first.length);
  permuteBlocks(ds.images, exampleSize(ds), order);
  if (ds.features) permuteBlocks(ds.features.values, ds.features.dim, order);
  const labels = Int32Array.from(order, (i) => ds.labels[i]);
  const sources = ds.sources ? Array.from(order, (i) => ds.sources![i]) : undefined;
  const part = (from: number, to: number, name: string): ImageDataset => {
    const size = exampleSize(ds);
    const dim = ds.features?.dim ?? 0;
    return {
      name,
      images: ds.images.subarray(from * size, to * size),
      labels: labels.subarray(from, to),
      shape: ds.shape,
      numClasses: ds.numClasses,
      ...(ds.classNames ? { classNames: ds.classNames } : {}),
      ...(sources ? { sources: sources.slice(from, to) } : {}),
      ...(ds.features ? { features: { values: ds.features.values.subarray(from * dim, to * dim), dim } } : {}),
    };
  };
  return [part(0, first.length, names[0]), part(first.length, n, names[1])];
}

/** Moves block order[p] of `a` to position p for every p, following each cycle of the permutation with one spare block. */
function permuteBlocks(a: Uint8Array | Float32Array, size: number, order: Int32Array): void {
  const done = new Uint8Array(order.length);
  const spare = a.slice(0, size);
  for (let start = 0; start < order.length; start++) {
    if (done[start] || order[start] === start) {
      done[start] = 1;
      continue;
    }
    spare.set(a.subarray(start * size, (start + 1) * size));
    let p = start;
    for (;;) {
      done[p] = 1;
      const from = order[p];
      if (from === start) {
        a.set(spare, p * size);
        break;
      }
      a.copyWithin(p * size, from * size, (from + 1) * size);
      p = from;
    }
  }
}
