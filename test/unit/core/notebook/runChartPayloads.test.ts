import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { confusionMatrixPayload, runChartPayloads, trainingCurvesPayload, trainingEpochs } from '../../../../src/core/notebook/runChartPayloads';
import { writeRunChartSvgs } from '../../../../src/core/notebook/runChartFiles';
import { writeConfusion, CONFUSION } from '../../../../src/core/store/confusionFile';
import { tempDir } from '../../helpers/paths';

const line = (epoch: number, test = true) => JSON.stringify({ epoch, step: epoch * 10, lr: 0.1, trainLoss: 1 / epoch, trainAccuracy: 0.5 + epoch / 10, val: { loss: 1.1 / epoch, accuracy: 0.5, count: 100 }, ...(test ? { test: { loss: 1.2 / epoch, accuracy: 0.55, count: 1000 } } : {}), trainSeconds: 1, examplesPerSecond: 100 });

test('epochs from metrics.jsonl records: splits mapped, a repeated epoch keeps its last line, junk skipped', () => {
  const recs = [JSON.parse(line(1)), JSON.parse(line(2, false)), { epoch: 2, trainLoss: 0.4, trainAccuracy: 0.75 }, { note: 'no epoch' }, { epoch: 3, trainLoss: null }];
  const e = trainingEpochs(recs);
  assert.deepEqual(e.map((x) => x.epoch), [1, 2]);
  assert.deepEqual(e[0].test, { loss: 1.2, accuracy: 0.55 });
  assert.deepEqual(e[0].validation, { loss: 1.1, accuracy: 0.5 });
  assert.deepEqual(e[1], { epoch: 2, train: { loss: 0.4, accuracy: 0.75 } });
});

test('payloads of a run folder, undefined where the files are absent; SVGs written next to them', async () => {
  const dir = tempDir('runcharts');
  assert.deepEqual(runChartPayloads(dir), { trainingCurves: undefined, confusionMatrix: undefined });
  assert.deepEqual(await writeRunChartSvgs(dir), []);
  // A torn last line (killed mid-append) is skipped.
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), `${line(1)}\n${line(2)}\n{"epoch": 3, "trai`);
  const tc = trainingCurvesPayload(dir, { source: { runId: 'r1' } })!;
  assert.equal(tc.version, 1);
  assert.equal(tc.epochs.length, 2);
  assert.deepEqual(tc.source, { runId: 'r1' });
  assert.equal(confusionMatrixPayload(dir), undefined);
  writeConfusion(dir, { labels: ['a', 'b'], matrix: [[3, 1], [0, 4]], split: 'test' });
  assert.deepEqual(confusionMatrixPayload(dir), { version: 1, labels: ['a', 'b'], matrix: [[3, 1], [0, 4]], split: 'test' });
  const files = await writeRunChartSvgs(dir);
  assert.deepEqual(files.map((f) => path.basename(f)), ['training-curves.svg', 'confusion.svg']);
  assert.throws(() => writeConfusion(dir, { labels: ['a'], matrix: [[1, 2]], split: 'test' }), /K x K/);
  fs.writeFileSync(path.join(dir, CONFUSION), JSON.stringify({ labels: ['a'], matrix: [[-1]], split: 'test' }));
  assert.throws(() => confusionMatrixPayload(dir), /non-negative counts/);
});
