import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROBABILITIES_FILE, predictionsDir, summarizePredictions, writePredictions } from '../../../../src/core/annotations/predictions';
import { readNpy } from '../../../../src/core/store/scoreFiles';

test('predictions/probabilities.npy holds the N x C mean softmax, float32, rows in the table index order', () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'datadiet-predictions-'));
  const runs = [Float32Array.from([0.8, 0.1, 0.1, 0.2, 0.5, 0.3]), Float32Array.from([0.6, 0.3, 0.1, 0.0, 0.7, 0.3])];
  const p = summarizePredictions(Int32Array.from([3, 9]), Int32Array.from([0, 2]), runs, 3);
  writePredictions(runDir, p, runs);
  const a = readNpy(path.join(predictionsDir(runDir), PROBABILITIES_FILE));
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(Array.from(a.data), Array.from(p.probs));
  // softmax.npy stays the (N,) score column: the probability of each example's label.
  assert.deepEqual(readNpy(path.join(predictionsDir(runDir), 'softmax.npy')).shape, [2]);
});
