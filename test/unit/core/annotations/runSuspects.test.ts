import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runScores } from '../../../../src/core/experiments/scoreRun';
import { runTraining } from '../../../../src/core/experiments/trainRun';
import { readScoreTable } from '../../../../src/core/store/scoreFiles';
import { readPredictions } from '../../../../src/core/annotations/predictions';
import { loadRunSuspects } from '../../../../src/core/annotations/runSuspects';
import { AnnotationStore } from '../../../../src/core/annotations/annotationStore';
import { tempDir } from '../../helpers/paths';

const base = { dataset: 'mnist', model: 'cnn-small' as const, width: 0.25, trainSubset: 600, validation: 0, batchSize: 50, backend: 'wasm' as const };

test('a score run records predictions consistent with its EL2N table, and its suspects find injected noise', async () => {
  const root = tempDir('suspects');
  const m = await runScores({ ...base, epochs: 3, scoreEpoch: 3, runs: 1, scores: ['el2n'], labelNoise: 0.2, noiseSeed: 1 }, { root });
  assert.equal(m.status, 'done', m.error);
  const runDir = path.join(root, '.datadiet', 'runs', m.id);
  const p = readPredictions(runDir)!;
  const el2n = readScoreTable(path.join(runDir, 'scores'), 'el2n');
  assert.deepEqual(Array.from(p.index), Array.from(el2n.index));
  assert.deepEqual(Array.from(p.label), Array.from(el2n.label));
  const k = p.numClasses;
  for (let r = 0; r < p.index.length; r++) {
    const row = Array.from(p.probs.subarray(r * k, (r + 1) * k));
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    assert.equal(p.predicted[r], row.indexOf(Math.max(...row)));
    // EL2N from the recorded softmax (one run) is the EL2N the score table holds.
    const ref = Math.sqrt(row.reduce((s, v, c) => s + (v - (c === p.label[r] ? 1 : 0)) ** 2, 0));
    assert.ok(Math.abs(ref - el2n.score[r]) < 1e-4, `row ${r}: ${ref} vs ${el2n.score[r]}`);
  }
  const s = loadRunSuspects(runDir);
  assert.equal(s.score?.name, 'el2n');
  const q = s.quality!;
  assert.ok(q.corrupted > 80, `${q.corrupted} corrupted`);
  // 20% base rate: the head of the queue must be far better than chance.
  assert.ok(q.precisionAt['100'] > 0.6, `precision@100 ${q.precisionAt['100']}`);

  // Annotations that restore the original labels of the flagged corrupted examples fix that noise in a re-score.
  const fixes = Array.from(s.ranking.order.subarray(0, s.ranking.count)).filter((r) => s.corrupted![r] === 1);
  const file = path.join(root, 'annotations.jsonl');
  const original = el2n.extra!.original_label;
  new AnnotationStore(file).append(fixes.map((r) => ({ index: p.index[r], action: 'relabel' as const, newLabel: original[r] })));
  const again = await runScores({ ...base, epochs: 1, scoreEpoch: 1, runs: 1, scores: ['el2n'], labelNoise: 0.2, noiseSeed: 1, annotations: file }, { root });
  assert.equal(again.status, 'done', again.error);
  const t = readScoreTable(path.join(root, '.datadiet', 'runs', again.id, 'scores'), 'el2n');
  assert.equal(t.extra!.corrupted.reduce((a, v) => a + v, 0), q.corrupted - fixes.length);
  assert.ok(fs.existsSync(path.join(root, '.datadiet', 'runs', again.id, 'predictions', 'softmax.parquet')));
});

test('suspects of a training run: refused, naming the run kind and what to pass instead', async () => {
  const root = tempDir('suspects-train');
  const m = await runTraining({ dataset: 'mnist', model: 'linear', trainSubset: 200, epochs: 1, batchSize: 50, backend: 'cpu' }, { root });
  assert.throws(() => loadRunSuspects(path.join(root, '.datadiet', 'runs', m.id)), /is a train run; suspected label issues come from the predictions a score run or an audit records/);
});

test('suspects of a score run that failed: says it failed and why, not that it predates predictions', () => {
  const root = tempDir('suspects-failed');
  const runDir = path.join(root, '.datadiet', 'runs', 'r-failed');
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, 'manifest.json'), JSON.stringify({ schema: 1, id: 'r-failed', kind: 'score', status: 'failed', error: 'training diverged at step 16', createdAt: '2026-12-07T00:00:00Z', timings: { startedAt: '2026-12-07T00:00:00Z' }, config: {} }));
  assert.throws(() => loadRunSuspects(runDir), /score run r-failed is failed \(training diverged at step 16\): it recorded no predictions/);
});
