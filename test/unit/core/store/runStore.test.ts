import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRun, listRuns, readMetrics, readRun, runsDir } from '../../../../src/core/store/runStore';
import { writeFileAtomic } from '../../../../src/core/store/atomicWrite';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'datadiet-store-'));
const init = { kind: 'train', config: { lr: 0.1 }, seeds: { init: 1 }, versions: { node: process.versions.node } };

test('a new run writes a readable running manifest under .datadiet/runs/<id>', () => {
  const root = tmp();
  const run = createRun(root, init);
  assert.equal(path.dirname(run.dir), runsDir(root));
  const read = readRun(run.dir);
  assert.equal(read.manifest?.status, 'running');
  assert.equal(read.manifest?.id, run.id);
  assert.deepEqual(read.manifest?.config, { lr: 0.1 });
  assert.equal(read.manifest?.pid, process.pid);
});

test('finish records status, error and total time; metrics append line by line', () => {
  const root = tmp();
  const run = createRun(root, init);
  run.appendMetrics({ epoch: 1, acc: 0.5 });
  run.appendMetrics({ epoch: 2, acc: 0.7 });
  run.finish('cancelled', { error: 'cancelled after 3 of 10 steps' });
  const m = readRun(run.dir).manifest!;
  assert.equal(m.status, 'cancelled');
  assert.match(m.error!, /3 of 10/);
  assert.ok(m.timings.totalSeconds! >= 0);
  assert.equal(m.pid, undefined);
  assert.deepEqual(readMetrics(run.dir).map((r) => r.epoch), [1, 2]);
});

test('a torn last metrics line (killed mid-append) is skipped, earlier lines kept', () => {
  const run = createRun(tmp(), init);
  run.appendMetrics({ epoch: 1 });
  fs.appendFileSync(path.join(run.dir, 'metrics.jsonl'), '{"epoch": 2, "acc');
  assert.deepEqual(readMetrics(run.dir), [{ epoch: 1 }]);
});

test('a run left "running" by a dead process is reported as failed, with the reason', () => {
  const root = tmp();
  const run = createRun(root, init);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  run.update({ pid: Number(dead) });
  const m = readRun(run.dir).manifest!;
  assert.equal(m.status, 'failed');
  assert.match(m.error!, /ended without finishing/);
});

test('listRuns lists newest first and reports an unreadable manifest instead of hiding it', () => {
  const root = tmp();
  const a = createRun(root, init, new Date('2026-01-01T00:00:00Z'));
  const b = createRun(root, init, new Date('2026-02-01T00:00:00Z'));
  fs.mkdirSync(path.join(runsDir(root), '20260301-000000-train-bad0'));
  fs.writeFileSync(path.join(runsDir(root), '20260301-000000-train-bad0', 'manifest.json'), '{not json');
  const runs = listRuns(root);
  assert.equal(runs.length, 3);
  assert.match(runs[0].problem!, /manifest\.json: invalid JSON/);
  assert.deepEqual(runs.slice(1).map((r) => r.manifest!.id), [b.id, a.id]);
});

test('two runs created in the same second get different ids', () => {
  const root = tmp();
  const now = new Date();
  const ids = new Set(Array.from({ length: 5 }, () => createRun(root, init, now).id));
  assert.equal(ids.size, 5);
});

test('atomic write replaces content whole and leaves no temp files', () => {
  const dir = tmp();
  const f = path.join(dir, 'a.json');
  writeFileAtomic(f, 'one');
  writeFileAtomic(f, 'two');
  assert.equal(fs.readFileSync(f, 'utf8'), 'two');
  assert.deepEqual(fs.readdirSync(dir), ['a.json']);
});

test('atomic write into a read-only folder fails and keeps the previous file intact', { skip: process.getuid?.() === 0 ? 'root ignores permissions' : false }, () => {
  const dir = tmp();
  const f = path.join(dir, 'a.json');
  writeFileAtomic(f, 'old');
  fs.chmodSync(dir, 0o500);
  try {
    assert.throws(() => writeFileAtomic(f, 'new'));
    assert.equal(fs.readFileSync(f, 'utf8'), 'old');
  } finally {
    fs.chmodSync(dir, 0o700);
  }
});
