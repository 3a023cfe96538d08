import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTraining } from '../../../../src/core/experiments/trainRun';
import { SEED_SCHEME } from '../../../../src/core/randomStreams';
import { listRuns, readMetrics, readRun } from '../../../../src/core/store/runStore';
import { resumeRun } from '../../../../src/core/jobs/runner';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../helpers/paths';
import { readConfusion } from '../../../../src/core/store/confusionFile';
import { runChartPayloads } from '../../../../src/core/notebook/runChartPayloads';
import { writeRunChartSvgs } from '../../../../src/core/notebook/runChartFiles';

test('training cnn-small on an MNIST subset: loss falls, accuracy far above chance, run recorded', async () => {
  const root = tempDir('train');
  const progress: string[] = [];
  const m = await runTraining(
    { dataset: 'mnist', model: 'cnn-small', width: 0.5, trainSubset: 4000, steps: 120, batchSize: 64, epochs: 1, validation: 1000, backend: 'wasm', lr: 0.05 }, // 1,000 of the 4,000 held out
    { root, onProgress: (p) => progress.push(p.phase) },
  );
  assert.equal(m.status, 'done', m.error);
  const metrics = readMetrics(readRun(`${root}/.datadiet/runs/${m.id}`).dir);
  assert.ok(metrics.length >= 2, 'one metrics line per epoch');
  const first = metrics[0] as { trainLoss: number };
  const last = metrics[metrics.length - 1] as { trainLoss: number; test: { accuracy: number; count: number }; val: { count: number } };
  assert.ok(last.trainLoss < first.trainLoss * 0.6, `loss falls: ${first.trainLoss} -> ${last.trainLoss}`);
  assert.equal(last.test.count, 10000, 'evaluated on the whole MNIST test split');
  assert.equal(last.val.count, 1000, 'and on the held-out validation split');
  const acc = (m.results as { testAccuracy: number }).testAccuracy;
  assert.ok(acc > 0.85, `test accuracy ${acc} well above chance (0.1)`);
  assert.equal(m.backend?.name, 'wasm');
  assert.match(m.dataset!.fingerprint, /^[0-9a-f]{64}$/);
  assert.equal(m.dataset!.trainSize, 3000);
  assert.deepEqual(m.seeds, { root: 0 });
  assert.equal(m.seedScheme, SEED_SCHEME, 'the derivation from seeds to streams is recorded');
  assert.ok(m.timings.trainSeconds! > 0 && m.timings.loadSeconds! >= 0);
  assert.ok(progress.includes('train') && progress.includes('eval'));
});

test('the same seeds give the same run; a different data seed gives a different one', async () => {
  const cfg = { dataset: 'mnist', model: 'linear' as const, trainSubset: 500, steps: 15, batchSize: 50, validation: 100, backend: 'wasm' as const };
  const a = await runTraining(cfg, { root: tempDir('seed') });
  const b = await runTraining(cfg, { root: tempDir('seed') });
  const c = await runTraining({ ...cfg, dataSeed: 7 }, { root: tempDir('seed') });
  const loss = (m: typeof a) => (m.results as { testLoss: number }).testLoss;
  assert.equal(loss(a), loss(b));
  assert.notEqual(loss(a), loss(c));
});

test('an aborted run stops within a batch and is recorded as cancelled with partial results', async () => {
  const root = tempDir('cancel');
  const abort = new AbortController();
  let steps = 0;
  const m = await runTraining(
    { dataset: 'mnist', model: 'linear', trainSubset: 2000, steps: 10_000, batchSize: 32, validation: 100, backend: 'wasm' },
    {
      root,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.phase === 'train' && p.step !== undefined) {
          steps = p.step;
          if (p.step >= 5) abort.abort();
        }
      },
    },
  );
  assert.equal(m.status, 'cancelled');
  assert.match(m.error!, /cancelled after \d+ of 10000 steps/);
  const done = (m.results as { steps: number; partial: boolean }).steps;
  assert.ok(done >= steps && done <= steps + 1, `stopped within one batch (${done} vs ${steps})`);
  assert.equal((m.results as { partial: boolean }).partial, true);
});

