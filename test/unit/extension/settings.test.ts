import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { DEFAULT_SETTINGS, readSettings, resolveRunsRoot } from '../../../src/extension/settings';

test('readSettings: values from the getter, invalid ones replaced by defaults', () => {
  const s = readSettings((k) => ({ backend: 'wasm', model: 'linear', width: 0.5, runs: 3, batchSize: 64, runsRoot: ' runs ', trainSubset: 2000, steps: 50 })[k]);
  assert.deepEqual(s, { ...DEFAULT_SETTINGS, backend: 'wasm', model: 'linear', width: 0.5, runs: 3, batchSize: 64, runsRoot: 'runs', trainSubset: 2000, steps: 50 });
  assert.deepEqual(readSettings(() => undefined), DEFAULT_SETTINGS);
  const bad = readSettings((k) => ({ backend: 'tpu', model: 'alexnet', width: -1, runs: 1.5, batchSize: 0, runsRoot: 7, trainSubset: -3, steps: 'x' })[k]);
  assert.deepEqual(bad, DEFAULT_SETTINGS);
});

test('readSettings: the executor settings become the execution every job of this window gets', () => {
  const local = readSettings((k) => ({ parallel: 2 })[k]);
  assert.deepEqual(local.execution, { executor: 'local', parallel: 2 });
  const s = readSettings((k) => ({ executor: 'slurm', 'slurm.partition': ' gpu ', 'slurm.gpusPerUnit': 1, 'slurm.cpusPerUnit': 8, 'slurm.extraArgs': ['--account=p', 3], 'slurm.maxConcurrent': 0 })[k]);
  assert.equal(s.execution.executor, 'slurm');
  assert.deepEqual(s.execution.executor === 'slurm' && s.execution.slurm, { cpusPerUnit: 8, gpusPerUnit: 1, extraArgs: ['--account=p'], allowLocalRunDir: false, partition: 'gpu' });
  assert.deepEqual(s.slurm, s.execution.executor === 'slurm' ? s.execution.slurm : undefined, 'a cell may pick slurm with the same options');
});

test('resolveRunsRoot: empty = workspace folder, relative to it, ${workspaceFolder}, ~, fallback without a folder', () => {
  const ws = path.resolve('/ws/project');
  assert.equal(resolveRunsRoot('', ws, '/storage', '/home/u'), ws);
  assert.equal(resolveRunsRoot('', undefined, '/storage', '/home/u'), '/storage');
  assert.equal(resolveRunsRoot('experiments', ws, '/storage', '/home/u'), path.join(ws, 'experiments'));
  assert.equal(resolveRunsRoot('${workspaceFolder}/../shared', ws, '/storage', '/home/u'), path.resolve('/ws/shared'));
  assert.equal(resolveRunsRoot('~/dd', ws, '/storage', '/home/u'), path.join('/home/u', 'dd'));
  assert.equal(resolveRunsRoot('/abs/place', ws, '/storage', '/home/u'), '/abs/place');
  assert.equal(resolveRunsRoot('rel', undefined, '/storage', '/home/u'), path.join('/storage', 'rel'));
});
