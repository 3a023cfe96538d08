import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { executeCell, type ExecEnv } from '../../../../src/core/cells/execute';
import { listRunInfos } from '../../../../src/core/cells/runRef';
import { predictionsDir, readPredictions } from '../../../../src/core/annotations/predictions';
import { loadDataset } from '../../../../src/core/data/load';
import type { GalleryPayload, HistogramPayload } from '../../../../src/core/notebook/mime';
import { inProcessJobs } from './inProcessJobs';
import { rangeGallery } from '../../../../src/core/cells/rangeGallery';
import { tempDir } from '../../helpers/paths';

// A real score run (tiny linear model): it records the averaged predictions next to its score tables.
const mnist = loadDataset('mnist').then((d) => d.splits.train);
const root = tempDir('cells-pred');
const env: ExecEnv = {
  root,
  trusted: true,
  jobDefaults: { backend: 'cpu' },
  images: () => mnist,
  runJob: inProcessJobs(root),
};
const items = (g: GalleryPayload) => g.groups.flatMap((gr) => gr.items);

test('gallery: every thumbnail carries the predicted class the score run recorded', async () => {
  await executeCell('score dataset=mnist scores=el2n runs=2 subset=200 model=linear steps=30', env);
  const run = listRunInfos(root)[0];
  const p = readPredictions(run.dir)!;
  assert.ok(p, 'the score run recorded predictions');
  const predictedOf = new Map(Array.from(p.index, (idx, r) => [idx, p.predicted[r]]));
  // The predicted class is the argmax of the recorded mean softmax (not the label).
  for (let r = 0; r < p.index.length; r++) {
    const row = Array.from(p.probs.subarray(r * p.numClasses, (r + 1) * p.numClasses));
    assert.equal(p.predicted[r], row.indexOf(Math.max(...row)));
  }
  const [gal, band, hist] = await executeCell('gallery el2n highest per-class=4\ngallery el2n band=50-100 class=3\nhistogram el2n', env);
  for (const out of [gal, band]) {
    const g = (out as { payload: GalleryPayload }).payload;
    assert.ok(items(g).length > 0);
    for (const it of items(g)) assert.equal(it.predicted, predictedOf.get(it.index), `example ${it.index}`);
  }
  // The model disagrees with some labels after 30 steps: the field is not just a copy of the label.
  assert.ok(items((gal as { payload: GalleryPayload }).payload).some((it) => it.predicted !== it.label));
  const h = (hist as { payload: HistogramPayload }).payload;
  assert.ok(h.examples!.every((it) => it.predicted === predictedOf.get(it.index)));
  // A brushed range (renderer message) goes through the same path.
  const brushed = await rangeGallery({ type: 'requestRange', requestId: 'b', runId: run.id, score: 'el2n', lo: 0, hi: 10 }, env);
  assert.ok(items(brushed.gallery!).every((it) => it.predicted === predictedOf.get(it.index)));
});

test('gallery: runs without predictions show none; unreadable predictions are named, the gallery still shows', async () => {
  const run = listRunInfos(root)[0];
  const dir = predictionsDir(run.dir);
  const file = path.join(dir, 'softmax.parquet');
  const saved = fs.readFileSync(file);
  fs.renameSync(dir, `${dir}.bak`);
  try {
    const [out] = await executeCell('gallery el2n lowest per-class=2', env);
    const g = (out as { payload: GalleryPayload }).payload;
    assert.ok(items(g).length > 0 && items(g).every((it) => it.predicted === undefined));
    assert.doesNotMatch(out.type === 'payload' ? out.summary : '', /predicted/);
  } finally {
    fs.renameSync(`${dir}.bak`, dir);
  }
  fs.writeFileSync(file, 'not parquet');
  try {
    const [out] = await executeCell('gallery el2n lowest per-class=2', env);
    assert.ok(items((out as { payload: GalleryPayload }).payload).every((it) => it.predicted === undefined));
    assert.match(out.type === 'payload' ? out.summary : '', /predicted labels not shown: .*softmax/);
  } finally {
    fs.writeFileSync(file, saved);
  }
});
