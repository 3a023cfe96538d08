// EngineHost against the real engine process (dist/engine.js): progress, first-progress latency, restart after the
// engine dies with the running run recorded as failed, and shutdown recording a cancelled run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunManifest } from '../../../src/core/store/runManifest';
import { readRun } from '../../../src/core/store/runStore';
import { EngineHost } from '../../../src/extension/engineHost';
import { deleteRunDir, isRunDirOf, markRunFailed, runsSignature } from '../../../src/extension/runFiles';
import { distFile, tempDir } from '../helpers/paths';

const small = { dataset: 'mnist', model: 'linear', trainSubset: 2000, batchSize: 32, validation: 100, backend: 'wasm' };

test('engine host: a job reports progress, its first-progress latency, and ends done', async () => {
  const logs: string[] = [];
  const host = new EngineHost({ enginePath: distFile('engine.js'), log: (l) => logs.push(l) });
  let changes = 0;
  host.onDidChange(() => changes++);
  try {
    const root = tempDir('host');
    const phases = new Set<string>();
    const job = host.start('train', root, { ...small, steps: 20 }, 'Training linear on MNIST', (p) => phases.add(p.phase));
    assert.equal(host.activeJobs.length, 1);
    const m = await job.result;
    assert.equal(m.status, 'done');
    assert.ok(job.firstProgressMs !== undefined && job.firstProgressMs > 0 && job.firstProgressMs < 30_000, `first progress after ${job.firstProgressMs} ms`);
    assert.equal(job.runId, m.id);
    assert.equal(readRun(job.runDir!).manifest!.status, 'done');
    assert.ok(phases.has('backend') && phases.has('train'), [...phases].join(','));
    assert.equal(host.activeJobs.length, 0);
    assert.equal(host.jobForRun(job.runDir!), undefined);
    assert.ok(changes >= 3);
    assert.ok(logs.some((l) => /first progress after \d+ ms/.test(l)), logs.join('\n'));
    assert.ok(logs.some((l) => /engine ready \(pid \d+/.test(l)));
  } finally {
    await host.dispose();
  }
});

test('engine host: when the engine dies mid-run, the run is recorded failed with the reason and the next job restarts it', async () => {
  const logs: string[] = [];
  const host = new EngineHost({ enginePath: distFile('engine.js'), log: (l) => logs.push(l) });
  try {
    const root = tempDir('host-kill');
    let killed = false;
    const job = host.start('train', root, { ...small, steps: 100_000 }, 'long', (p) => {
      if (p.phase === 'train' && !killed) {
        killed = true;
        host.kill();
      }
    });
    await assert.rejects(job.result, /killed \(SIGKILL\)/);
    const m = JSON.parse(fs.readFileSync(path.join(job.runDir!, 'manifest.json'), 'utf8')) as RunManifest;
    assert.equal(m.status, 'failed');
    assert.match(m.error!, /the engine process was killed \(SIGKILL\) while this run was going/);
    assert.equal(m.pid, undefined);
    assert.ok(m.timings.finishedAt);
    assert.equal(host.activeJobs.length, 0);
    assert.match(host.lastExitReason!, /SIGKILL/);

    const again = await host.start('train', root, { ...small, steps: 5 }, 'after restart').result;
    assert.equal(again.status, 'done');
    assert.equal(host.engineStarts, 2);
    assert.ok(logs.some((l) => /recorded as failed/.test(l)));
  } finally {
    await host.dispose();
  }
});

test('engine host: cancel stops the job within a batch; dispose stops a running job as cancelled', async () => {
  const host = new EngineHost({ enginePath: distFile('engine.js') });
  const root = tempDir('host-cancel');
  const job = host.start('train', root, { ...small, steps: 100_000 }, 'to cancel', (p, j) => {
    if (p.phase === 'train') j.cancel();
  });
  const m = await job.result;
  assert.equal(m.status, 'cancelled');
  assert.ok(job.cancelRequested);

  let runDir: string | undefined;
  const started = new Promise<void>((resolve) =>
    host.start('train', root, { ...small, steps: 100_000 }, 'running at shutdown', (p) => {
      runDir = p.runDir;
      if (p.phase === 'train') resolve();
    }),
  );
  await started;
  await host.dispose();
  assert.equal(readRun(runDir!).manifest!.status, 'cancelled');
  assert.throws(() => host.start('train', root, small, 'after dispose'), /shutting down/);
});

test('markRunFailed changes only running manifests', () => {
  const dir = tempDir('runfiles');
  const base = { schema: 1, id: 'r1', kind: 'train', createdAt: '2026-11-22T10:00:00Z', updatedAt: '2026-11-22T10:00:00Z', config: {}, seeds: {}, versions: {}, timings: { startedAt: '2026-11-22T10:00:00Z' }, pid: 123 };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...base, status: 'running' }));
  const m = markRunFailed(dir, 'the engine process exited with code 1', new Date('2026-11-22T10:00:30Z'))!;
  assert.equal(m.status, 'failed');
  assert.equal(m.error, 'the engine process exited with code 1');
  assert.equal(m.timings.totalSeconds, 30);
  assert.equal(readRun(dir).manifest!.status, 'failed');
  assert.equal(markRunFailed(dir, 'again'), undefined, 'already finished: untouched');
  assert.equal(readRun(dir).manifest!.error, 'the engine process exited with code 1');
  assert.equal(markRunFailed(path.join(dir, 'missing'), 'x'), undefined);
});

test('deleteRunDir removes only run folders directly under the runs folder', async () => {
  const root = tempDir('delete');
  const base = path.join(root, '.datadiet', 'runs');
  const run = path.join(base, '20261122-100000-train-abcd');
  fs.mkdirSync(run, { recursive: true });
  fs.writeFileSync(path.join(run, 'manifest.json'), '{}');
  assert.ok(isRunDirOf(base, run));
  assert.ok(!isRunDirOf(base, base));
  assert.ok(!isRunDirOf(base, root));
  assert.ok(!isRunDirOf(base, path.join(run, 'scores')));
  assert.ok(!isRunDirOf(base, path.join(base, '..', '..')));
  await assert.rejects(deleteRunDir(base, root), /not a run folder/);
  assert.ok(fs.existsSync(root));
  await deleteRunDir(base, run);
  assert.ok(!fs.existsSync(run));
});

test('runsSignature changes when a run folder appears, its manifest is rewritten, or it goes', async () => {
  const base = path.join(tempDir('sig'), '.datadiet', 'runs');
  assert.equal(runsSignature(base), '', 'no runs folder yet');
  assert.equal(runsSignature(undefined), '');
  const run = path.join(base, 'r1');
  fs.mkdirSync(run, { recursive: true });
  const a = runsSignature(base);
  assert.match(a, /^r1:/);
  await new Promise((r) => setTimeout(r, 20));
  fs.writeFileSync(path.join(run, '.manifest.json.tmp'), '{}');
  fs.renameSync(path.join(run, '.manifest.json.tmp'), path.join(run, 'manifest.json'));
  const b = runsSignature(base);
  assert.notEqual(b, a, 'an atomic rewrite touches the folder');
  fs.rmSync(run, { recursive: true });
  assert.equal(runsSignature(base), '');
});