test('a diverging run (huge learning rate) fails with an actionable message and keeps its manifest', async () => {
  const root = tempDir('diverge');
  await assert.rejects(
    runTraining({ dataset: 'mnist', model: 'cnn-small', width: 0.25, trainSubset: 500, steps: 40, batchSize: 50, validation: 100, backend: 'wasm', lr: 1e6 }, { root }),
    /diverged .*lower the learning rate/,
  );
  const [run] = listRuns(root);
  assert.equal(run.manifest!.status, 'failed');
  assert.match(run.manifest!.error!, /diverged at step \d+/);
});

test('a bad dataset spec fails the run with the loader message', async () => {
  const root = tempDir('bad');
  await assert.rejects(runTraining({ dataset: 'cifar10:/nonexistent/dir', backend: 'wasm' }, { root }), /nonexistent/);
});

test('a cancelled run resumed in its own folder continues from its last epoch: one metrics history, final weights', async () => {
  const root = tempDir('resume-in-place');
  const abort = new AbortController();
  // 400 examples in batches of 20: 20 steps per epoch; cancelled in epoch 3, after epoch 2's resume point.
  const m = await runTraining({ dataset: 'mnist', model: 'linear', trainSubset: 400, steps: 200, batchSize: 20, validation: 0, backend: 'cpu' }, {
    root,
    signal: abort.signal,
    onProgress: (p) => {
      if (p.phase === 'eval' && p.epoch === 2) abort.abort();
    },
  });
  assert.equal(m.status, 'cancelled');
  const dir = path.join(root, '.datadiet', 'runs', m.id);
  assert.ok(fs.existsSync(path.join(dir, 'resume.json')) && fs.existsSync(path.join(dir, 'weights.bin')), 'weights and resume point kept');
  const steps: number[] = [];
  const { manifest } = await resumeRun(dir, { root, onProgress: (p) => p.phase === 'train' && p.step !== undefined && steps.push(p.step) });
  assert.equal(manifest.status, 'done', manifest.error);
  assert.ok(steps[0] > 40, `continued after step 40, not from the start (first step ${steps[0]})`);
  assert.deepEqual([(manifest.results as { steps: number }).steps, (manifest.results as { epochs: number }).epochs], [200, 10]);
  assert.deepEqual(readMetrics(dir).map((x) => x.step), Array.from({ length: 10 }, (_, i) => 20 * (i + 1)));
  assert.ok(!fs.existsSync(path.join(dir, 'resume.json')), 'a finished run drops its resume point');
  assert.ok(fs.existsSync(path.join(dir, 'weights.json')));
});

test('a finished training stores its test confusion matrix, and the run folder yields both training charts', async () => {
  const root = tempDir('confusion');
  const m = await runTraining({ dataset: 'mnist', model: 'linear', trainSubset: 500, steps: 20, batchSize: 50, validation: 100, backend: 'wasm' }, { root });
  assert.equal(m.status, 'done', m.error);
  const dir = readRun(`${root}/.datadiet/runs/${m.id}`).dir;
  const c = readConfusion(dir)!;
  assert.equal(c.split, 'test');
  assert.equal(c.labels.length, 10);
  const total = c.matrix.flat().reduce((a, v) => a + v, 0);
  assert.equal(total, 10000, 'every test example once');
  const diag = c.matrix.reduce((a, row, t) => a + row[t], 0);
  assert.ok(Math.abs(diag / total - (m.results as { testAccuracy: number }).testAccuracy) < 1e-6, 'the diagonal is the test accuracy');
  const p = runChartPayloads(dir);
  assert.ok(p.trainingCurves && p.trainingCurves.epochs.length >= 1 && p.trainingCurves.epochs[0].train && p.trainingCurves.epochs[0].validation && p.trainingCurves.epochs[0].test);
  assert.deepEqual(p.confusionMatrix?.matrix, c.matrix);
  const files = await writeRunChartSvgs(dir);
  assert.deepEqual(files.map((f) => path.basename(f)), ['training-curves.svg', 'confusion.svg']);
  for (const f of files) assert.match(fs.readFileSync(f, 'utf8'), /^<svg /);
});
