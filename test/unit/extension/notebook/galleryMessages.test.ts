import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnoseCell } from '../../../../src/core/cells/diagnose';
import type { ExecEnv } from '../../../../src/core/cells/execute';
import { listRunInfos } from '../../../../src/core/cells/runRef';
import { notebookJson, starterCells } from '../../../../src/core/cells/starter';
import type { ImageDataset } from '../../../../src/core/data/dataset';
import { loadDataset } from '../../../../src/core/data/load';
import { makeRng } from '../../../../src/core/random';
import { createRun } from '../../../../src/core/store/runStore';
import { writeScoreTable } from '../../../../src/core/store/scoreFiles';
import type { RequestRangeMessage } from '../../../../src/core/notebook/mime';
import { annotationsSink } from '../../../../src/extension/notebook/galleryMessages';
import { checkRangeRequest, rangeGallery } from '../../../../src/core/cells/rangeGallery';
import { tempDir } from '../../helpers/paths';

let mnist: ImageDataset;
const root = tempDir('nbmsg');
const n = 300;
const rng = makeRng(7);
const index = Int32Array.from({ length: n }, (_, i) => i * 3);
let label: Int32Array;
const score = Float32Array.from({ length: n }, () => Math.round(rng.next() * 200) / 100);
// A recorded score run, in the store's own format (manifest + parquet/npy tables).
const run = createRun(root, { kind: 'score', config: { dataset: 'mnist' }, seeds: { run_0: 0 }, versions: {} });
run.update({ dataset: { spec: 'mnist', name: 'mnist/train', fingerprint: 'f'.repeat(64), shape: [28, 28, 1], numClasses: 10, trainSize: n, valSize: 0, testSize: 10000 } });
before(async () => {
  mnist = (await loadDataset('mnist')).splits.train;
  label = Int32Array.from(index, (i) => mnist.labels[i]);
  writeScoreTable(path.join(run.dir, 'scores'), 'el2n', { name: 'el2n', index, label, score, perRun: [score] });
  run.finish('done', { results: { examples: n } });
});
const env: ExecEnv = { root, trusted: false, images: async () => mnist };

test('brushing: a score range gets the gallery of exactly the examples in it', async () => {
  const reply = await rangeGallery({ type: 'requestRange', requestId: 'r1', runId: run.id, score: 'el2n', lo: 0.5, hi: 1.25 }, env);
  assert.equal(reply.requestId, 'r1');
  assert.equal(reply.error, undefined);
  const g = reply.gallery!;
  const want = [...score.keys()].filter((r) => score[r] >= 0.5 && score[r] <= 1.25);
  assert.equal(g.groups.reduce((a, gr) => a + gr.matched, 0), want.length);
  for (const gr of g.groups) for (const it of gr.items) {
    const r = index.indexOf(it.index);
    assert.ok(it.score >= 0.5 && it.score <= 1.25);
    assert.equal(it.label, label[r]);
    assert.equal(gr.label, label[r]);
    assert.match(it.thumb, /^data:image\/png;base64,/);
  }
  const capped = await rangeGallery({ type: 'requestRange', requestId: 'r2', runId: run.id, score: 'el2n', lo: 0, hi: 2, perClass: 2 }, env);
  assert.ok(capped.gallery!.groups.every((gr) => gr.items.length <= 2));
});

test('brushing: a click (zero-width range) selects the examples at that score; bad requests say why', async () => {
  const at = score[10];
  const reply = await rangeGallery({ type: 'requestRange', requestId: 'r3', runId: run.id, score: 'el2n', lo: at, hi: at }, env);
  const want = [...score].filter((s) => s === at).length;
  assert.equal(reply.gallery!.groups.reduce((a, gr) => a + gr.matched, 0), want);
  const missing = await rangeGallery({ type: 'requestRange', requestId: 'r4', runId: 'nope', score: 'el2n', lo: 0, hi: 1 }, env);
  assert.match(missing.error!, /no run "nope"/);
  const noScore = await rangeGallery({ type: 'requestRange', requestId: 'r5', runId: run.id, score: 'grand', lo: 0, hi: 1 }, env);
  assert.match(noScore.error!, /has no score "grand" \(it has el2n\)/);
});

