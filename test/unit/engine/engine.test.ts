import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobProgress } from '../../../src/core/experiments/job';
import type { RunManifest } from '../../../src/core/store/runManifest';
import { listRuns, readRun } from '../../../src/core/store/runStore';
import { EngineClient } from '../../../src/engine/client';
import { distFile, tempDir } from '../helpers/paths';

const small = { dataset: 'mnist', model: 'linear', trainSubset: 2000, batchSize: 32, validation: 100, backend: 'wasm' };

test('engine process: a job streams progress and returns the finished run', async () => {
  const engine = new EngineClient({ enginePath: distFile('engine.js') });
  try {
    const ready = await engine.ready;
    assert.ok(ready.pid > 0);
    const root = tempDir('engine');
    const events: JobProgress[] = [];
    const job = engine.run<RunManifest>('train', root, { ...small, steps: 30 }, (p) => events.push(p));
    const m = await job.result;
    assert.equal(m.status, 'done');
    assert.ok(events.some((e) => e.phase === 'train' && e.step !== undefined));
    assert.equal(events[0].runId, m.id);
    assert.equal(readRun(events[0].runDir!).manifest!.status, 'done');
  } finally {
    await engine.shutdown();
  }
});

test('engine process: cancel stops the running job within a batch and leaves a cancelled run', async () => {
  const engine = new EngineClient({ enginePath: distFile('engine.js') });
  try {
    const root = tempDir('engine-cancel');
    let lastStep = 0;
    let job: ReturnType<typeof engine.run<RunManifest>> | undefined;
    let cancelled = false;
    job = engine.run<RunManifest>('train', root, { ...small, steps: 100_000 }, (p) => {
      if (p.step !== undefined) lastStep = p.step;
      if (p.phase === 'train' && !cancelled) {
        cancelled = true;
        job!.cancel();
      }
    });
    const m = await job.result;
    assert.equal(m.status, 'cancelled');
    const done = (m.results as { steps: number }).steps;
    assert.ok(done < 100_000 && done - lastStep <= 2, `stopped promptly (${done} steps, last progress at ${lastStep})`);
  } finally {
    await engine.shutdown();
  }
});

test('engine process: a bad request gets an error event, a bad job an error result; the engine survives', async () => {
  const logs: string[] = [];
  const engine = new EngineClient({ enginePath: distFile('engine.js'), onLog: (l) => logs.push(l) });
  try {
    await engine.ready;
    await assert.rejects(engine.run('train', tempDir('e'), {}).result, /train job needs "dataset" \(--dataset\)/);
    await assert.rejects(engine.run('train', tempDir('e'), { dataset: 'no-such-dataset' }).result, /no-such-dataset/);
    const m = await engine.run<RunManifest>('train', tempDir('e'), { ...small, steps: 3 }).result;
    assert.equal(m.status, 'done');
  } finally {
    await engine.shutdown();
  }
});

test('engine killed mid-run: the job rejects with the reason and the run reads as failed', async () => {
  const engine = new EngineClient({ enginePath: distFile('engine.js') });
  const root = tempDir('engine-kill');
  let killed = false;
  const job = engine.run('train', root, { ...small, steps: 100_000 }, (p) => {
    if (p.phase === 'train' && !killed) {
      killed = true;
      engine.kill('SIGKILL');
    }
  });
  await assert.rejects(job.result, /killed \(SIGKILL\)/);
  const [run] = listRuns(root);
  assert.equal(run.manifest!.status, 'failed');
  assert.match(run.manifest!.error!, /ended without finishing/);
});
