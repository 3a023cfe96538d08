import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runPruneSweep } from '../../../../src/core/experiments/pruneSweep';
import { runScores } from '../../../../src/core/experiments/scoreRun';
import { resumeRun, threadsPerChild } from '../../../../src/core/jobs/runner';
import { MAX_WASM_THREADS } from '../../../../src/core/compute/wasmThreads';
import { readFailures, readPlan } from '../../../../src/core/jobs/unitStore';
import { readRun, runsDir } from '../../../../src/core/store/runStore';
import { repoRoot, tempDir } from '../../helpers/paths';

// Small and single-threaded everywhere: the same unit gives the same bits in any process.
const base = { dataset: 'mnist', model: 'cnn-small' as const, width: 0.5, trainSubset: 300, batchSize: 25, lr: 0.025, backend: 'wasm' as const, threads: 1 };
const sweep = { ...base, epochs: 1, fractions: [0.5], strategies: ['keep-top' as const, 'random' as const], seeds: 2 };

const root = tempDir('units');
let scoreId = '';
let reference: unknown[] = [];
const rowsOf = (id: string) => JSON.parse(fs.readFileSync(path.join(runsDir(root), id, 'prune-sweep.json'), 'utf8')).rows as unknown[];
const cli = path.join(repoRoot(), 'bin', 'datadiet.js');

test('a prune sweep is planned as units (per repeat: full data, then fraction x strategy), one folder each', async () => {
  // Scored by two child processes: their parent prepares (building a model) without training.
  const scores = await runScores({ ...base, epochs: 1, scoreEpoch: 1, runs: 2, scores: ['el2n'] }, { root }, { execution: { executor: 'local', parallel: 2 } });
  assert.equal(scores.status, 'done', scores.error);
  assert.deepEqual(readPlan(path.join(runsDir(root), scores.id)).map((u) => u.key), ['run-0', 'run-1']);
  scoreId = scores.id;
  const m = await runPruneSweep({ ...sweep, scoresFrom: scoreId }, { root });
  assert.equal(m.status, 'done', m.error);
  assert.equal(m.unitsTotal, 6);
  const dir = path.join(runsDir(root), m.id);
  const keys = readPlan(dir).map((u) => u.key);
  assert.deepEqual(keys, ['full-r0', 'keep-top-f0.5-r0', 'random-f0.5-r0', 'full-r1', 'keep-top-f0.5-r1', 'random-f0.5-r1']);
  for (const k of keys) assert.ok(fs.existsSync(path.join(dir, 'units', k, 'row.json')), k);
  reference = rowsOf(m.id);
  assert.equal(reference.length, 6);
});

test('--parallel 2: units in child processes give the same table as one process, and their progress', async () => {
  const fractions: number[] = [];
  const onProgress = (p: { phase: string; fraction?: number }) => {
    if (p.phase === 'train' && p.fraction !== undefined) fractions.push(p.fraction);
  };
  const m = await runPruneSweep({ ...sweep, scoresFrom: scoreId }, { root, onProgress }, { execution: { executor: 'local', parallel: 2 } });
  assert.equal(m.status, 'done', m.error);
  // The children's training steps reach the parent (over IPC) as the job's progress.
  assert.ok(fractions.filter((f) => f > 0 && f < 1).length >= 6, `forwarded progress: ${fractions.length} ticks`);
  assert.deepEqual(m.execution, { executor: 'local', parallel: 2 });
  assert.deepEqual(rowsOf(m.id), reference);
  assert.ok(fs.existsSync(path.join(runsDir(root), m.id, 'logs', 'unit-0.log')), 'each child writes its log');
});