test('brushing: a hostile message cannot smuggle cell arguments or point at another folder', async () => {
  // A score run outside the workspace, which a crafted notebook output might try to open by path.
  const elsewhere = tempDir('nbmsg-elsewhere');
  const other = createRun(elsewhere, { kind: 'score', config: { dataset: 'mnist' }, seeds: { run_0: 0 }, versions: {} });
  writeScoreTable(path.join(other.dir, 'scores'), 'el2n', { name: 'el2n', index, label, score, perRun: [score] });
  other.finish('done', { results: { examples: n } });
  const ask = (over: Partial<RequestRangeMessage>) => rangeGallery({ type: 'requestRange', requestId: 'h', runId: run.id, score: 'el2n', lo: 0, hi: 2, ...over }, env);
  const hostile: [Partial<RequestRangeMessage>, RegExp][] = [
    [{ runId: `${run.id} run=${other.dir}` }, /no run ".* run=/],
    [{ runId: other.dir }, /no run /],
    [{ runId: other.id }, /no run /],
    [{ runId: run.id.slice(0, 6) }, /no run /],
    [{ score: 'el2n limit=100000' }, /has no score "el2n limit=100000"/],
    [{ score: 'el2n\nruns' }, /has no score/],
    [{ lo: Number.NaN }, /finite/],
    [{ hi: Number.POSITIVE_INFINITY }, /finite/],
    [{ lo: 1, hi: 0 }, /lo <= hi/],
    [{ perClass: 0.5 }, /per-class/],
    [{ perClass: -3 }, /per-class/],
  ];
  for (const [over, why] of hostile) {
    const reply = await ask(over);
    assert.equal(reply.gallery, undefined, JSON.stringify(over));
    assert.match(reply.error!, why, JSON.stringify(over));
  }
  // The checked query is the typed object a `gallery el2n run=<id> range=lo..hi` cell gives, nothing more.
  const checked = checkRangeRequest({ type: 'requestRange', requestId: 'q', runId: run.id, score: 'el2n', lo: 0.25, hi: 0.5, perClass: 3 }, listRunInfos(root));
  assert.ok('query' in checked);
  const fromCell = diagnoseCell(`gallery el2n run=${run.id} range=0.25..0.5 per-class=3`, { runs: listRunInfos(root) }).queries[0];
  assert.deepEqual(checked.query.args, fromCell.args);
  assert.deepEqual([...checked.query.given].sort(), [...fromCell.given].sort());
});

test('gallery actions land in the annotations of the run\'s dataset', () => {
  const sink = annotationsSink(() => root, () => listRunInfos(root));
  const flagged = sink({ type: 'annotate', runId: run.id, index: index[5], action: 'flag', originalLabel: label[5], score: 'el2n' });
  assert.equal(flagged.error, undefined);
  const relabeled = sink({ type: 'annotate', runId: run.id, index: index[6], action: 'relabel', label: 3, originalLabel: label[6] });
  assert.deepEqual({ ...relabeled }, { type: 'annotated', runId: run.id, index: index[6], action: 'relabel', label: 3 });
  const dir = path.join(root, '.datadiet', 'annotations');
  const [sub] = fs.readdirSync(dir);
  const entries = fs.readFileSync(path.join(dir, sub, 'annotations.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(entries.map((e) => [e.index, e.action, e.newLabel]), [[index[5], 'flag', undefined], [index[6], 'relabel', 3]]);
  const unknown = sink({ type: 'annotate', runId: 'gone', index: 1, action: 'ok' });
  assert.match(unknown.error!, /run gone is not under/);
});

test('starter notebook: valid nbformat in the datadiet language, every cell free of errors', () => {
  const runs = listRunInfos(root);
  const nb = JSON.parse(notebookJson(starterCells(runs[0]))) as { nbformat: number; metadata: { language_info: { name: string } }; cells: { cell_type: string; source: string[]; outputs?: unknown[] }[] };
  assert.equal(nb.nbformat, 4);
  assert.equal(nb.metadata.language_info.name, 'datadiet');
  const code = nb.cells.filter((c) => c.cell_type === 'code');
  assert.ok(code.length >= 4);
  for (const c of code) {
    const text = c.source.join('');
    assert.deepEqual(diagnoseCell(text, { runs }).diagnostics, [], text);
    assert.deepEqual(c.outputs, []);
  }
  assert.ok(code.some((c) => c.source.join('').startsWith('histogram el2n run=')));
});
