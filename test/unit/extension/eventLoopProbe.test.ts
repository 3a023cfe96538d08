import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEventLoopProbe } from '../../../src/extension/eventLoopProbe';
import { tempDir } from '../helpers/paths';

test('event-loop probe: off without a file; with one, a blocked loop shows up as delay', async () => {
  startEventLoopProbe(undefined).dispose();
  const file = path.join(tempDir('loop'), 'loop.jsonl');
  const probe = startEventLoopProbe(file, 100);
  await new Promise((r) => setTimeout(r, 150));
  const until = Date.now() + 300;
  while (Date.now() < until); // block the loop for 300 ms
  await new Promise((r) => setTimeout(r, 250));
  probe.dispose();
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { maxMs: number; p50Ms: number; count: number });
  assert.ok(lines.length >= 2, `${lines.length} lines`);
  assert.ok(Math.max(...lines.map((l) => l.maxMs)) >= 250, JSON.stringify(lines));
  assert.ok(Math.min(...lines.map((l) => l.p50Ms)) < 100, 'an idle second shows little delay');
});