test('--parallel 2 with a single unit to run: that unit gets the threads of both workers', async () => {
  const { threads: _one, ...anyThreads } = base;
  const m = await runScores({ ...anyThreads, epochs: 1, scoreEpoch: 1, runs: 1, scores: ['el2n'] }, { root }, { execution: { executor: 'local', parallel: 2 } });
  assert.equal(m.status, 'done', m.error);
  const unit = JSON.parse(fs.readFileSync(path.join(runsDir(root), m.id, 'units', 'run-0', 'unit.json'), 'utf8')) as { backend: { threads: number } };
  // A worker with nothing to do would leave its share of the cores idle.
  assert.equal(unit.backend.threads, Math.min(MAX_WASM_THREADS, threadsPerChild(1)));
});

test('SIGKILL of the CLI mid-sweep, then `runs resume`: only missing units run and the table equals an uninterrupted run', async () => {
  const args = ['prune', '--root', root, '--dataset', 'mnist', '--model', 'cnn-small', '--width', '0.5', '--subset', '300', '--batch-size', '25', '--lr', '0.025', '--backend', 'wasm', '--threads', '1', '--epochs', '1', '--fractions', '0.5', '--strategies', 'keep-top,random', '--seeds', '2', '--scores', scoreId];
  const child = spawn(process.execPath, [cli, ...args], { stdio: 'ignore' });
  const before = new Set(fs.readdirSync(runsDir(root)));
  // Wait until its run has two finished units, then kill it without warning.
  let runDir = '';
  for (let t = 0; t < 600; t++) {
    await new Promise((r) => setTimeout(r, 100));
    const mine = fs.readdirSync(runsDir(root)).find((d) => !before.has(d));
    if (mine) runDir = path.join(runsDir(root), mine);
    if (runDir && fs.existsSync(path.join(runDir, 'units')) && fs.readdirSync(path.join(runDir, 'units')).filter((d) => !d.startsWith('.')).length >= 2) break;
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const killed = readRun(runDir).manifest!;
  assert.equal(killed.status, 'failed', 'a running run whose process died reads as failed');
  const doneBefore = fs.readdirSync(path.join(runDir, 'units')).filter((d) => !d.startsWith('.'));
  assert.ok(doneBefore.length >= 2 && doneBefore.length < 6, `units done before the kill: ${doneBefore}`);
  const stamp = new Map(doneBefore.map((k) => [k, fs.statSync(path.join(runDir, 'units', k, 'row.json')).mtimeMs]));
  const r = spawnSync(process.execPath, [cli, 'runs', 'resume', path.basename(runDir), '--root', root], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`resumed ${path.basename(runDir)}: ${6 - doneBefore.length} units to run`));
  assert.equal(readRun(runDir).manifest!.status, 'done');
  for (const [k, t] of stamp) assert.equal(fs.statSync(path.join(runDir, 'units', k, 'row.json')).mtimeMs, t, `${k} was not recomputed`);
  assert.deepEqual(rowsOf(path.basename(runDir)), reference);
});

test('a unit that fails is reported with its error; resume leaves it unless --retry-failed, which completes the run', async () => {
  process.env.DATADIET_FAIL_UNIT = 'random-f0.5-r1';
  let m;
  try {
    m = await runPruneSweep({ ...sweep, scoresFrom: scoreId }, { root });
  } finally {
    delete process.env.DATADIET_FAIL_UNIT;
  }
  assert.equal(m.status, 'failed');
  assert.match(m.error ?? '', /1 unit failed: random-f0\.5-r1: injected failure.*5 of 6 units finished and are kept.*--retry-failed/);
  const dir = path.join(runsDir(root), m.id);
  assert.equal(readFailures(dir, readPlan(dir)).length, 1);
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'prune-sweep.json'), 'utf8')).partial, true, 'the finished units are merged, marked partial');
  await assert.rejects(resumeRun(dir, { root }), /every unit that is not done failed \(random-f0\.5-r1\).*--retry-failed/);
  const resumed = await resumeRun(dir, { root }, { retryFailed: true });
  assert.equal(resumed.ran, 1);
  assert.equal(resumed.manifest.status, 'done', resumed.manifest.error);
  assert.deepEqual(rowsOf(m.id), reference);
  assert.equal(readFailures(dir, readPlan(dir)).length, 0);
});
