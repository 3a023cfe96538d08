import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { arraySpec, localRunDirProblem, parseSqueue, resourceArgs, shellQuote } from '../../../../src/core/executors/slurm';
import { executionRequest } from '../../../../src/contract/executionOptions';
import { SLURM_DEFAULTS } from '../../../../src/contract/execution';

test('array spec: consecutive indices become ranges, a concurrency limit is appended', () => {
  assert.equal(arraySpec([0, 1, 2, 3]), '0-3');
  assert.equal(arraySpec([7, 0, 1, 9, 10, 3]), '0-1,3,7,9-10');
  assert.equal(arraySpec([5], 2), '5%2');
});

test('squeue lines: array tasks by unit index, the merge job apart, other jobs ignored', () => {
  const q = parseSqueue('41_0|RUNNING\n41_3|PENDING\n42|PENDING\n99_1|RUNNING\n\n', '41', '42');
  assert.deepEqual([...q.tasks], [[0, 'RUNNING'], [3, 'PENDING']]);
  assert.equal(q.merge, 'PENDING');
  assert.equal(parseSqueue('', '41', '42').tasks.size, 0);
});

test('a run folder under /tmp or on a tmpfs is refused for Slurm (other nodes cannot see it); a shared path is not', () => {
  assert.match(localRunDirProblem('/tmp/ws/.datadiet/runs/x') ?? '', /local to this machine.*--slurm-allow-local-dir/);
  assert.match(localRunDirProblem('/dev/shm/x') ?? '', /local to this machine/);
  // Wherever this checkout is (a clone may sit under /tmp), a project-space path is accepted.
  assert.equal(localRunDirProblem('/shared/project/.datadiet/runs/x'), undefined);
});

test('shell quoting survives spaces, quotes and $ in paths', () => {
  for (const s of ["/a b/c", "it's", '$HOME `x`', '"q"']) {
    assert.equal(execFileSync('bash', ['-c', `printf %s ${shellQuote(s)}`], { encoding: 'utf8' }), s);
  }
});

test('sbatch resources: GPUs and CPUs per unit for the array, one CPU and no GPU for the merge', () => {
  const o = { ...SLURM_DEFAULTS, partition: 'gpu', time: '1:00:00', cpusPerUnit: 8, memPerUnit: '16G', gpusPerUnit: 1, extraArgs: ['--account=p'] };
  assert.deepEqual(resourceArgs(o), ['--partition=gpu', '--time=1:00:00', '--cpus-per-task=8', '--mem=16G', '--gres=gpu:1', '--account=p']);
  assert.deepEqual(resourceArgs(o, true), ['--partition=gpu', '--time=1:00:00', '--cpus-per-task=1', '--mem=16G', '--account=p']);
});

test('execution options: checked by their flags, slurm options refused for the local executor', () => {
  assert.deepEqual(executionRequest({}), { executor: 'local', parallel: 1 });
  assert.deepEqual(executionRequest({ parallel: 2 }), { executor: 'local', parallel: 2 });
  assert.throws(() => executionRequest({ parallel: 0 }), /--parallel must be at least 1/);
  assert.throws(() => executionRequest({ executor: 'local', partition: 'x' }), /--slurm-partition only apply with --executor slurm/);
  assert.throws(() => executionRequest({ executor: 'pbs' }), /--executor must be one of local, slurm/);
  assert.throws(() => executionRequest({ executor: 'slurm', parallel: 2 }), /--parallel applies to --executor local/);
  const s = executionRequest({ executor: 'slurm', cpusPerUnit: 4, gpusPerUnit: 1, extraArgs: ['--qos=x'] });
  assert.deepEqual(s, { executor: 'slurm', slurm: { ...SLURM_DEFAULTS, cpusPerUnit: 4, gpusPerUnit: 1, extraArgs: ['--qos=x'] } });
});
