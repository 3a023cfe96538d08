import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runScores } from '../../../../src/core/experiments/scoreRun';
import { readScoreTable } from '../../../../src/core/store/scoreFiles';
import { tempDir } from '../../helpers/paths';

const base = { dataset: 'mnist', model: 'cnn-small' as const, width: 0.25, trainSubset: 600, validation: 0, batchSize: 50, backend: 'wasm' as const };

test('scores at epoch t over K runs: one table per score with per-run columns, stability and correlations', async () => {
  const root = tempDir('score');
  const m = await runScores(
    { ...base, epochs: 2, scoreEpoch: 2, runs: 2, scores: ['el2n', 'grand', 'grand-last', 'forgetting', 'aum', 'confidence', 'variability', 'correctness', 'label-free-2'], csv: true },
    { root },
  );
  assert.equal(m.status, 'done', m.error);
  const dir = path.join(root, '.datadiet', 'runs', m.id, 'scores');
  for (const ext of ['parquet', 'npy', 'csv']) assert.ok(fs.existsSync(path.join(dir, `el2n.${ext}`)), ext);
  const el2n = readScoreTable(dir, 'el2n');
  assert.equal(el2n.index.length, 600);
  assert.equal(el2n.perRun.length, 2);
  for (let i = 0; i < 600; i++) {
    assert.ok(el2n.score[i] >= 0 && el2n.score[i] <= Math.SQRT2 + 1e-6, 'EL2N lies in [0, sqrt 2]');
    assert.ok(Math.abs(el2n.score[i] - (el2n.perRun[0][i] + el2n.perRun[1][i]) / 2) < 1e-6, 'score is the mean over runs');
  }
  assert.notDeepEqual(el2n.perRun[0], el2n.perRun[1], 'runs are independent');
  const grand = readScoreTable(dir, 'grand');
  assert.ok(grand.score.every((v) => v > 0 && Number.isFinite(v)));
  const last = readScoreTable(dir, 'grand-last');
  assert.ok(last.score.every((v, i) => v <= grand.score[i] + 1e-6), 'a subset of parameters never has a larger gradient norm');
  const forgetting = readScoreTable(dir, 'forgetting');
  assert.ok(forgetting.extra?.first_learned_epoch, 'forgetting carries the first-learned epoch');
  const r = m.results as { stability: Record<string, number[]>; correlations: { names: string[]; matrix: number[][] }; examplesPerSecond: Record<string, number> };
  assert.equal(r.stability.el2n.length, 2);
  assert.ok(Math.abs(r.stability.el2n[1] - 1) < 1e-9, 'the K-run mean agrees with itself');
  assert.equal(r.correlations.names.length, 9);
  const iE = r.correlations.names.indexOf('el2n');
  const iG = r.correlations.names.indexOf('grand');
  assert.ok(r.correlations.matrix[iE][iG] > 0.5, `EL2N and GraNd rank examples alike after training (${r.correlations.matrix[iE][iG]})`);
  assert.ok(r.examplesPerSecond.grand > 0 && r.examplesPerSecond.el2n > r.examplesPerSecond.grand);
});

test('scores at initialization (t = 0) need no training; dynamics scores at t = 0 are refused', async () => {
  const root = tempDir('score0');
  const m = await runScores({ ...base, scoreEpoch: 0, runs: 2, scores: ['el2n', 'grand', 'label-free-1'] }, { root });
  assert.equal(m.status, 'done', m.error);
  assert.equal((m.results as { trainSeconds: number }).trainSeconds, 0);
  await assert.rejects(runScores({ ...base, scoreEpoch: 0, scores: ['forgetting'] }, { root }), /forgetting need training: use --epoch >= 1/);
  await assert.rejects(runScores({ ...base, scores: ['el2n', 'nope' as 'el2n'] }, { root }), /--score: unknown "nope"; choose from el2n/);
});

test('a cancelled scoring job keeps the finished runs, marked partial', async () => {
  const root = tempDir('score-cancel');
  const abort = new AbortController();
  let run2 = false;
  const m = await runScores({ ...base, epochs: 1, scoreEpoch: 1, runs: 3, scores: ['el2n'] }, {
    root,
    signal: abort.signal,
    onProgress: (p) => {
      if (p.message.startsWith('run 2/3')) {
        run2 = true;
        abort.abort();
      }
    },
  });
  assert.ok(run2);
  assert.equal(m.status, 'cancelled');
  assert.match(m.error!, /cancelled: 1 of 3 units finished and are kept; datadiet runs resume \S+ runs the rest/);
  const t = readScoreTable(path.join(root, '.datadiet', 'runs', m.id, 'scores'), 'el2n');
  assert.equal(t.perRun.length, 1);
});

test('noise study: injected noisy labels are flagged in the tables and EL2N finds them (AUROC well above 0.5)', async () => {
  const root = tempDir('score-noise');
  const m = await runScores({ ...base, trainSubset: 1000, epochs: 3, scoreEpoch: 3, runs: 1, scores: ['el2n', 'aum'], labelNoise: 0.2, noiseSeed: 3 }, { root });
  assert.equal(m.status, 'done', m.error);
  const t = readScoreTable(path.join(root, '.datadiet', 'runs', m.id, 'scores'), 'el2n');
  const flagged = t.extra!.corrupted.reduce((s, v) => s + v, 0);
  assert.ok(flagged > 150 && flagged <= 200, `about 20% of 1000 corrupted (${flagged})`);
  for (let i = 0; i < t.index.length; i++) {
    assert.equal(t.extra!.corrupted[i] === 1, t.extra!.original_label[i] !== t.label[i], 'corrupted = label differs from the original');
  }
  const d = (m.results as { detection: Record<string, { auroc: number; precisionAt: Record<string, number> }> }).detection;
  assert.ok(d.el2n.auroc > 0.75, `EL2N AUROC ${d.el2n.auroc}`);
  assert.ok(d.aum.auroc > 0.75, `AUM (negated) AUROC ${d.aum.auroc}`);
});
