/**
 * The model's predicted class of each gallery row, from the predictions a score run records next to its tables
 * (annotations/predictions.ts). Runs scored before predictions existed have none: galleries then show no
 * predicted label, and an unreadable predictions table is named in the cell's summary rather than failing it.
 */
import { readPredictions } from '../annotations/predictions';

export interface RowPredictions {
  /** Predicted class per row of `index`; absent when the run has no (usable) predictions. */
  readonly predicted?: Int32Array;
  /** Why predictions that exist could not be used. */
  readonly problem?: string;
}

export function predictionsFor(runDir: string, index: ArrayLike<number>): RowPredictions {
  let p;
  try {
    p = readPredictions(runDir);
  } catch (e) {
    return { problem: (e as Error).message };
  }
  if (!p) return {};
  const row = new Map<number, number>();
  p.index.forEach((idx, r) => row.set(idx, r));
  const predicted = new Int32Array(index.length);
  for (let i = 0; i < index.length; i++) {
    const r = row.get(index[i]);
    if (r === undefined) return { problem: `the recorded predictions do not cover example ${index[i]}` };
    predicted[i] = p.predicted[r];
  }
  return { predicted };
}
