import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobProgress } from '../../../src/contract/jobProgress';
import { CellClient, CellFailure } from '../../../src/engine/cellClient';
import { inProcessJobs } from '../core/cells/inProcessJobs';
import { distFile, tempDir } from '../helpers/paths';

test('the cell worker runs cells off the host: jobs through the host, progress back, outputs with fallbacks', async () => {
  const root = tempDir('cellworker');
  const jobs: string[] = [];
  const client = new CellClient(distFile('cellWorker.js'), inProcessJobs(root, (job) => jobs.push(job)));
  const context = { root, trusted: true, jobDefaults: { backend: 'cpu' } };
  try {
    const empty = await client.exec('runs', context);
    assert.equal(empty.outputs.length, 1);
    assert.match(JSON.stringify(empty.outputs[0].items), /no runs/i);

    const progress: JobProgress[] = [];
    const scored = await client.exec('score dataset=mnist scores=el2n runs=1 subset=200 validation=0 model=linear steps=10', context, { onProgress: (_line, p) => progress.push(p) });
    assert.deepEqual(jobs, ['score'], 'the training job ran through the host');
    assert.ok(progress.length > 0, 'its progress came back to the cell');
    assert.equal(scored.aborted, false);
    const mimes = scored.outputs[0].items.map((i) => i.mime);
    assert.ok(mimes.includes('application/vnd.datadiet.histogram+json') && mimes.includes('image/svg+xml'), mimes.join(', '));
    assert.match(scored.outputs[0].summary ?? '', /200/);

    // A brushed range of that histogram: its gallery, computed in the worker too.
    const runId = JSON.parse(JSON.stringify(scored.outputs[0].items.find((i) => 'json' in i)!)).json.source.runId as string;
    const reply = await client.rangeGallery({ type: 'requestRange', requestId: 'r1', runId, score: 'el2n', lo: 0, hi: 10 }, context);
    assert.equal(reply.requestId, 'r1');
    assert.ok(reply.gallery && reply.gallery.groups.length > 0, JSON.stringify(reply).slice(0, 200));

    // A map of the same run (its predicted probabilities: a linear model records no embeddings), projected in the
    // worker, and the thumbnails a brushed region asks for.
    const mapped = await client.exec(`map run=${runId} method=pca`, context);
    assert.deepEqual(mapped.outputs[0].items.map((i) => i.mime), ['application/vnd.datadiet.map+json', 'image/svg+xml', 'text/plain']);
    assert.match(mapped.outputs[0].summary ?? '', /PCA map of 200 examples .* from its predicted probabilities/);
    const thumbs = await client.thumbs({ type: 'requestThumbs', requestId: 't1', runId, indices: [0, 1] }, context);
    assert.equal(thumbs.requestId, 't1');
    assert.deepEqual(thumbs.thumbs?.map((t) => t.index), [0, 1]);

    // A cell error is the user's message, not a crash; the worker goes on.
    await assert.rejects(client.exec('histogram bins=1', context), (e: unknown) => e instanceof CellFailure && e.cellError && /bins/.test(e.message));
    // Restricted Mode: reading is fine, training is refused.
    await assert.rejects(client.exec('score dataset=mnist subset=100', { ...context, trusted: false }), (e: unknown) => e instanceof CellFailure && /trust/i.test(e.message));
    assert.equal((await client.exec('runs', context)).outputs.length, 1);
  } finally {
    client.dispose();
  }
});

test('interrupting a cell cancels its job in the host', async () => {
  const root = tempDir('cellworker-abort');
  let cancelled = false;
  const run = inProcessJobs(root);
  const client = new CellClient(distFile('cellWorker.js'), (job, params, onProgress, signal, executor) => {
    signal.addEventListener('abort', () => (cancelled = true));
    return run(job, params, onProgress, signal, executor);
  });
  const ac = new AbortController();
  try {
    const cell = client.exec('score dataset=mnist scores=el2n runs=3 subset=2000 model=linear epochs=5', { root, trusted: true, jobDefaults: { backend: 'cpu' } }, { signal: ac.signal, onProgress: () => ac.abort() });
    await assert.rejects(cell, /cancelled/);
    assert.equal(cancelled, true);
  } finally {
    client.dispose();
  }
});
