import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunManifest } from '../../../src/core/store/runManifest';
import { listRuns } from '../../../src/core/store/runStore';
import { EngineClient } from '../../../src/engine/client';
import { distFile, repoRoot, tempDir } from '../helpers/paths';
import { BAD_INPUTS, FIXTURES, type Area } from './badInputs';
import { caseDir, DOC_FILE, generateDoc, runCase } from './badInputsDoc';

test('the corpus has at least 30 cases and covers every input kind', () => {
  assert.ok(BAD_INPUTS.length >= 30, `${BAD_INPUTS.length} cases`);
  const areas = new Set(BAD_INPUTS.map((c) => c.area));
  for (const a of ['IDX', 'CIFAR', 'Image folder', 'CSV manifest', 'JSONL manifest', 'Run directory', 'Score files', 'Annotations'] as Area[]) assert.ok(areas.has(a), a);
  assert.equal(new Set(BAD_INPUTS.map((c) => c.id)).size, BAD_INPUTS.length, 'ids are unique');
  for (const c of BAD_INPUTS) assert.ok(!!c.expect !== !!c.accepted, `${c.id}: either an expected error or a tolerated input`);
});

for (const c of BAD_INPUTS) {
  test(`bad input ${c.id}: ${c.expect ? 'a clear error naming the file, the place and the fix' : 'tolerated'}`, async () => {
    const dir = caseDir(c.id);
    try {
      const outcome = await runCase(c, dir);
      if (c.accepted) {
        assert.equal(outcome.kind, 'accepted', outcome.kind === 'error' ? outcome.message : '');
        return;
      }
      const want = c.expect!;
      assert.equal(outcome.kind, 'error', `${c.id} should fail`);
      if (outcome.kind !== 'error') return;
      // Only our own errors: a TypeError or RangeError would be a crash that happens to be caught.
      const domain = outcome.name === 'DataFormatError' || outcome.name === 'InputError' || outcome.raw?.constructor === Error;
      assert.ok(domain, `${c.id}: threw ${outcome.name}: ${outcome.message}`);
      const m = outcome.message;
      assert.ok(m.includes(want.file), `${c.id}: message names ${want.file}: ${m}`);
      assert.match(m, want.message);
      if (want.place) assert.match(m, want.place, `${c.id}: the place`);
      // Every message says what to do.
      assert.ok(want.fix, `${c.id}: a fix is expected`);
      if (want.fix) assert.match(m, want.fix, `${c.id}: the fix`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('docs/bad-inputs.md is generated from the corpus and up to date', async () => {
  const doc = fs.readFileSync(DOC_FILE, 'utf8');
  assert.equal(doc, await generateDoc(), 'docs/bad-inputs.md is stale: run node scripts/bad-inputs-doc.mjs');
  for (const c of BAD_INPUTS) assert.ok(doc.includes(`\`${c.id}\``), c.id);
});

test('engine: every bad dataset ends its job with the loader message, and the engine serves the next job', async () => {
  const engine = new EngineClient({ enginePath: distFile('engine.js') });
  const root = tempDir('bad-engine');
  const dirs: string[] = [];
  try {
    await engine.ready;
    let jobs = 0;
    for (const c of BAD_INPUTS) {
      const dir = caseDir(c.id);
      dirs.push(dir);
      const input = c.make(dir);
      if (!('spec' in input) || !c.expect) continue;
      // The same input loaded here, for the exact message the engine must pass on.
      const local = await runCase({ ...c, make: () => input }, dir);
      assert.equal(local.kind, 'error');
      const raw = local.kind === 'error' ? String((local.raw as Error).message) : '';
      await assert.rejects(engine.run('train', root, { dataset: input.spec, model: 'linear', backend: 'cpu', steps: 1 }).result, (e: Error) => {
        assert.equal(e.message, raw, c.id);
        return true;
      });
      jobs++;
    }
    assert.ok(jobs >= 25, `${jobs} bad datasets sent to the engine`);
    // Each refused dataset left no run folder behind (nothing ran), and no run stuck in 'running'.
    assert.deepEqual(listRuns(root), []);
    const m = await engine.run<RunManifest>('train', root, { dataset: 'mnist', model: 'linear', trainSubset: 300, batchSize: 32, validation: 50, steps: 3, backend: 'cpu' }).result;
    assert.equal(m.status, 'done');
  } finally {
    await engine.shutdown();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the committed bad fixtures are small and all used', () => {
  const src = fs.readFileSync(path.join(repoRoot(), 'test', 'unit', 'reliability', 'badInputs.ts'), 'utf8');
  for (const f of fs.readdirSync(FIXTURES)) {
    if (f === 'README.md') continue;
    assert.ok(src.includes(`'${f}'`), `${f} is used by a case`);
    assert.ok(fs.statSync(path.join(FIXTURES, f)).size < 4096, f);
  }
});
