import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { auditExperiment, foldRows, resolveAuditConfig, runAudit } from '../../../../src/core/experiments/labelAudit';
import { resumeRun } from '../../../../src/core/jobs/runner';
import { readFailures, readPlan, unitDir } from '../../../../src/core/jobs/unitStore';
import { readRun, runsDir } from '../../../../src/core/store/runStore';
import { readScoreTable, readNpy, scoresDir } from '../../../../src/core/store/scoreFiles';
import { readPredictions } from '../../../../src/core/annotations/predictions';
import { loadRunSuspects } from '../../../../src/core/annotations/runSuspects';
import { confidentLearningReport } from '../../../../src/core/labelErrors/confidentLearningReport';
import { calibrateJoint, confidentJoint, confidentThresholds, estimateNoise, findLabelIssues, labelCounts, numLabelIssues, selfConfidence } from '../../../../src/core/labelErrors/confidentLearning';
import { stratifiedFolds } from '../../../../src/core/data/stratifiedFolds';
import { auditFoldsStream } from '../../../../src/core/experiments/experimentStreams';
import { loadDataset } from '../../../../src/core/data/load';
import { datasetRows, TEST_SPLIT } from '../../../../src/core/data/datasetRows';
import { checkParams } from '../../../../src/contract/jobOptions';
import { tempDir } from '../../helpers/paths';
import { idxBytes, write, writeGrayPng, writePng } from '../data/fixtures';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { saveLayersModel } from '../backbone/modelFiles';
import { AnnotationStore } from '../../../../src/core/annotations/annotationStore';

// Linear models on a few hundred MNIST digits: seconds per fold on wasm, single-threaded.
const base = { dataset: 'mnist', model: 'linear' as const, trainSubset: 300, includeTest: false, batchSize: 20, backend: 'wasm' as const, threads: 1 };

type Results = {
  rows: number;
  trainRows: number;
  testRows: number;
  complete: boolean;
  outOfFoldAccuracy: number;
  foldAccuracy: { fold: number; rows: number; trainedOn: number; accuracy: number }[];
  estimatedIssues: number;
  flagged: number;
  detection?: { selfConfidence: { auroc: number; precision: number; recall: number; corrupted: number }; normalizedMargin: { auroc: number } };
};

test('the plan is one unit per fold; folds below 2 and a validation split are refused', () => {
  const cfg = resolveAuditConfig({ dataset: 'mnist', folds: 4 });
  assert.deepEqual(auditExperiment.plan(cfg).map((u) => u.key), ['fold-0', 'fold-1', 'fold-2', 'fold-3']);
  assert.equal(cfg.validation, 0);
  assert.equal(cfg.filter, 'prune_by_noise_rate');
  assert.equal(cfg.includeTest, true);
  assert.throws(() => checkParams('audit', { dataset: 'mnist', folds: 1 }), /--folds must be at least 2, got 1/);
  assert.throws(() => checkParams('audit', { dataset: 'mnist', filter: 'nope' }), /--filter must be one of prune_by_noise_rate/);
  assert.throws(() => resolveAuditConfig({ dataset: 'mnist', validation: 0.1 }), /an audit holds out no validation split/);
});

test('fold k predicts its own rows and trains on every other row', () => {
  const labels = Int32Array.from({ length: 103 }, (_, i) => (i * 7) % 5);
  const folds = stratifiedFolds(labels, 5, 4, auditFoldsStream(3).rng());
  const seen = new Uint8Array(labels.length);
  for (let k = 0; k < 4; k++) {
    const { predicted, trainedOn } = foldRows(folds, k);
    assert.equal(predicted.length + trainedOn.length, labels.length);
    const inFold = new Set(predicted);
    for (const r of trainedOn) assert.ok(!inFold.has(r), `fold ${k}: row ${r} is both trained on and predicted`);
    for (const r of predicted) seen[r]++;
  }
  assert.ok(seen.every((c) => c === 1), 'every row is predicted by exactly one fold');
});

