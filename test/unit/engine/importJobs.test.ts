import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { RunManifest } from '../../../src/core/store/runManifest';
import { listRuns } from '../../../src/core/store/runStore';
import { readPredictions } from '../../../src/core/annotations/predictions';
import { EngineClient } from '../../../src/engine/client';
import { distFile, tempDir } from '../helpers/paths';
import { numpyOrSkip, saveNpys } from '../helpers/numpy';
import { importRequest } from '../../../src/extension/importWizard';

test('engine process: the palette\'s import requests run as jobs; a bad file ends its job with the message and leaves no run', async (t) => {
  if (!numpyOrSkip(t)) return;
  const root = tempDir('engine-import');
  const probs = path.join(root, 'probs.npy');
  const wide = path.join(root, 'wide.npy');
  saveNpys({ [probs]: 'np.full((60000, 10), 0.1, dtype=np.float32)', [wide]: 'np.zeros((60000, 2), dtype=np.float32)' });
  const engine = new EngineClient({ enginePath: distFile('engine.js') });
  try {
    await engine.ready;
    const req = importRequest({ kind: 'predictions', dataset: 'mnist', probs })!;
    const m = await engine.run<RunManifest>(req.job, root, req.params, undefined, req.execution).result;
    assert.equal(m.status, 'done', m.error);
    assert.equal(readPredictions(path.join(root, '.datadiet', 'runs', m.id))!.index.length, 60000);
    const bad = importRequest({ kind: 'scores', dataset: 'mnist', scoreFiles: [wide] })!;
    await assert.rejects(engine.run(bad.job, root, bad.params, undefined, bad.execution).result, /wide\.npy: shape \(60000, 2\) has 2 columns/);
    assert.equal(listRuns(root).length, 1, 'the refused import left no run');
  } finally {
    await engine.shutdown();
  }
});
