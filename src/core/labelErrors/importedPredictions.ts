/**
 * A user's own model's predictions (PyTorch, JAX, sklearn: `np.save('probs.npy', probs)`), checked before anything
 * trusts them: an N x K float matrix with one row per example of the dataset in its order and one column per class,
 * finite, and (unless they are logits) probabilities whose rows sum to 1. Every refusal says the file, the row and
 * what to change; nothing is silently renormalized, since a wrong file would then look like a right one.
 */
import * as fs from 'node:fs';
import { softmaxRows } from '../annotations/predictions';
import { InputError } from '../inputError';
import { decodeNpy, type NpyArray } from '../store/scoreFiles';

export interface PredictionShape {
  /** Examples the predictions must cover (the dataset's, in its order). */
  readonly rows: number;
  readonly classes: number;
  /** What the rows are, for messages: "the 60,000 examples of mnist's training split". */
  readonly rowsAre: string;
}

/** How far a probability row's sum may be from 1 (float32 softmax output sums within ~1e-6; CSV round trips less). */
export const ROW_SUM_TOLERANCE = 1e-3;

/** N x K probabilities, float32, rows in the dataset's order. */
export interface CheckedProbabilities {
  readonly probs: Float32Array;
  readonly rows: number;
  readonly classes: number;
}

export function readNpyFile(file: string): NpyArray {
  return decodeNpyFile(readNpyBytes(file), file);
}

/** The bytes of a user's .npy file; a missing file or a folder is an InputError naming it. */
export function readNpyBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: ${code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not an .npy file' : (e as Error).message}`);
  }
}

const NPZ_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // a zip archive: what np.savez writes

/** Decodes the bytes of a user's .npy file; what numpy must do differently is said with the problem. */
export function decodeNpyFile(bytes: Uint8Array, file: string): NpyArray {
  if (NPZ_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new InputError(`${file}: an .npz archive (np.savez), not an .npy file; save the one array with np.save(path, array.astype(np.float32))`);
  }
  try {
    return decodeNpy(bytes, file);
  } catch (e) {
    const message = (e as Error).message;
    if (/; save with /.test(message)) throw new InputError(message);
    const fix = /1-D or 2-D/.test(message) ? 'reshape it to one row per example: array.reshape(len(array), -1)' : 'save it with numpy: np.save(path, array.astype(np.float32))';
    throw new InputError(`${message} (${fix})`);
  }
}

/** Checks an imported probability (or, with `logits`, logit) matrix against the dataset; logits are softmaxed. */
export function checkPredictions(a: NpyArray, file: string, want: PredictionShape, logits = false): CheckedProbabilities {
  const n = want.rows.toLocaleString('en-US');
  if (a.shape.length !== 2) {
    throw new InputError(`${file}: shape (${a.shape.join(', ')}) is not a matrix; expected (${n}, ${want.classes}): one row per example (${want.rowsAre}), one column per class`);
  }
  const [rows, classes] = a.shape;
  if (rows !== want.rows) {
    const transposed = rows === want.classes && classes === want.rows ? ' (it looks transposed: save array.T)' : '';
    throw new InputError(`${file}: ${rows.toLocaleString('en-US')} rows, but there are ${want.rowsAre}${transposed}; the rows must follow the dataset's order`);
  }
  if (classes !== want.classes) {
    throw new InputError(`${file}: ${classes} columns, but the dataset has ${want.classes} classes; one column per class, in label order`);
  }
  const bad = firstNonFinite(a.data);
  if (bad >= 0) {
    throw new InputError(`${file}: row ${Math.floor(bad / classes)} holds ${Number.isNaN(a.data[bad]) ? 'NaN' : 'an infinite value'} (${countRowsWith(a.data, classes, (v) => !Number.isFinite(v))} of ${n} rows do); predictions must be finite numbers`);
  }
  if (logits) return { probs: softmaxRows(a.data, classes), rows, classes };
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const v = a.data[r * classes + c];
      if (v < 0 || v > 1) {
        throw new InputError(`${file}: row ${r} holds ${v}, which is not a probability; if these are logits (scores before softmax), pass --logits`);
      }
      sum += v;
    }
    if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
      throw new InputError(`${file}: row ${r} sums to ${sum.toPrecision(4)}, not 1; give each row's softmax probabilities, or pass --logits with the raw scores`);
    }
  }
  return { probs: a.data instanceof Float32Array ? a.data : Float32Array.from(a.data), rows, classes };
}

function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

function countRowsWith(data: ArrayLike<number>, k: number, bad: (v: number) => boolean): number {
  let count = 0;
  for (let r = 0; r * k < data.length; r++) {
    for (let c = 0; c < k; c++) {
      if (bad(data[r * k + c])) {
        count++;
        break;
      }
    }
  }
  return count;
}