test('an audit predicts every row once, out of fold, and its confident learning is that of its matrix', async () => {
  const root = tempDir('audit');
  const m = await runAudit({ ...base, folds: 3, epochs: 1 }, { root });
  assert.equal(m.status, 'done', m.error);
  assert.equal(m.kind, 'audit');
  const dir = path.join(runsDir(root), m.id);
  const r = m.results as Results;
  assert.equal(r.rows, 300);
  assert.equal(r.testRows, 0);
  assert.equal(r.complete, true);

  // Folds as the audit drew them: stratified by label from the audit-folds stream; each unit wrote its fold's rows.
  const p = readPredictions(dir)!;
  assert.equal(p.outOfSample, true);
  const table = readScoreTable(scoresDir(dir), 'label-quality');
  assert.deepEqual(Array.from(table.index), Array.from(p.index));
  const folds = stratifiedFolds(p.label, 10, 3, auditFoldsStream(0).rng());
  assert.deepEqual(Array.from(table.extra!.fold), Array.from(folds));
  for (let k = 0; k < 3; k++) {
    const rows = folds.filter((f) => f === k).length;
    assert.equal(fs.statSync(path.join(unitDir(dir, `fold-${k}`), 'probs.f32')).size, rows * 10 * 4, `fold ${k} predicted its ${rows} rows`);
    assert.equal(r.foldAccuracy[k].rows, rows);
    assert.equal(r.foldAccuracy[k].trainedOn, 300 - rows);
  }
  assert.ok(r.outOfFoldAccuracy > 0.4, `out-of-fold accuracy ${r.outOfFoldAccuracy}`);

  // The merge's confident learning equals confidentLearning.ts on the written matrix.
  const probs = readNpy(path.join(dir, 'predictions', 'probabilities.npy'));
  assert.deepEqual(probs.shape, [300, 10]);
  const cj = confidentJoint(probs.data, p.label, 10);
  const calibrated = calibrateJoint(cj, labelCounts(p.label, 10));
  const issues = findLabelIssues(probs.data, p.label, 10, { filter: 'prune_by_noise_rate' });
  assert.deepEqual(Array.from(table.extra!.issue), Array.from(issues));
  assert.deepEqual(Array.from(table.score), Array.from(Float32Array.from(selfConfidence(probs.data, p.label, 10))));
  assert.equal(r.estimatedIssues, numLabelIssues(calibrated, 300));
  assert.equal(r.flagged, issues.reduce((a, v) => a + v, 0));
  const analysis = JSON.parse(fs.readFileSync(path.join(dir, 'analysis.json'), 'utf8'));
  assert.deepEqual(analysis.confidentLearning.confidentJoint, cj);
  assert.deepEqual(analysis.confidentLearning.noiseMatrix, estimateNoise(calibrated).noiseMatrix);
  assert.deepEqual(analysis.confidentLearning.thresholds, confidentThresholds(probs.data, p.label, 10));

  // Suspects of an audit are its confident-learning issues, worst self-confidence first.
  const s = loadRunSuspects(dir);
  assert.equal(s.ranking.method, 'confident-learning');
  assert.equal(s.ranking.count, r.flagged);
  assert.equal(s.score?.name, 'label-quality');
  const firstFlagged = Array.from(s.ranking.order.subarray(0, s.ranking.count));
  for (let q = 1; q < firstFlagged.length; q++) assert.ok(table.score[firstFlagged[q - 1]] <= table.score[firstFlagged[q]]);
});

test('resuming after one finished fold does not recompute it', async () => {
  const root = tempDir('audit-resume');
  process.env.DATADIET_FAIL_UNIT = 'fold-1';
  let m;
  try {
    m = await runAudit({ ...base, trainSubset: 120, folds: 2, epochs: 1 }, { root });
  } finally {
    delete process.env.DATADIET_FAIL_UNIT;
  }
  assert.equal(m.status, 'failed');
  assert.equal((m.results as Results).complete, false, 'the finished fold is merged, marked incomplete');
  assert.equal((m.results as Results).rows, 60);
  const dir = path.join(runsDir(root), m.id);
  const done = path.join(unitDir(dir, 'fold-0'), 'probs.f32');
  const before = { bytes: fs.readFileSync(done), mtime: fs.statSync(done).mtimeMs };
  const resumed = await resumeRun(dir, { root }, { retryFailed: true });
  assert.equal(resumed.ran, 1);
  assert.equal(resumed.manifest.status, 'done', resumed.manifest.error);
  assert.equal(fs.statSync(done).mtimeMs, before.mtime, 'fold 0 was not written again');
  assert.deepEqual(fs.readFileSync(done), before.bytes);
  assert.equal(readFailures(dir, readPlan(dir)).length, 0);
  assert.equal((resumed.manifest.results as Results).rows, 120);
});

