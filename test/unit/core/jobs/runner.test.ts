import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runJob } from '../../../../src/core/jobs/runner';
import { listRuns } from '../../../../src/core/store/runStore';
import { tempDir } from '../../helpers/paths';

test('a job refused for bad input before any unit ran leaves no run folder', async () => {
  const root = tempDir('runner-input');
  await assert.rejects(runJob('train', { dataset: path.join(root, 'no-such-folder'), model: 'linear', steps: 1, backend: 'cpu' }, { root }), /no file or directory/);
  await assert.rejects(runJob('train', { dataset: 'mnist', model: 'linear', trainSubset: 100, validation: 100, steps: 1, backend: 'cpu' }, { root }), /--validation 100 cannot be held out/);
  await assert.rejects(runJob('prune', { dataset: 'mnist', model: 'linear', trainSubset: 100, scoresFrom: 'no-such-run', steps: 1, backend: 'cpu' }, { root }), /score run "no-such-run" not found/);
  assert.deepEqual(listRuns(root), []);
  assert.deepEqual(fs.existsSync(path.join(root, '.datadiet', 'runs')) ? fs.readdirSync(path.join(root, '.datadiet', 'runs')) : [], []);
});
