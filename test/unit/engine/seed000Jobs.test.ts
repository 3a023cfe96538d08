import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunManifest } from '../../../src/core/store/runManifest';
import { EngineClient } from '../../../src/engine/client';
import { distFile, tempDir } from '../helpers/paths';
import { fakeScoreRun } from '../core/experiments/fakeScoreRun';

test('engine process runs the seed-000 analyses as jobs and refuses missing parameters', async () => {
  const engine = new EngineClient({ enginePath: distFile('engine.js') });
  try {
    await engine.ready;
    const root = tempDir('engine-seed000');
    const n = 300;
    const index = Int32Array.from({ length: n }, (_, i) => i);
    const label = Int32Array.from({ length: n }, (_, i) => i % 10);
    const runs = [1, 2].map((s) => Float32Array.from(index, (i) => ((i * 7919 * s) % 101) + label[i]));
    const id = fakeScoreRun(root, [{ name: 'el2n', index, label, perRun: runs }]);
    const e = await engine.run<RunManifest>('entropy', root, { scoresFrom: id, ks: [10, 100] }).result;
    assert.equal(e.status, 'done');
    const t = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', e.id, 'label-entropy.json'), 'utf8'));
    assert.deepEqual(t.ks, [10, 100]);
    const o = await engine.run<RunManifest>('overlap', root, { scoresFrom: id }).result;
    assert.equal(o.status, 'done');
    assert.deepEqual((o.results as { series: string[] }).series, ['run 0 vs run 1']);
    await assert.rejects(engine.run('entropy', root, {}).result, /entropy job needs "scoresFrom"/);
    await assert.rejects(engine.run('grad-heatmap', root, {}).result, /grad-heatmap job needs "dataset"/);
    await assert.rejects(engine.run('strategies', root, { dataset: 'mnist' }).result, /strategies job needs "scoresFrom"/);
  } finally {
    await engine.shutdown();
  }
});