test('injected noise is found far better than chance', async () => {
  const root = tempDir('audit-noise');
  // An MLP over 10 epochs of 400 rows per fold: out-of-fold accuracy about 0.6 against the noisy labels.
  const m = await runAudit({ ...base, model: 'mlp', trainSubset: 600, folds: 3, epochs: 10, labelNoise: 0.2, noiseSeed: 1 }, { root });
  assert.equal(m.status, 'done', m.error);
  const d = (m.results as Results).detection!;
  const rate = d.selfConfidence.corrupted / 600;
  assert.ok(rate > 0.15 && rate <= 0.2, `about 18% corrupted (20% permuted, some keep their label): ${rate}`);
  assert.ok(d.selfConfidence.auroc > 0.85, `self-confidence AUROC ${d.selfConfidence.auroc}`);
  assert.ok(d.normalizedMargin.auroc > 0.8, `normalized-margin AUROC ${d.normalizedMargin.auroc}`);
  assert.ok(d.selfConfidence.precision > 2 * rate, `precision of the flags ${d.selfConfidence.precision}, chance ${rate}`);
  assert.ok(d.selfConfidence.recall > 0.6, `recall of the flags ${d.selfConfidence.recall}`);
  const dir = path.join(runsDir(root), m.id);
  const t = readScoreTable(scoresDir(dir), 'label-quality');
  for (let i = 0; i < t.index.length; i++) assert.equal(t.extra!.corrupted[i] === 1, t.extra!.original_label[i] !== t.label[i]);
  const s = loadRunSuspects(dir);
  assert.ok(s.quality && s.quality.flaggedPrecision > 0.5, 'suspects see the ground truth of the audit');
});

test('--parallel 2: folds in child processes give the same out-of-sample probabilities as one process', async () => {
  const root = tempDir('audit-parallel');
  const cfg = { ...base, trainSubset: 120, folds: 2, epochs: 1 };
  const one = await runAudit(cfg, { root });
  const two = await runAudit(cfg, { root }, { execution: { executor: 'local', parallel: 2 } });
  assert.equal(two.status, 'done', two.error);
  assert.deepEqual(two.execution, { executor: 'local', parallel: 2 });
  const probs = (id: string) => fs.readFileSync(path.join(runsDir(root), id, 'predictions', 'probabilities.npy'));
  assert.deepEqual(probs(two.id), probs(one.id));
  const { trainSeconds: _a, ...r1 } = one.results as Record<string, unknown>;
  const { trainSeconds: _b, ...r2 } = two.results as Record<string, unknown>;
  assert.deepEqual(r2, r1, 'the same results, but for the time spent');
});

/** A 2-class manifest of 36 images (no test split of its own: 6 are held out as test). */
function manifestDataset(): string {
  const dir = tempDir('audit-manifest');
  const lines = ['path,label'];
  for (let i = 0; i < 36; i++) {
    const bright = i % 2 === 0;
    writeGrayPng(path.join(dir, 'img', `${i}.png`), 8, 8, (x, y) => (bright ? 200 : 30) + ((x * 7 + y * 3 + i) % 20));
    lines.push(`img/${i}.png,${bright ? 'bright' : 'dark'}`);
  }
  fs.writeFileSync(path.join(dir, 'labels.csv'), lines.join('\n') + '\n');
  return path.join(dir, 'labels.csv');
}

