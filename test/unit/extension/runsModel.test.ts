import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunManifest } from '../../../src/core/store/runManifest';
import { datasetName, headline, modelName, runDetails, runItem, sortRuns, STATUS_ICONS } from '../../../src/extension/runsModel';
import { finishedMessage, restrictedMessage } from '../../../src/extension/messages';

const now = new Date('2026-11-22T12:00:00Z');

function manifest(patch: Partial<RunManifest> = {}): RunManifest {
  return {
    schema: 1,
    id: '20261122-115500-train-ab12',
    kind: 'train',
    status: 'done',
    createdAt: '2026-11-22T11:55:00Z',
    updatedAt: '2026-11-22T11:58:00Z',
    config: { dataset: 'mnist', model: 'cnn-small', width: 1, epochs: 2, steps: 28, batchSize: 128, trainSubset: 2000 },
    seeds: { init: 0 },
    dataset: { spec: 'mnist', name: 'mnist/train', fingerprint: 'x', shape: [28, 28, 1], numClasses: 10, trainSize: 1800, valSize: 200, testSize: 10000 },
    model: { arch: 'cnn-small', width: 1, params: 421642 },
    backend: { name: 'wasm', device: 'wasm (SIMD, 2 threads)', reason: 'auto: tfjs-node-gpu not installed; tfjs-node not installed; webgpu: no adapter' },
    versions: {},
    timings: { startedAt: '2026-11-22T11:55:00Z', finishedAt: '2026-11-22T11:58:00Z', totalSeconds: 180 },
    results: { testAccuracy: 0.9812, testLoss: 0.0612, valAccuracy: 0.975, trainExamplesPerSecond: 1234.5 },
    ...patch,
  };
}
const dir = '/ws/.datadiet/runs/20261122-115500-train-ab12';

test('a finished training run: dataset and model, status, accuracy, when; a green check', () => {
  const it = runItem({ dir, manifest: manifest() }, now);
  assert.equal(it.label, 'mnist \u00b7 cnn-small');
  assert.equal(it.description, 'done \u00b7 98.1% test \u00b7 2 min ago');
  assert.deepEqual(it.icon, STATUS_ICONS.done);
  assert.equal(it.contextValue, 'run.done.train');
  assert.equal(it.id, dir);
  assert.match(it.tooltip, /\*\*20261122-115500-train-ab12\*\*/);
  assert.match(it.tooltip, /wasm \(SIMD, 2 threads\)/);
});

test('running: percent and ETA from live progress; cancelled: partial; failed: the reason', () => {
  const running = runItem({ dir, manifest: manifest({ status: 'running', results: undefined, timings: { startedAt: '2026-11-22T11:59:00Z' } }) }, now, { fraction: 0.431, etaSeconds: 72 });
  assert.equal(running.description, 'running \u00b7 43% \u00b7 1:12 left');
  assert.equal(running.icon.id, 'sync~spin');
  assert.equal(running.contextValue, 'run.running.train');
  assert.equal(runItem({ dir, manifest: manifest({ status: 'running', results: undefined }) }, now).description, 'running');
  const slurm = manifest({ status: 'running', results: undefined, execution: { executor: 'slurm', slurm: { arrayJobId: '81', mergeJobId: '82', script: '/x/units.sh', units: [0, 1, 2, 3] } } });
  assert.equal(runItem({ dir, manifest: slurm }, now, { fraction: 0.25 }).description, 'running \u00b7 on Slurm (job 81) \u00b7 25%');
  const cancelled = runItem({ dir, manifest: manifest({ status: 'cancelled', results: { testAccuracy: 0.5, partial: true } }) }, now);
  assert.equal(cancelled.description, 'cancelled \u00b7 50.0% test (partial) \u00b7 2 min ago');
  assert.equal(cancelled.icon.id, 'circle-slash');
  const failed = runItem({ dir, manifest: manifest({ status: 'failed', results: undefined, error: 'the engine process was killed (SIGKILL) while this run was going\nmore' }) }, now);
  assert.match(failed.description, /^failed \u00b7 the engine process was killed \(SIGKILL\) while this run was\u2026 \u00b7 2 min ago$/);
  assert.equal(failed.icon.color, 'testing.iconFailed');
});

