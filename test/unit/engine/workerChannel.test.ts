import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkerChannel } from '../../../src/engine/workerChannel';
import { tempDir } from '../helpers/paths';

/** A worker that echoes {id, x} as {id, y: 2x}, and exits when asked to. */
function echoWorker(): string {
  const file = path.join(tempDir('workerchannel'), 'echo.js');
  fs.writeFileSync(file, "const { parentPort } = require('node:worker_threads');\nparentPort.on('message', (m) => { if (m.exit) process.exit(3); parentPort.postMessage({ id: m.id, y: 2 * m.x }); });\n");
  return file;
}

type In = { id: number; x?: number; exit?: boolean };
type Out = { id: number; y: number };

test('requests are matched to their answers; a dead worker fails what it had and the next request starts a new one', async () => {
  const deaths: string[] = [];
  const ch: WorkerChannel<In, Out> = new WorkerChannel(echoWorker(), 'the echo worker', (m) => ch.settle(m.id, m.y), { onDeath: (r) => deaths.push(r) });
  try {
    const [a, b] = await Promise.all([ch.request<number>((id) => ({ id, x: 2 })).result, ch.request<number>((id) => ({ id, x: 5 })).result]);
    assert.deepEqual([a, b], [4, 10]);
    await assert.rejects(ch.request((id) => ({ id, exit: true })).result, /the echo worker stopped \(exit code 3\)/);
    assert.deepEqual(deaths, ['the echo worker stopped (exit code 3)']);
    assert.equal(await ch.request<number>((id) => ({ id, x: 7 })).result, 14);
  } finally {
    ch.dispose('closed');
  }
  await assert.rejects(ch.request((id) => ({ id, x: 1 })).result, /closed/);
});

test('without restart, requests after a death fail with its reason; dispose fails what is pending, with the given error', async () => {
  const ch: WorkerChannel<In, Out> = new WorkerChannel(echoWorker(), 'the echo worker', () => {}, { restart: false, error: (r) => new RangeError(r) });
  await assert.rejects(ch.request((id) => ({ id, exit: true })).result, RangeError);
  await assert.rejects(ch.request((id) => ({ id, x: 1 })).result, /exit code 3/);
  const other: WorkerChannel<In, Out> = new WorkerChannel(echoWorker(), 'the echo worker', () => {});
  const pending = other.request((id) => ({ id, x: 1 })).result; // never answered: the handler settles nothing
  other.dispose('the queue was closed');
  await assert.rejects(pending, /the queue was closed/);
});
