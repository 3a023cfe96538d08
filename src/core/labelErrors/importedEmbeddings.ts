/**
 * A user's own embeddings (features) of the same rows as their imported predictions: an N x D float matrix, finite,
 * kept as predictions/embeddings.npy for similarity search, duplicates and maps, as a --backbone score run's are.
 */
import { InputError } from '../inputError';
import type { NpyArray } from '../store/scoreFiles';

export interface CheckedEmbeddings {
  /** N x D, row-major. */
  readonly values: Float32Array;
  readonly dim: number;
}

/** Checks an embeddings matrix against the predictions' `rows` (what they are in words: `rowsAre`). */
export function checkEmbeddings(a: NpyArray, file: string, rows: number, rowsAre: string): CheckedEmbeddings {
  const n = rows.toLocaleString('en-US');
  if (a.shape.length !== 2) {
    throw new InputError(`${file}: shape (${a.shape.join(', ')}) is not a matrix; expected (${n}, D): one row per example (${rowsAre}, as the predictions), one column per feature`);
  }
  const [r, dim] = a.shape;
  if (r !== rows) {
    const transposed = dim === rows ? ' (it looks transposed: save array.T)' : '';
    throw new InputError(`${file}: ${r.toLocaleString('en-US')} rows, but the predictions have ${n} (${rowsAre}); the embeddings need the same rows in the same order${transposed}`);
  }
  if (dim === 0) throw new InputError(`${file}: shape (${n}, 0) holds no features; save the (${n}, D) matrix of your model's embeddings`);
  // Checked as stored: a float64 beyond float32's range is as unusable as an infinity.
  const values = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data);
  let badRows = 0;
  let first = -1;
  for (let i = 0; i < r; i++) {
    for (let c = 0; c < dim; c++) {
      if (!Number.isFinite(values[i * dim + c])) {
        badRows++;
        if (first < 0) first = i;
        break;
      }
    }
  }
  if (badRows > 0) throw new InputError(`${file}: row ${first} holds NaN or a value beyond float32's range (${badRows} of ${n} rows do); embeddings must be finite numbers`);
  return { values, dim };
}
