import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SLURM_DEFAULTS, type ExecutionRequest } from '../../../../src/contract/execution';
import { runPruneSweep } from '../../../../src/core/experiments/pruneSweep';
import { runScores } from '../../../../src/core/experiments/scoreRun';
import { cancelRun, runUnits, waitForRun } from '../../../../src/core/jobs/runControl';
import { resumeRun } from '../../../../src/core/jobs/runner';
import { readFailures, readPlan } from '../../../../src/core/jobs/unitStore';
import { runsDir } from '../../../../src/core/store/runStore';
import { tempDir } from '../../helpers/paths';

/**
 * Against a real Slurm (scripts/slurm-local.sh start: a one-node cluster on this machine). CI starts one and
 * sets DATADIET_REQUIRE_SLURM=1, where a missing cluster fails these tests instead of skipping them.
 */
function clusterProblem(): string | undefined {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
  if (r.error) return 'sinfo is not on PATH';
  if (r.status !== 0 || !/idle|mix|alloc/.test(r.stdout)) return `no Slurm node is up (${(r.stderr || r.stdout).trim()})`;
  return undefined;
}
const problem = clusterProblem();
if (problem && (process.env.CI === 'true' || process.env.DATADIET_REQUIRE_SLURM === '1')) throw new Error(`the Slurm tests need a running cluster (bash scripts/slurm-local.sh start): ${problem}`);
const skip = problem ? `no Slurm here: ${problem}` : false;

const base = { dataset: 'mnist', model: 'cnn-small' as const, width: 0.5, trainSubset: 300, batchSize: 25, lr: 0.025, backend: 'wasm' as const, threads: 1 };
const sweep = { ...base, epochs: 1, fractions: [0.5], strategies: ['keep-top' as const, 'random' as const], seeds: 2 };
// The test root is under the OS temp folder, which this one-node cluster shares with itself.
const slurm: ExecutionRequest = { executor: 'slurm', slurm: { ...SLURM_DEFAULTS, allowLocalRunDir: true } };
const root = tempDir('slurm');
const npy = (id: string, name: string) => fs.readFileSync(path.join(runsDir(root), id, 'scores', `${name}.npy`));
const rows = (id: string) => JSON.parse(fs.readFileSync(path.join(runsDir(root), id, 'prune-sweep.json'), 'utf8')).rows as unknown[];
const dirOf = (id: string) => path.join(runsDir(root), id);
let scoreId = '';
let localRows: unknown[] = [];

test('a K=3 score run on Slurm gives the same score tables, bit for bit, as the local executor', { skip, timeout: 600_000 }, async () => {
  const cfg = { ...base, epochs: 1, scoreEpoch: 1, runs: 3, scores: ['el2n' as const, 'grand' as const] };
  const local = await runScores(cfg, { root });
  assert.equal(local.status, 'done', local.error);
  const submitted = await runScores(cfg, { root }, { execution: slurm });
  assert.equal(submitted.status, 'running');
  assert.equal(submitted.execution?.executor, 'slurm');
  assert.deepEqual(submitted.execution?.slurm?.units, [0, 1, 2]);
  assert.ok(fs.existsSync(path.join(dirOf(submitted.id), 'slurm', 'units.sh')));
  const m = await waitForRun(dirOf(submitted.id), { intervalMs: 500 });
  assert.equal(m.status, 'done', m.error);
  for (const name of ['el2n', 'grand']) assert.ok(npy(local.id, name).equals(npy(m.id, name)), `${name} differs`);
  assert.ok(m.backend, 'the merge records the units\' backend');
  scoreId = local.id;
});

test('a prune sweep on Slurm gives the same table as the local executor', { skip, timeout: 600_000 }, async () => {
  const local = await runPruneSweep({ ...sweep, scoresFrom: scoreId }, { root });
  assert.equal(local.status, 'done', local.error);
  localRows = rows(local.id);
  const submitted = await runPruneSweep({ ...sweep, scoresFrom: scoreId }, { root }, { execution: slurm });
  const m = await waitForRun(dirOf(submitted.id), { intervalMs: 500 });
  assert.equal(m.status, 'done', m.error);
  assert.deepEqual(rows(m.id), localRows);
});

test('a unit that crashes on Slurm is reported with its error and log, and --retry-failed reruns it alone', { skip, timeout: 600_000 }, async () => {
  // sbatch exports the submitting environment to the tasks.
  process.env.DATADIET_FAIL_UNIT = 'keep-top-f0.5-r0';
  let submitted;
  try {
    submitted = await runPruneSweep({ ...sweep, scoresFrom: scoreId }, { root }, { execution: slurm });
  } finally {
    delete process.env.DATADIET_FAIL_UNIT;
  }
  const dir = dirOf(submitted.id);
  const m = await waitForRun(dir, { intervalMs: 500 });
  assert.equal(m.status, 'failed');
  assert.match(m.error ?? '', /1 unit failed: keep-top-f0\.5-r0: injected failure/);
  const [failure] = readFailures(dir, readPlan(dir));
  assert.equal(failure.index, 1);
  assert.ok(failure.log && fs.readFileSync(failure.log, 'utf8').includes('injected failure'), 'the log named in the failure holds its output');
  const resumed = await resumeRun(dir, { root }, { retryFailed: true });
  assert.equal(resumed.ran, 1);
  assert.deepEqual(resumed.manifest.execution?.slurm?.units, [1], 'only the failed unit is submitted again');
  const again = await waitForRun(dir, { intervalMs: 500 });
  assert.equal(again.status, 'done', again.error);
  assert.deepEqual(rows(m.id), localRows);
});

test('scancel (runs cancel) marks the run cancelled with its finished units kept; resume finishes it', { skip, timeout: 600_000 }, async () => {
  const one: ExecutionRequest = { executor: 'slurm', slurm: { ...SLURM_DEFAULTS, allowLocalRunDir: true, maxConcurrent: 1 } };
  const submitted = await runPruneSweep({ ...sweep, scoresFrom: scoreId }, { root }, { execution: one });
  const dir = dirOf(submitted.id);
  for (let t = 0; t < 1200; t++) {
    const u = await runUnits(dir, submitted);
    if (u && u.counts.done >= 1) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const cancelled = await cancelRun(dir);
  assert.equal(cancelled.status, 'cancelled');
  assert.match(cancelled.error ?? '', /scancel .* of 6 units finished and are kept/);
  const kept = fs.readdirSync(path.join(dir, 'units')).filter((d) => !d.startsWith('.') && !d.endsWith('.json'));
  assert.ok(kept.length >= 1 && kept.length < 6, `kept ${kept}`);
  // Nothing of the run is left in the queue.
  await new Promise((r) => setTimeout(r, 2000));
  const left = spawnSync('squeue', ['-h', '-j', `${submitted.execution!.slurm!.arrayJobId},${submitted.execution!.slurm!.mergeJobId}`], { encoding: 'utf8' });
  assert.equal(left.stdout.trim(), '');
  const resumed = await resumeRun(dir, { root }, { execution: { executor: 'local', parallel: 1 } });
  assert.equal(resumed.manifest.status, 'done', resumed.manifest.error);
  assert.ok(resumed.ran <= 6 - kept.length);
  assert.deepEqual(rows(submitted.id), localRows);
});
