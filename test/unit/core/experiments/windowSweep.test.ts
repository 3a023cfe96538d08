import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runScores } from '../../../../src/core/experiments/scoreRun';
import { runWindowSweep } from '../../../../src/core/experiments/windowSweep';
import { tempDir } from '../../helpers/paths';

const base = { dataset: 'mnist', model: 'cnn-small' as const, width: 0.25, trainSubset: 600, batchSize: 50, backend: 'wasm' as const };

test('window sweep: windows at each offset retrained, best chosen on validation, its test accuracy reported', async () => {
  const root = tempDir('window');
  // Score the whole subset (validation 0) so the sweep's own held-out split is scored too.
  const scores = await runScores({ ...base, trainSubset: 700, epochs: 1, scoreEpoch: 1, runs: 1, scores: ['el2n'] }, { root });
  const m = await runWindowSweep({ ...base, trainSubset: undefined, scoresFrom: scores.id, validation: 0.1, epochs: 1, size: 0.5, offsets: [0, 0.25, 0.5, 0.75], seeds: 1 }, { root }).catch((e) => e as Error);
  // Without a train subset the sweep trains on all of MNIST's train split, which the 700-example score run does not cover.
  assert.ok(m instanceof Error && /has no score for training example/.test(m.message));
  const scores2 = await runScores({ ...base, trainSubset: undefined, validation: 0, epochs: 1, scoreEpoch: 0, runs: 1, scores: ['el2n'], scoreBatch: 1000 }, { root });
  const w = await runWindowSweep({ ...base, trainSubset: 600, scoresFrom: scores2.id, validation: 0.1, epochs: 1, size: 0.5, offsets: [0, 0.25, 0.5, 0.75], seeds: 1 }, { root });
  assert.equal(w.status, 'done', w.error);
  const table = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', w.id, 'window-sweep.json'), 'utf8'));
  // The 10% validation split is held out of the 600-example subset: windows are of the 540 trained.
  assert.equal(table.size, 270);
  assert.deepEqual(table.points.map((p: { offset: number }) => p.offset), [0, 135, 270], 'the 75% offset does not fit a 50% window and is skipped');
  const best = table.points.reduce((a: { valMean: number }, p: { valMean: number }) => (p.valMean > a.valMean ? p : a));
  assert.equal(table.best.offset, best.offset);
  assert.equal(table.best.testAccuracy, best.testMean);
});
