import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { summarizePredictions, writePredictions } from '../../../src/core/annotations/predictions';
import { ManifestClient } from '../../../src/engine/manifestClient';
import { distFile, tempDir } from '../helpers/paths';

test('the manifest worker joins the text being edited with its score run, off the extension host', async () => {
  const base = tempDir('manifestworker');
  const data = path.join(base, 'data');
  fs.mkdirSync(data);
  const manifest = path.join(data, 'labels.csv');
  // Rows a and b were scored (a confidently predicted as class 1 though labelled 0); c was held out.
  const sources = [path.join(data, 'a.png'), path.join(data, 'b.png')];
  const runDir = path.join(base, 'runs', 'r1');
  const probs = Float32Array.from([0.05, 0.95, 0.9, 0.1]);
  const p = summarizePredictions(Int32Array.from([0, 1]), Int32Array.from([0, 0]), [probs], 2, sources);
  writePredictions(runDir, p, [probs]);
  const client = new ManifestClient(distFile('manifestWorker.js'));
  // The threshold method: two scored rows of one labelled class are too few for confident learning's per-class view.
  try {
    const review = await client.review(manifest, 'path,label\na.png,0\nb.png,0\nc.png,1\n', runDir, 0.5, 'threshold');
    assert.ok(review);
    assert.deepEqual(review.rows.map((r) => [r.line, r.flagged, r.predicted]), [[2, true, 1], [3, false, 0]]);
    assert.deepEqual(review.unscored, [4]);
    // The user relabels row a: the suspicion follows the text as it is now.
    const fixed = await client.review(manifest, 'path,label\na.png,1\nb.png,0\n', runDir, 0.5, 'threshold');
    assert.equal(fixed?.rows[0].flagged, false);
    // Mid-edit text that does not parse: no answer, no error.
    assert.equal(await client.review(manifest, 'path,label\n"a.png,0\n', runDir, 0.5, 'threshold'), undefined);
    await assert.rejects(client.review(manifest, 'path,label\n', path.join(base, 'runs', 'missing'), 0.5, 'threshold'), /ENOENT|no such file/);
  } finally {
    client.dispose();
  }
});
