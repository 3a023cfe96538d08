import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkPredictions, readNpyFile, type PredictionShape } from '../../../../src/core/labelErrors/importedPredictions';
import { InputError } from '../../../../src/core/inputError';
import { tempDir } from '../../helpers/paths';
import { TORCH_PYTHON, torchOrSkip } from '../../helpers/torch';

const dir = tempDir('imported-predictions');
const want: PredictionShape = { rows: 4, classes: 3, rowsAre: 'the 4 examples of the training split' };

/** Files written by numpy itself, as a user's script would (python3 with numpy comes with the PyTorch reference). */
function npy(name: string, expr: string): string {
  const file = path.join(dir, name);
  const r = spawnSync(TORCH_PYTHON, ['-c', `import numpy as np\nnp.save(${JSON.stringify(file)}, ${expr})`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return file;
}

function refused(f: () => unknown, ...fragments: string[]): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof InputError, `an InputError, got ${String(e)}`);
    for (const s of fragments) assert.ok(e.message.includes(s), `"${e.message}" lacks "${s}"`);
    return true;
  });
}

const P = '[[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [1, 0, 0]]';

test('numpy float32 and float64 probabilities are read as they are; Fortran order is read in row order', (t) => {
  if (!torchOrSkip(t)) return;
  for (const expr of [`np.array(${P}, dtype=np.float32)`, `np.array(${P}, dtype=np.float64)`, `np.asfortranarray(np.array(${P}))`]) {
    const file = npy('p.npy', expr);
    const got = checkPredictions(readNpyFile(file), file, want);
    assert.deepEqual([got.rows, got.classes], [4, 3]);
    assert.ok(Math.abs(got.probs[1 * 3 + 1] - 0.8) < 1e-6, expr);
    assert.ok(Math.abs(got.probs[2 * 3 + 2] - 0.4) < 1e-6, expr);
  }
});

test('--logits: raw scores are softmaxed per row', (t) => {
  if (!torchOrSkip(t)) return;
  const file = npy('logits.npy', 'np.array([[2, 0, 0], [0, 0, 0], [-1000, 0, 1000], [5, 5, 5]], dtype=np.float32)');
  const got = checkPredictions(readNpyFile(file), file, want, true);
  const e2 = Math.exp(2);
  assert.ok(Math.abs(got.probs[0] - e2 / (e2 + 2)) < 1e-6);
  assert.ok(Math.abs(got.probs[3 + 1] - 1 / 3) < 1e-6);
  assert.equal(got.probs[2 * 3 + 2], 1, 'no overflow for large logits');
  refused(() => checkPredictions(readNpyFile(file), file, want), 'logits.npy', 'row 0 holds 2', 'pass --logits');
});

test('every bad file is refused with the file, the row and the fix', (t) => {
  if (!torchOrSkip(t)) return;
  const rows = npy('rows.npy', 'np.full((5, 3), 1/3, dtype=np.float32)');
  refused(() => checkPredictions(readNpyFile(rows), rows, want), 'rows.npy', '5 rows', 'the 4 examples of the training split');
  const transposed = npy('t.npy', 'np.full((3, 4), 0.25, dtype=np.float32)');
  refused(() => checkPredictions(readNpyFile(transposed), transposed, want), 'looks transposed');
  const cols = npy('cols.npy', 'np.full((4, 2), 0.5, dtype=np.float32)');
  refused(() => checkPredictions(readNpyFile(cols), cols, want), '2 columns', '3 classes');
  const flat = npy('flat.npy', 'np.zeros(12, dtype=np.float32)');
  refused(() => checkPredictions(readNpyFile(flat), flat, want), 'shape (12) is not a matrix', 'expected (4, 3)');
  const nan = npy('nan.npy', `np.where(np.arange(12).reshape(4, 3) == 7, np.nan, np.array(${P}))`);
  refused(() => checkPredictions(readNpyFile(nan), nan, want), 'row 2 holds NaN', '1 of 4 rows do');
  const sums = npy('sums.npy', 'np.array([[0.5, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [1, 0, 0]])');
  refused(() => checkPredictions(readNpyFile(sums), sums, want), 'row 0 sums to 0.8000', '--logits');
  const ints = npy('ints.npy', 'np.zeros((4, 3), dtype=np.int64)');
  refused(() => readNpyFile(ints), 'ints.npy', "dtype '<i8' is not supported", 'np.float32');
  const big = npy('big.npy', `np.array(${P}, dtype='>f4')`);
  refused(() => readNpyFile(big), 'big-endian');
  refused(() => readNpyFile(path.join(dir, 'missing.npy')), 'missing.npy: file not found');
  const text = path.join(dir, 'probs.csv');
  fs.writeFileSync(text, '0.5,0.5\n');
  refused(() => readNpyFile(text), 'probs.csv', 'not an NPY file');
});