test('score runs: label says scores, headline lists them with K', () => {
  const m = manifest({ kind: 'score', id: 's', config: { dataset: 'csv:/data/pets/labels.csv', model: 'resnet18', width: 0.25, scores: ['el2n', 'grand'] }, dataset: undefined, model: undefined, results: { runs: 2, examples: 5000, scores: ['el2n', 'grand'] } });
  const it = runItem({ dir, manifest: m }, now);
  assert.equal(it.label, 'labels.csv \u00b7 resnet18 \u00d70.25 \u00b7 scores');
  assert.match(it.description, /^done \u00b7 el2n, grand \u00b7 2 runs/);
  assert.equal(datasetName(m), 'labels.csv');
  assert.equal(modelName(m), 'resnet18 \u00d70.25');
  assert.equal(headline(m), 'el2n, grand \u00b7 2 runs');
  assert.ok(runDetails({ dir, manifest: m }).some((d) => d.label === 'scores' && /over 5,000 examples/.test(d.description)));
});

test('audit runs: label says audit, headline is the out-of-fold accuracy and the flagged rows', () => {
  const m = manifest({ kind: 'audit', id: 'a', results: { rows: 70000, outOfFoldAccuracy: 0.9812, flagged: 790, estimatedIssues: 812 } });
  assert.equal(runItem({ dir, manifest: m }, now).label, 'mnist \u00b7 cnn-small \u00b7 audit');
  assert.equal(headline(m), '98.1% out of fold \u00b7 790 of 70,000 flagged');
});

test('an unreadable run is listed with its problem, never hidden', () => {
  const it = runItem({ dir, problem: 'manifest.json: invalid JSON' }, now);
  assert.equal(it.label, '20261122-115500-train-ab12');
  assert.equal(it.description, 'unreadable');
  assert.equal(it.contextValue, 'run.unreadable');
  assert.match(it.tooltip, /invalid JSON/);
  assert.deepEqual(runDetails({ dir, problem: 'p' }).map((d) => d.label), ['problem', 'folder']);
});

test('details: status, dataset sizes, model parameters, backend with reason, accuracy, speed, time, folder', () => {
  const rows = Object.fromEntries(runDetails({ dir, manifest: manifest() }).map((d) => [d.label, d.description]));
  assert.equal(rows.status, 'done');
  assert.equal(rows.dataset, 'mnist (1,800 train, 200 val, 10,000 test; 10 classes)');
  assert.equal(datasetName(manifest({ dataset: { ...manifest().dataset!, name: 'pets/train+noise0.2' } })), 'pets+noise0.2');
  assert.equal(rows.model, 'cnn-small (421,642 parameters)');
  const resnet = manifest({ model: { arch: 'resnet18', width: 0.25, stem: 'imagenet', params: 703386 } });
  assert.equal(Object.fromEntries(runDetails({ dir, manifest: resnet }).map((d) => [d.label, d.description])).model, 'resnet18 \u00d70.25 (imagenet stem, 703,386 parameters)');
  assert.match(rows.backend, /^wasm \(SIMD, 2 threads\) \u2014 auto: tfjs-node-gpu not installed/);
  assert.equal(rows['test accuracy'], '98.12% (loss 0.0612)');
  assert.equal(rows['validation accuracy'], '97.50%');
  assert.equal(rows.speed, '1,235 examples/s');
  assert.equal(rows.training, '28 steps (2 epochs), batch 128, subset of 2,000');
  assert.equal(rows.time, '3 min 00 s');
  assert.equal(rows.folder, dir);
});

test('runs sort newest first by folder name (ids start with a timestamp)', () => {
  const a = { dir: '/r/20261122-100000-train-aaaa' };
  const b = { dir: '/r/20261122-110000-score-bbbb' };
  assert.deepEqual(sortRuns([a, b]).map((r) => r.dir), [b.dir, a.dir]);
});

test('messages: finished summaries and the Restricted Mode explanation', () => {
  assert.equal(finishedMessage('Training cnn-small on MNIST', manifest()), 'Training cnn-small on MNIST: done \u2014 98.1% test (3 min 00 s).');
  assert.match(finishedMessage('T', manifest({ status: 'failed', error: 'out of memory' })), /^T: failed \u2014 out of memory\.$/);
  assert.match(finishedMessage('T', manifest({ status: 'cancelled', results: { testAccuracy: 0.4, partial: true } })), /cancelled; partial results kept/);
  assert.match(restrictedMessage('train models'), /does not train models in Restricted Mode/);
});
