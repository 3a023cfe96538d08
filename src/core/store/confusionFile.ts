import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from './atomicWrite';

/** A run's confusion matrix on a split, `confusion.json` in the run folder (rows true class, columns predicted). */
export const CONFUSION = 'confusion.json';

export interface ConfusionFile {
  /** Class names by label id. */
  labels: string[];
  /** matrix[true][predicted] = examples */
  matrix: number[][];
  split: 'test' | 'validation' | 'train';
}

export function writeConfusion(dir: string, c: ConfusionFile): void {
  checkConfusion(c, path.join(dir, CONFUSION));
  writeJsonAtomic(path.join(dir, CONFUSION), c);
}

/** The run folder's confusion.json; undefined when there is none (runs without a test split, older runs). */
export function readConfusion(dir: string): ConfusionFile | undefined {
  const file = path.join(dir, CONFUSION);
  if (!fs.existsSync(file)) return undefined;
  const c = JSON.parse(fs.readFileSync(file, 'utf8')) as ConfusionFile;
  checkConfusion(c, file);
  return c;
}

/** A square matrix of non-negative integers with one name per class. */
export function checkConfusion(c: ConfusionFile, where: string): void {
  const k = c.labels?.length;
  const ok = Array.isArray(c.labels) && Array.isArray(c.matrix) && c.matrix.length === k && c.matrix.every((r) => Array.isArray(r) && r.length === k && r.every((v) => Number.isInteger(v) && v >= 0));
  if (!ok) throw new RangeError(`${where}: a confusion matrix needs one name per class and K x K non-negative counts`);
}

/** Class names of a dataset, or the label ids as names. */
export function classLabels(numClasses: number, names?: readonly string[]): string[] {
  return Array.from({ length: numClasses }, (_, i) => names?.[i] ?? String(i));
}
