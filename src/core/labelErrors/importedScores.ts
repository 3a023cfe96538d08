/**
 * A user's own per-example scores (`--score name=file`): each an .npy of one finite value per dataset row, shape
 * (N,) or (N, 1), higher meaning harder as Data Diet's scores do. Names become score-table file names and cell
 * arguments, so they follow the score-table rule, stay apart from the names a table's columns and a run's
 * prediction files already use, and are given once.
 */
import * as path from 'node:path';
import { InputError } from '../inputError';
import { isScoreName, type NpyArray } from '../store/scoreFiles';

export interface ScoreFileArg {
  readonly name: string;
  /** Absolute. */
  readonly file: string;
}

/**
 * Names a score table cannot take: the columns every table has (index, label, score, run_<k>) and the files of a
 * run's predictions (softmax, probabilities, embeddings), which a listing would confuse with it.
 */
const RESERVED = /^(index|label|score|run_\d+|softmax|predictions|probabilities|embeddings)$/;

/** Whether a score table cannot take `name` (see RESERVED). */
export function isReservedScoreName(name: string): boolean {
  return RESERVED.test(name);
}

const EXAMPLE = '--score el2n=el2n.npy';

/** `name=file`, the file resolved against `base`. */
export function parseScoreArg(arg: string, base = process.cwd()): ScoreFileArg {
  const eq = arg.indexOf('=');
  if (eq < 0) throw new InputError(`--score ${arg}: expected name=file (e.g. ${EXAMPLE}): the name the score gets, then its .npy file`);
  const name = arg.slice(0, eq).trim();
  const file = arg.slice(eq + 1).trim();
  if (name === '') throw new InputError(`--score ${arg}: the score has no name before "="; e.g. ${EXAMPLE}`);
  if (file === '') throw new InputError(`--score ${arg}: no file after "="; e.g. ${EXAMPLE}`);
  if (!isScoreName(name)) throw new InputError(`--score ${arg}: "${name}" cannot name a score (letters, digits, _ . -; not starting with . or -)`);
  if (isReservedScoreName(name)) throw new InputError(`--score ${arg}: "${name}" is reserved (it names a column of every score table or a prediction file); pick another name, e.g. my_${name}`);
  return { name, file: path.resolve(base, file) };
}

/** Every `name=file` of a job, names given once. */
export function parseScoreArgs(args: readonly string[], base = process.cwd()): ScoreFileArg[] {
  if (args.length === 0) throw new InputError(`no score to import: give at least one --score name=file (e.g. ${EXAMPLE})`);
  const out = args.map((a) => parseScoreArg(a, base));
  const seen = new Set<string>();
  for (const s of out) {
    if (seen.has(s.name)) throw new InputError(`--score ${s.name}=...: the name "${s.name}" is given twice; each score needs its own name`);
    seen.add(s.name);
  }
  return out;
}

/**
 * The values of a score file whose rows were already matched to the dataset (`rows` of them): shape (N,) or
 * (N, 1), finite. Float32, as score tables store them.
 */
export function checkScoreValues(a: NpyArray, file: string, rows: number): Float32Array {
  if (a.shape.length === 2 && a.shape[1] !== 1) {
    throw new InputError(`${file}: shape (${a.shape.join(', ')}) has ${a.shape[1]} columns; a score file holds one value per example: shape (${rows},) or (${rows}, 1)`);
  }
  if (a.shape[0] !== rows) throw new InputError(`${file}: ${a.shape[0]} rows where ${rows} were expected`);
  // Checked as stored: a float64 beyond float32's range is as unusable as an infinity.
  const values = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data);
  let bad = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) continue;
    bad++;
    if (first < 0) first = i;
  }
  if (bad > 0) throw new InputError(`${file}: row ${first} holds ${Number.isNaN(values[first]) ? 'NaN' : 'an infinite value (or one beyond float32\'s range)'} (${bad} of ${rows.toLocaleString('en-US')} rows do); scores must be finite numbers: give the examples without a score a value of your choosing`);
  return values;
}
