/**
 * Faults a long run meets: a diverging loss, a job too big for memory, the engine killed mid-epoch, the disk
 * filling up while scores are written. Each must end with a clear message and without losing earlier work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTraining } from '../../../src/core/experiments/trainRun';
import { runScores } from '../../../src/core/experiments/scoreRun';
import { estimateMemory, measureActivationBytes, memoryBudget, memoryProblem, WASM_MEMORY_LIMIT } from '../../../src/core/experiments/memoryEstimate';
import { buildModel } from '../../../src/core/models/registry';
import { makeRng } from '../../../src/core/random';
import type { RunManifest } from '../../../src/core/store/runManifest';
import { listRuns, readMetrics, readRun } from '../../../src/core/store/runStore';
import { readNpy, readScoreTable, writeScoreTable, type ScoreTable } from '../../../src/core/store/scoreFiles';
import { EngineClient } from '../../../src/engine/client';
import { resumePlan } from '../../../src/core/store/runActions';
import { distFile, tempDir } from '../helpers/paths';
import { useCpu } from '../helpers/tf';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

test('NaN/Inf loss: the run stops with a message, is recorded failed, and keeps the epochs before it', async () => {
  const root = tempDir('diverge');
  // Stable for 5 epochs (4 steps each), then the learning rate is multiplied by 1e8 at the milestone (step 20).
  const cfg = { dataset: 'mnist', model: 'linear' as const, trainSubset: 200, batchSize: 50, steps: 40, validation: 0, milestones: [0.5], gamma: 1e8, backend: 'cpu' as const };
  await assert.rejects(runTraining(cfg, { root }), /training diverged at step (\d+): loss is (NaN|Infinity|-Infinity); lower the learning rate/);
  const [run] = listRuns(root);
  assert.equal(run.manifest!.status, 'failed');
  const step = Number(/at step (\d+)/.exec(run.manifest!.error!)![1]);
  assert.ok(step > 20 && step <= 40, `diverged after the milestone (step ${step})`);
  const metrics = readMetrics(run.dir);
  // 4 steps per epoch: every epoch that ended before the diverging step is kept, at least the 5 before the jump.
  const completed = Math.ceil(step / 4) - 1;
  assert.ok(completed >= 5);
  assert.deepEqual(metrics.map((m) => m.epoch), Array.from({ length: completed }, (_, i) => i + 1));
  for (const m of metrics) assert.ok(Number.isFinite(m.trainLoss as number));
});

test('memory estimate: activations are measured from a real forward pass', async () => {
  await useCpu();
  // linear: the input (784 floats, counted again for the flattened copy the cpu backend's profile reports) and the
  // logits before and after the bias (10 floats each).
  const linear = buildModel({ arch: 'linear', width: 1, inputShape: [28, 28, 1], numClasses: 10 }, makeRng(0).next);
  const perLinear = await measureActivationBytes(linear);
  assert.ok(perLinear >= (784 + 10) * 4 && perLinear <= (2 * 784 + 3 * 10) * 4, `linear: ${perLinear} bytes/example`);
  // cnn-small at width 1 vs 2: activations grow with the width.
  const narrow = buildModel({ arch: 'cnn-small', width: 1, inputShape: [28, 28, 1], numClasses: 10 }, makeRng(0).next);
  const wide = buildModel({ arch: 'cnn-small', width: 2, inputShape: [28, 28, 1], numClasses: 10 }, makeRng(0).next);
  const a = await measureActivationBytes(narrow);
  const b = await measureActivationBytes(wide);
  assert.ok(b > 1.6 * a && b < 2.4 * a, `width 2 doubles the activations: ${a} -> ${b}`);
  [linear, narrow, wide].forEach((m) => m.dispose());
});

test('memory estimate: refused jobs get the largest batch that fits, or a smaller width', () => {
  const job = { batchSize: 1000, width: 1, datasetBytes: 100 * MiB };
  const est = estimateMemory(10_000_000, 2 * MiB, job, 3072);
  // 3 x 40 MB of parameters + 100 MiB of data, and per example 3 x 2 MiB + 12 KiB of input.
  assert.equal(est.fixedBytes, 3 * 40_000_000 + 100 * MiB);
  assert.equal(est.perExampleBytes, 6 * MiB + 4 * 3072);
  assert.equal(est.totalBytes, est.fixedBytes + 1000 * est.perExampleBytes);
  const budget = { bytes: 2 * GiB, what: 'test budget' };
  const msg = memoryProblem(est, budget, job)!;
  const maxBatch = Math.floor((2 * GiB - est.fixedBytes) / est.perExampleBytes);
  assert.ok(maxBatch > 100 && maxBatch < 1000);
  assert.ok(msg.startsWith(`this job needs about ${(est.totalBytes / GiB).toFixed(1)} GiB (parameters 0.11 GiB, batch of 1000 x 0.01 GiB per example, data 0.10 GiB)`), msg);
  assert.ok(msg.endsWith(`more than test budget: use a batch size of at most ${maxBatch}, or a smaller width`), msg);
  assert.equal(memoryProblem(estimateMemory(10_000_000, 2 * MiB, { ...job, batchSize: maxBatch }, 3072), budget, { ...job, batchSize: maxBatch }), null, 'the suggested batch fits');
  // Parameters alone over the budget: only a smaller width helps.
  const huge = estimateMemory(300_000_000, MiB, { ...job, width: 4 }, 3072);
  assert.match(memoryProblem(huge, budget, { ...job, width: 4 })!, /even a batch of 1 does not fit; use a smaller width \(now 4\)/);
  // Per-example gradients (exact GraNd) cost parameters x batch.
  const pe = estimateMemory(10_000_000, 2 * MiB, { ...job, perExampleGradients: true }, 3072);
  assert.equal(pe.perExampleBytes - est.perExampleBytes, 40_000_000);
  assert.match(memoryProblem(pe, budget, { ...job, perExampleGradients: true })!, /--conv-method ghost/);
});

test('memory budget: the wasm backend is capped at 4 GiB, others use most of the free memory', () => {
  assert.deepEqual(memoryBudget('wasm', 64 * GiB), { bytes: WASM_MEMORY_LIMIT, what: "the wasm backend's 4 GiB memory" });
  assert.equal(memoryBudget('wasm', 2 * GiB).bytes, Math.floor(2 * GiB * 0.8));
  assert.equal(memoryBudget('cpu', 64 * GiB).bytes, Math.floor(64 * GiB * 0.8));
});

test('a train job whose batch cannot fit is refused before training, with a suggestion, and recorded failed', async () => {
  const root = tempDir('oom');
  // 10 million MNIST examples per batch on wasm: ~30 GB of activations against 4 GiB.
  await assert.rejects(
    runTraining({ dataset: 'mnist', model: 'linear', trainSubset: 500, batchSize: 10_000_000, steps: 1, validation: 0, backend: 'wasm' }, { root }),
    (e: Error) => {
      assert.equal(e.name, 'OutOfMemoryRiskError');
      assert.match(e.message, /needs about \d+\.\d GiB .* more than the wasm backend's 4 GiB memory: use a batch size of at most \d+/);
      return true;
    },
  );
  const [run] = listRuns(root);
  assert.equal(run.manifest!.status, 'failed');
  assert.match(run.manifest!.error!, /use a batch size of at most/);
  assert.equal(readMetrics(run.dir).length, 0, 'refused before the first step');
});

test('a score job whose per-example gradients cannot fit is refused before training', async () => {
  const root = tempDir('oom-score');
  await assert.rejects(
    runScores({ dataset: 'mnist', model: 'linear', trainSubset: 500, runs: 1, steps: 1, validation: 0, backend: 'wasm', scores: ['grand'], convMethod: 'direct', scoreBatch: 5_000_000 }, { root }),
    /more than the wasm backend's 4 GiB memory: use a batch size of at most \d+ \(or --conv-method ghost\)/,
  );
  const [run] = listRuns(root);
  assert.equal(run.manifest!.status, 'failed');
  assert.match(run.manifest!.error!, /needs about/);
});

function cli(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [distFile('cli.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('SIGKILL of the engine mid-epoch leaves a failed run that `datadiet runs resume` continues from its last epoch, and `runs delete` removes', async () => {
  const root = tempDir('kill-resume');
  const engine = new EngineClient({ enginePath: distFile('engine.js') });
  let killed = false;
  // 400 examples in batches of 20: 20 steps per epoch, 200 steps. Killed in epoch 2, after epoch 1's checkpoint.
  const job = engine.run<RunManifest>('train', root, { dataset: 'mnist', model: 'linear', trainSubset: 400, batchSize: 20, validation: 0, steps: 200, backend: 'cpu' }, (p) => {
    if (p.phase === 'eval' && p.epoch === 1 && !killed) {
      killed = true;
      engine.kill('SIGKILL');
    }
  });
  await assert.rejects(job.result, /SIGKILL/);
  const [dead] = listRuns(root);
  assert.equal(dead.manifest!.status, 'failed');
  const id = dead.manifest!.id;
  const point = JSON.parse(fs.readFileSync(path.join(dead.dir, 'resume.json'), 'utf8')) as { epoch: number; step: number; checkpoint: string };
  assert.ok(point.epoch >= 1 && point.step === 20 * point.epoch, JSON.stringify(point));
  assert.ok(fs.existsSync(path.join(dead.dir, `${point.checkpoint}.bin`)));

  // The listing shows it failed, with the reason.
  const list = cli(['runs', '--root', root]);
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, new RegExp(`${id}\\s+failed .*ended without finishing`));

  // The run continues in its own folder: its one unit (the training) restarts from the checkpoint.
  const resumed = cli(['runs', 'resume', id, '--root', root]);
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(resumed.err, new RegExp(`resumed ${id}: 1 unit to run`));
  assert.match(resumed.err, new RegExp(`continuing from the checkpoint at epoch ${point.epoch} \\(step ${point.step} of 200\\)`));
  assert.match(resumed.out, new RegExp(`run ${id}: done`));
  const again = readRun(dead.dir).manifest!;
  assert.equal(again.status, 'done');
  const results = again.results as { steps: number; epochs: number; resumedAtStep: number; testAccuracy: number };
  assert.deepEqual([results.steps, results.epochs, results.resumedAtStep], [200, 10, point.step]);
  assert.ok(results.testAccuracy > 0.5, `trained on: ${results.testAccuracy}`);
  assert.equal(again.config.steps, 200);
  // One metrics history: the epochs up to the checkpoint, then the new ones (none twice).
  assert.deepEqual(readMetrics(dead.dir).map((m) => m.epoch), Array.from({ length: 10 }, (_, i) => i + 1));
  assert.deepEqual(readMetrics(dead.dir).map((m) => m.step), Array.from({ length: 10 }, (_, i) => 20 * (i + 1)));
  assert.ok(!fs.existsSync(path.join(dead.dir, 'resume.json')), 'a finished run drops its resume point');
  assert.ok(fs.existsSync(path.join(dead.dir, 'weights.bin')));

  // A finished run is not resumed; a path is not a run id; delete removes only the named run.
  assert.match(cli(['runs', 'resume', id, '--root', root]).err, /finished; nothing to resume/);
  const evil = cli(['runs', 'delete', '../..', '--root', root]);
  assert.equal(evil.code, 1);
  assert.match(evil.err, /not a run id/);
  const del = cli(['runs', 'delete', id, '--root', root]);
  assert.equal(del.code, 0, del.err);
  assert.ok(!fs.existsSync(dead.dir));
  assert.deepEqual(listRuns(root), []);
});

test('a run without a checkpoint is resumed by rerunning it from the start', () => {
  const root = tempDir('resume-plan');
  const id = '20261201-000000-score-abcd';
  const dir = path.join(root, '.datadiet', 'runs', id);
  fs.mkdirSync(dir, { recursive: true });
  const m = { schema: 1, id, kind: 'score', status: 'cancelled', createdAt: 'x', updatedAt: 'x', config: { dataset: 'mnist', runs: 2 }, seeds: {}, versions: {}, timings: { startedAt: 'x' } };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
  const plan = resumePlan(root, id);
  assert.equal(plan.job, 'score');
  // A configuration recorded before the stem option reruns with the CIFAR stem it was built with.
  assert.deepEqual(plan.params, { dataset: 'mnist', runs: 2, stem: 'cifar', resumedFrom: id });
  assert.match(plan.how, /no checkpoint in .*: rerunning it from the start with its recorded configuration and seeds/);
});

test('disk full while writing scores: the previous files stay intact and no temp file is left', () => {
  const dir = tempDir('enospc');
  const table = (scale: number): ScoreTable => ({ name: 'el2n', index: Int32Array.from([0, 1, 2, 3]), label: Int32Array.from([0, 1, 0, 1]), score: Float32Array.from([1, 2, 3, 4].map((x) => x * scale)), perRun: [] });
  writeScoreTable(dir, 'el2n', table(1));
  const before = new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
  // The fault is injected where the bytes hit the disk: the write into the temp file's descriptor writes part
  // of the data, then fails as a full disk does.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeFs = require('node:fs') as typeof fs;
  const real = nodeFs.writeFileSync;
  let failures = 0;
  nodeFs.writeFileSync = ((target: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
    if (typeof target === 'number') {
      failures++;
      const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      nodeFs.writeSync(target, bytes.subarray(0, bytes.length >> 1));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    return (real as (...a: unknown[]) => void)(target, data, ...rest);
  }) as typeof fs.writeFileSync;
  try {
    assert.throws(() => writeScoreTable(dir, 'el2n', table(10)), /ENOSPC/);
  } finally {
    nodeFs.writeFileSync = real;
  }
  assert.equal(failures, 1);
  assert.deepEqual(fs.readdirSync(dir).sort(), [...before.keys()].sort(), 'no temp file left behind');
  for (const [f, bytes] of before) assert.ok(fs.readFileSync(path.join(dir, f)).equals(bytes), `${f} untouched`);
  assert.deepEqual(Array.from(readNpy(path.join(dir, 'el2n.npy')).data), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(readScoreTable(dir, 'el2n').score), [1, 2, 3, 4]);
});
