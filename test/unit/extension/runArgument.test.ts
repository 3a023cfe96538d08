import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { runDirOf, runIdOf, runRefOf } from '../../../src/extension/runArgument';

const dir = '/ws/.datadiet/runs/20261122-115500-score-ab12';

test('every shape a command is invoked with names its run', () => {
  // The runs view's own node: {kind, data, summary} (the shape the context menu passes).
  assert.equal(runIdOf({ kind: 'run', data: { label: 'x' }, summary: { dir } }), '20261122-115500-score-ab12');
  assert.equal(runIdOf({ kind: 'detail', runDir: dir, index: 0, data: {} }), '20261122-115500-score-ab12');
  assert.equal(runIdOf({ fsPath: dir, scheme: 'file' }), '20261122-115500-score-ab12');
  assert.equal(runIdOf({ dir }), '20261122-115500-score-ab12');
  assert.equal(runIdOf({ run: { dir } }), '20261122-115500-score-ab12');
  assert.equal(runIdOf({ manifest: { id: 'r1' } }), 'r1');
  assert.equal(runIdOf({ id: 'r2' }), 'r2');
  assert.equal(runIdOf('r3'), 'r3');
  assert.equal(runRefOf(dir), dir);
});

test('no argument, or one that names no run, is undefined (the command then asks)', () => {
  for (const arg of [undefined, null, '', 7, {}, { kind: 'run' }, { scoresFrom: 3 }]) assert.equal(runRefOf(arg), undefined, JSON.stringify(arg));
});

test('runDirOf: a run folder anywhere is itself; an id is under the runs folder', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runarg-'));
  try {
    const elsewhere = path.join(tmp, 'other-run');
    fs.mkdirSync(elsewhere);
    fs.writeFileSync(path.join(elsewhere, 'manifest.json'), '{}');
    assert.equal(runDirOf('/ws/.datadiet/runs', { kind: 'run', summary: { dir: elsewhere } }), elsewhere);
    assert.equal(runDirOf('/ws/.datadiet/runs', 'r1'), path.join('/ws/.datadiet/runs', 'r1'));
    assert.equal(runDirOf('/ws/.datadiet/runs', undefined), undefined);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
