import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../helpers/paths';
import { runScores } from '../../../../src/core/experiments/scoreRun';
import { runWindowSweep, type WindowPoint } from '../../../../src/core/experiments/windowSweep';
import { checkSameNoise, corruptedAmong, scoreRunNoise } from '../../../../src/core/experiments/scoreRunNoise';
import type { ExperimentData } from '../../../../src/core/experiments/experimentData';
import { createRun } from '../../../../src/core/store/runStore';
import { scoresDir, writeScoreTable } from '../../../../src/core/store/scoreFiles';

test('noise of a score run from its manifest; regenerated noise must match the table', () => {
  const root = tempDir('noise-ref');
  const run = createRun(root, { kind: 'score', config: { labelNoise: 0.2, noiseSeed: 3 }, seeds: {}, versions: {} });
  assert.deepEqual(scoreRunNoise(root, run.id), { labelNoise: 0.2, noiseSeed: 3, noiseKind: 'uniform' });
  assert.deepEqual(scoreRunNoise(root, 'missing'), { labelNoise: 0, noiseSeed: 0, noiseKind: 'uniform' });
  writeScoreTable(scoresDir(run.dir), 'el2n', { name: 'el2n', index: Int32Array.of(0, 2, 4), label: Int32Array.of(1, 1, 1), score: Float32Array.of(1, 2, 3), perRun: [Float32Array.of(1, 2, 3)], extra: { corrupted: Float32Array.of(0, 1, 0) } });
  const data = (corrupted: number[]) => ({ trainIndices: Int32Array.of(0, 2, 4), corrupted: Uint8Array.from(corrupted) }) as unknown as ExperimentData;
  assert.equal(checkSameNoise(data([0, 0, 1, 0, 0]), run.dir, 'el2n'), 1);
  assert.throws(() => checkSameNoise(data([0, 0, 0, 0, 1]), run.dir, 'el2n'), /label noise regenerated for example 2 differs .* use the same --seed, --validation and --subset/);
  assert.equal(corruptedAmong(data([1, 0, 1, 0, 1]), [0, 4]), 2);
});

test('window sweep under noise retrains on the score run\'s noisy labels and counts the corrupted examples per window', async () => {
  const root = tempDir('noise-window');
  const base = { dataset: 'mnist', model: 'cnn-small' as const, width: 0.25, trainSubset: 600, validation: 0.1, batchSize: 50, backend: 'wasm' as const };
  const scores = await runScores({ ...base, epochs: 2, scoreEpoch: 2, runs: 1, scores: ['el2n'], labelNoise: 0.2, noiseSeed: 1 }, { root });
  assert.equal(scores.status, 'done', scores.error);
  const m = await runWindowSweep({ ...base, scoresFrom: scores.id, epochs: 1, size: 0.3, offsets: [0, 0.7], seeds: 1 }, { root });
  assert.equal(m.status, 'done', m.error);
  assert.equal(m.config.labelNoise, 0.2);
  const t = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', m.id, 'window-sweep.json'), 'utf8')) as { labelNoise: number; corruptedTrained: number; points: WindowPoint[] };
  assert.equal(t.labelNoise, 0.2);
  // 120 permuted labels, about 1 in 10 lands on its own class.
  assert.ok(t.corruptedTrained > 90 && t.corruptedTrained <= 120, `${t.corruptedTrained}`);
  const [low, high] = t.points;
  assert.ok(low.corrupted !== undefined && high.corrupted !== undefined);
  // EL2N ranks the wrong labels high: the top window holds far more of them than the bottom one.
  assert.ok(high.corrupted! > 3 * low.corrupted!, `top window ${high.corrupted}, bottom ${low.corrupted}`);
});
