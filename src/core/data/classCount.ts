/**
 * A classifier needs at least two classes: with one, training "works" until one-hot encoding fails deep inside tfjs
 * (`depth must be >=2`). Checked when a dataset is loaded, where we can still say what was found and why.
 */
import { DataFormatError, type ImageDataset } from './dataset';

/** Distinct labels present, in ascending order. */
export function presentClasses(labels: ArrayLike<number>): number[] {
  return [...new Set(Array.from(labels))].sort((a, b) => a - b);
}

/** Throws, naming `source` and the single class found, when `ds` holds fewer than two classes. */
export function checkAtLeastTwoClasses(ds: Pick<ImageDataset, 'labels' | 'classNames'>, source: string, fix: string): void {
  const present = presentClasses(ds.labels);
  if (present.length >= 2) return;
  const n = ds.labels.length.toLocaleString('en-US');
  const found =
    present.length === 0 ? 'no examples' : `only one class (${JSON.stringify(ds.classNames?.[present[0]] ?? String(present[0]))}, all ${n} examples)`;
  throw new DataFormatError(source, `found ${found}; a classifier needs at least 2 classes`, fix);
}