test("a manifest's held-out test rows are audited too, at their own line's row, with their sources", async () => {
  const manifest = manifestDataset();
  const root = tempDir('audit-heldout');
  const m = await runAudit({ dataset: `csv:${manifest}`, model: 'linear', folds: 3, epochs: 2, batchSize: 8, backend: 'wasm', threads: 1 }, { root });
  assert.equal(m.status, 'done', m.error);
  const r = m.results as Results;
  assert.equal(r.rows, 36);
  assert.equal(r.testRows, 6);
  const dir = path.join(runsDir(root), m.id);
  const p = readPredictions(dir)!;
  assert.deepEqual(Array.from(p.index), Array.from({ length: 36 }, (_, i) => i), 'every manifest line, in its order');
  const { info } = await loadDataset(`csv:${manifest}`);
  const rows = datasetRows(30, 6, info.heldOut);
  assert.deepEqual(Array.from(p.split!), Array.from(rows.split));
  assert.deepEqual(p.sources!.map((s) => path.basename(s)), Array.from({ length: 36 }, (_, i) => `${i}.png`), 'row i is line i of the manifest');
  assert.ok(p.split!.some((s) => s === TEST_SPLIT));
  assert.equal(readRun(dir).manifest?.config.auditedTestRows, 6);
});

test("a binary dataset's test split is audited as rows trainCount + j; annotations relabel and exclude test rows too", async () => {
  const dir = tempDir('audit-idx');
  // Two classes told apart by brightness: 24 train and 8 test 4x4 images.
  const split = (stem: string, n: number) => {
    write(path.join(dir, `${stem}-images-idx3-ubyte`), idxBytes([n, 4, 4], Array.from({ length: 16 * n }, (_, p) => (Math.floor(p / 16) % 2 ? 200 : 40) + (p % 7))));
    write(path.join(dir, `${stem}-labels-idx1-ubyte`), idxBytes([n], Array.from({ length: n }, (_, i) => i % 2)));
  };
  split('train', 24);
  split('t10k', 8);
  const annotations = path.join(dir, 'annotations.jsonl');
  new AnnotationStore(annotations).append([{ index: 25, action: 'relabel', newLabel: 0 }, { index: 30, action: 'exclude' }, { index: 3, action: 'exclude' }]);
  const root = tempDir('audit-idx-root');
  const m = await runAudit({ dataset: `idx:${dir}`, model: 'linear', folds: 2, epochs: 2, batchSize: 4, backend: 'wasm', threads: 1, annotations }, { root });
  assert.equal(m.status, 'done', m.error);
  const p = readPredictions(path.join(runsDir(root), m.id))!;
  const expected = Array.from({ length: 32 }, (_, r) => r).filter((r) => r !== 3 && r !== 30);
  assert.deepEqual(Array.from(p.index), expected, 'train rows 0..23, test rows 24..31, excluded ones left out');
  assert.deepEqual(Array.from(p.split!), expected.map((r) => (r >= 24 ? TEST_SPLIT : 0)));
  assert.equal(p.label[expected.indexOf(25)], 0, 'test row 25 audited under its corrected label');
  assert.equal(p.sources, undefined);
  const r = m.results as Results;
  assert.deepEqual([r.trainRows, r.testRows], [23, 7]);
});

test('--backbone: the heads train on the frozen features, and the rows\' features are written next to the predictions', async () => {
  const root = tempDir('audit-backbone');
  const data = path.join(root, 'photos');
  // Two classes told apart by colour, 10 photos each (no test split of their own: some are held out).
  for (const [c, rgb] of [['rouge', [220, 40, 40]], ['bleu', [40, 40, 220]]] as const) {
    for (let i = 0; i < 10; i++) writePng(path.join(data, c, `${i}.png`), 8, 8, (x, y) => rgb.map((v) => Math.max(0, Math.min(255, v + ((x * 13 + y * 7 + i * 5) % 31) - 15))));
  }
  const bb = path.join(root, 'backbone');
  await tf.setBackend('cpu');
  const model = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'glorotUniform', seed: 3 } as never), tfl.layers.globalAveragePooling2d({})] });
  await saveLayersModel(model, bb);
  model.dispose();
  const m = await runAudit({ dataset: `folder:${data}`, backbone: bb, folds: 2, epochs: 3, batchSize: 4, backend: 'cpu' }, { root });
  assert.equal(m.status, 'done', m.error);
  assert.equal(m.config.model, 'linear', 'a linear head by default');
  const dir = path.join(runsDir(root), m.id);
  const p = readPredictions(dir)!;
  assert.equal(p.index.length, 20, 'train and held-out test photos');
  const emb = readNpy(path.join(dir, 'predictions', 'embeddings.npy'));
  assert.deepEqual(emb.shape, [20, 4]);
});
