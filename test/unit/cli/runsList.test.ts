import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunManifest } from '../../../src/contract/runManifest';
import { datasetLabel, shortSpec } from '../../../src/cli/datasetLabel';
import { pruneHeadline, runHeadline } from '../../../src/cli/runHeadline';
import { runsListLines } from '../../../src/cli/runsList';
import { modelText, paramsText, runSummaryLines } from '../../../src/cli/runSummary';

const base = { schema: 1, createdAt: '2026-12-01T10:00:00Z', updatedAt: '2026-12-01T10:01:00Z', seeds: {}, versions: {}, timings: { startedAt: '2026-12-01T10:00:00Z' } } as const;
const dataset = (spec: string, fingerprint: string) => ({ spec, name: 'x/train', fingerprint, shape: [28, 28, 1] as const, numClasses: 10, trainSize: 54000, valSize: 6000, testSize: 10000 });
const run = (over: Partial<RunManifest>): RunManifest => ({ ...base, id: 'r', kind: 'train', status: 'done', config: {}, ...over }) as RunManifest;

test('datasets from disk are named by a short path and a fingerprint, so two cannot look alike', () => {
  assert.equal(shortSpec('folder:/home/me/projects/shoes/data'), 'folder:shoes/data');
  assert.equal(shortSpec('csv:/a/b/c/labels.csv'), 'csv:c/labels.csv');
  const a = datasetLabel(run({ dataset: dataset('folder:/x/one/data', 'aaaaaaaa1111'), config: {} }));
  const b = datasetLabel(run({ dataset: dataset('folder:/y/one/data', 'bbbbbbbb2222'), config: {} }));
  assert.equal(a, 'folder:one/data #aaaaaaaa');
  assert.notEqual(a, b);
  assert.equal(datasetLabel(run({ dataset: dataset('MNIST', 'f'), config: {} })), 'mnist');
  assert.equal(datasetLabel(run({ config: { dataset: 'folder:/q/r/s/' } })), 'folder:r/s', 'a run that failed before loading: its spec');
});

test('headline result by kind: train accuracy, scores computed, best pruned point, best window', () => {
  assert.equal(runHeadline(run({ results: { testAccuracy: 0.9712, valAccuracy: 0.97 } })), 'test 97.1%, val 97.0%');
  assert.equal(runHeadline(run({ kind: 'score', results: { runs: 2, examples: 54000, stability: { el2n: [1], grand: [1] } } })), 'el2n, grand of 54,000 examples, 2 runs');
  assert.equal(runHeadline(run({ kind: 'duplicates', results: { counts: { groups: 12, leakage: 3, labelConflict: 1 } } })), '12 duplicate groups: 3 train/test leakage, 1 label conflict');
  const summary = [
    { strategy: 'full data', fractionPruned: 0, mean: 0.97 },
    { strategy: 'keep-top', fractionPruned: 0.3, mean: 0.968 },
    { strategy: 'keep-top', fractionPruned: 0.5, mean: 0.965 },
    { strategy: 'random', fractionPruned: 0.5, mean: 0.95 },
    { strategy: 'keep-top', fractionPruned: 0.7, mean: 0.93 },
  ];
  assert.equal(pruneHeadline(summary), 'full 97.0%; most pruned within 1 pt: keep-top 50% pruned 96.5%');
  assert.equal(pruneHeadline(summary.map((p) => (p.strategy === 'full data' ? p : { ...p, mean: 0.5 }))), 'full 97.0%; best: keep-top 30% pruned 50.0%');
  assert.equal(runHeadline(run({ kind: 'window', results: { best: { offsetFraction: 0.2, testAccuracy: 0.961 } } })), 'best window at 20%: test 96.1%');
  assert.equal(runHeadline(run({ kind: 'audit', results: { rows: 70000, outOfFoldAccuracy: 0.9812, estimatedIssues: 812, flagged: 790 } })), 'out-of-fold 98.1%; ~812 label issues, 790 flagged of 70,000 rows');
});

test('runs list: a header and aligned columns', () => {
  const lines = runsListLines(
    [
      { dir: '/r/a', manifest: run({ id: '20261201-100000-train-aaaa', model: { arch: 'linear', width: 1, params: 7850 }, dataset: dataset('mnist', 'f'), results: { testAccuracy: 0.9 } }) },
      { dir: '/r/b', manifest: run({ id: '20261201-110000-prune-bbbb', status: 'failed', error: 'boom\nmore', config: { dataset: 'folder:/d/e/f', model: 'cnn-small', width: 0.5 } }), units: '1 of 4 units done' },
      { dir: '/r/zzz', problem: 'manifest.json: not JSON' },
    ],
    (d) => d.split('/').pop()!,
  );
  assert.match(lines[0], /^ID +STATUS +DATASET +MODEL +RESULT$/);
  const col = lines[0].indexOf('DATASET');
  assert.ok(lines.slice(1).every((l) => l.length > col && l[col - 1] === ' '), 'every row has its DATASET column where the header has it');
  assert.equal(lines[1].indexOf('mnist'), col);
  assert.match(lines[2], /failed +folder:e\/f +cnn-small x0\.5 +\[1 of 4 units done\] \(boom\)$/, 'a sweep names the model of its configuration');
  assert.match(lines[3], /^zzz +unreadable +manifest\.json: not JSON$/);
});

test('runs show: params, dataset, model, results and files', () => {
  const m = run({ id: 't', dataset: dataset('csv:/a/b/labels.csv', 'cafebabe99'), model: { arch: 'cnn-small', width: 1, params: 1234 }, config: { dataset: 'csv:/a/b/labels.csv', epochs: 2, milestones: [0.5, 0.75], annotations: undefined }, results: { testAccuracy: 0.5 } });
  const text = runSummaryLines(m, ['manifest.json', 'predictions/probabilities.npy']).join('\n');
  assert.match(text, /dataset +csv:b\/labels\.csv #cafebabe +\(csv:\/a\/b\/labels\.csv; 10 classes, 28x28x1; train 54000, validation 6000, test 10000\)/);
  assert.match(text, /model +cnn-small x1, 1,234 parameters/);
  assert.equal(modelText({ arch: 'resnet18', width: 0.25, stem: 'imagenet', params: 703386 }), 'resnet18 x0.25, imagenet stem, 703,386 parameters');
  assert.match(text, /results +test 50\.0%/);
  assert.match(text, /files +manifest\.json\n +predictions\/probabilities\.npy/);
  assert.equal(paramsText(m.config), 'dataset=csv:/a/b/labels.csv epochs=2 milestones=0.5,0.75');
});
