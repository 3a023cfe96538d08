import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { executeCell, CellError, type CellOutput, type ExecEnv } from '../../../../src/core/cells/execute';
import { cellOutputItems } from '../../../../src/core/cells/outputItems';
import { listRunInfos } from '../../../../src/core/cells/runRef';
import { percentile } from '../../../../src/core/analysis/percentiles';
import { spearman } from '../../../../src/core/analysis/spearman';
import { loadDataset } from '../../../../src/core/data/load';
import type { JobProgress } from '../../../../src/core/experiments/job';
import type { GalleryPayload, HistogramPayload, PruningCurvePayload, ScatterPayload } from '../../../../src/core/notebook/mime';
import { readScoreTable, scoresDir } from '../../../../src/core/store/scoreFiles';
import { inProcessJobs } from './inProcessJobs';
import { runTraining } from '../../../../src/core/experiments/trainRun';
import type { ConfusionMatrixPayload, TrainingCurvesPayload } from '../../../../src/core/notebook/mime';
import { tempDir } from '../../helpers/paths';

const mnist = loadDataset('mnist').then((d) => d.splits.train);
const root = tempDir('cells');
let jobsStarted = 0;
const progress: JobProgress[] = [];

// The real jobs, in process (what the engine runs), on a tiny linear model so the whole file takes seconds.
const env = (over: Partial<ExecEnv> = {}): ExecEnv => ({
  root,
  trusted: true,
  jobDefaults: { backend: 'cpu' },
  images: () => mnist,
  runJob: inProcessJobs(root, () => jobsStarted++),
  onProgress: (_line, p) => {
    progress.push(p);
    if (process.env.CELLS_DEBUG) console.error(p.message);
  },
  ...over,
});

const payload = <T>(o: CellOutput): T => {
  assert.equal(o.type, 'payload');
  return (o as unknown as { payload: T }).payload;
};

let scoreRunDir = '';

test('execute: a score cell trains, scores and shows the first score as a histogram', async () => {
  const [out] = await executeCell('score dataset=mnist scores=el2n,grand runs=2 subset=300 validation=0 model=linear noise=0.2', env());
  const h = payload<HistogramPayload>(out);
  assert.equal(out.type === 'payload' && out.kind, 'histogram');
  const runs = listRunInfos(root);
  assert.equal(runs.length, 1);
  assert.equal(runs[0].status, 'done');
  assert.deepEqual(runs[0].scores, ['el2n', 'grand']);
  scoreRunDir = runs[0].dir;
  assert.deepEqual(h.source, { runId: runs[0].id, score: 'el2n' });
  // noise given: split clean / corrupted, 20% of 300 corrupted.
  assert.deepEqual(h.groups, ['clean', 'corrupted']);
  const corrupted = readScoreTable(scoresDir(runs[0].dir), 'el2n').extra!.corrupted;
  const flipped = corrupted.reduce((a, b) => a + b, 0);
  assert.ok(flipped > 40 && flipped <= 60, `about 20% of 300 labels changed, got ${flipped}`);
  assert.equal(h.counts[1].reduce((a, b) => a + b, 0), flipped);
  assert.equal(h.counts.flat().reduce((a, b) => a + b, 0), 300);
  assert.ok(progress.some((p) => p.phase === 'train'), 'progress streamed');
  assert.ok(h.examples && h.examples.length > 0 && h.examples.every((e) => e.thumb.startsWith('data:image/png;base64,')));
});

test('execute: histogram by class, gallery by order / band / range, compare, runs', async () => {
  const t = readScoreTable(scoresDir(scoreRunDir), 'el2n');
  const g = readScoreTable(scoresDir(scoreRunDir), 'grand');
  const outs = await executeCell(
    ['histogram el2n by=class bins=20', 'gallery el2n highest per-class=2', 'gallery el2n band=90-100', 'gallery grand range=..0.5 class=3', 'compare el2n grand', 'runs'].join('\n'),
    env(),
  );
  assert.equal(outs.length, 6);
  const hist = payload<HistogramPayload>(outs[0]);
  assert.equal(hist.edges.length, 21);
  assert.equal(hist.groups.length, 10);
  for (let c = 0; c < 10; c++) {
    assert.equal(hist.counts[c].reduce((a, b) => a + b, 0), t.label.filter((l) => l === c).length, `class ${c}`);
  }

  const top = payload<GalleryPayload>(outs[1]);
  for (const group of top.groups) {
    const scores = [...t.label.keys()].filter((r) => t.label[r] === group.label).map((r) => t.score[r]).sort((a, b) => b - a);
    assert.deepEqual(group.items.map((i) => i.score), scores.slice(0, 2), `class ${group.label}: the two highest`);
    for (const item of group.items) {
      const row = t.index.indexOf(item.index);
      assert.equal(t.label[row], item.label);
      assert.equal(t.score[row], item.score);
    }
  }

  const band = payload<GalleryPayload>(outs[2]);
  const p90 = percentile(Float64Array.from(t.score).sort(), 0.9);
  const banded = band.groups.flatMap((gr) => gr.items);
  assert.ok(banded.length >= 25 && banded.length <= 35, `about 10% of 300, got ${banded.length}`);
  assert.ok(banded.every((i) => i.score >= p90 - 1e-6));

  const range = payload<GalleryPayload>(outs[3]);
  const want = [...g.label.keys()].filter((r) => g.label[r] === 3 && g.score[r] <= 0.5).length;
  assert.deepEqual(range.groups.map((gr) => gr.label), want ? [3] : []);
  assert.equal(range.groups[0]?.matched ?? 0, want);

  const sc = payload<ScatterPayload>(outs[4]);
  assert.ok(Math.abs((sc.spearman as number) - spearman(t.score, g.score)) < 1e-9);
  assert.equal(sc.total, 300);

  assert.equal(outs[5].type, 'text');
  assert.match((outs[5] as { plain: string }).plain, /score\s+done\s+mnist\/train\s+linear/);
});

test('execute: output items carry the mime type, an SVG and text fallbacks', async () => {
  const [out] = await executeCell('histogram el2n', env());
  const items = await cellOutputItems(out);
  assert.deepEqual(items.map((i) => i.mime), ['application/vnd.datadiet.histogram+json', 'image/svg+xml', 'text/plain']);
  assert.match((items[1] as { text: string }).text, /^<svg/);
});

test('execute: a prune cell trains a sweep once, then shows the recorded one', async () => {
  const cell = 'prune run=latest fractions=0.5 strategy=random seeds=1 steps=2';
  const before = jobsStarted;
  const curve = payload<PruningCurvePayload>((await executeCell(cell, env()))[0]);
  assert.equal(jobsStarted, before + 1);
  assert.deepEqual(curve.series.map((s) => s.name), ['random']);
  assert.equal(curve.fullData?.length, 1);
  const prune = listRunInfos(root).find((r) => r.kind === 'prune')!;
  assert.equal(prune.config?.trainSubset, 300, 'the sweep trains on the scored subset');
  // run=latest now names the prune run itself; naming the score run finds the matching sweep. Neither trains.
  const again = payload<PruningCurvePayload>((await executeCell(cell, env()))[0]);
  const scoreId = listRunInfos(root).find((r) => r.kind === 'score')!.id;
  await executeCell(`prune run=${scoreId} fractions=0.5 strategy=random seeds=1 steps=2`, env());
  assert.equal(jobsStarted, before + 1);
  assert.deepEqual(again.series, curve.series);
});

test('execute: interrupting a sweep cancels the job and keeps it recorded as cancelled', async () => {
  const ac = new AbortController();
  const scoreId = listRunInfos(root).find((r) => r.kind === 'score')!.id;
  const cell = `prune run=${scoreId} fractions=0.3,0.6 strategy=random,keep-top seeds=2 steps=2 fresh=true`;
  let n = 0;
  const e = env({ signal: ac.signal, onProgress: () => ++n === 3 && ac.abort() });
  let result: CellOutput[] | undefined;
  let error: Error | undefined;
  try {
    result = await executeCell(cell, e);
  } catch (err) {
    error = err as Error;
  }
  if (error) assert.match(error.message, /was interrupted before a point of the sweep was finished: nothing to show/);
  else assert.equal(payload<PruningCurvePayload>(result![0]).partial, true);
  const cancelled = listRunInfos(root).filter((r) => r.kind === 'prune' && r.status === 'cancelled');
  assert.equal(cancelled.length, 1);
  const rows = (JSON.parse(fs.readFileSync(path.join(cancelled[0].dir, 'prune-sweep.json'), 'utf8')) as { rows: unknown[] }).rows;
  assert.ok(rows.length < 10, `stopped early: ${rows.length} of 10 trainings`);
});

test('execute: Restricted Mode reads runs but refuses to train', async () => {
  const restricted = env({ trusted: false });
  assert.equal((await executeCell('histogram el2n', restricted)).length, 1);
  await assert.rejects(executeCell('score dataset=mnist subset=100', restricted), /line 1 \(score\): "score" trains models.*Restricted Mode/);
  const scoreId = listRunInfos(root).find((r) => r.kind === 'score')!.id;
  await assert.rejects(executeCell(`prune run=${scoreId} fresh=true`, restricted), /Restricted Mode/);
});

test('execute: a cell with errors runs nothing and names the line', async () => {
  const before = jobsStarted;
  await assert.rejects(executeCell('runs\nhistogram el2n bins=1', env()), /line 2: bins: 1 is out of range/);
  await assert.rejects(executeCell('histogram aum', env()), /has no score "aum" \(it has el2n, grand\)/);
  assert.equal(jobsStarted, before);
});

test('execute: training and confusion cells show a training run\'s curves and test confusion matrix', async () => {
  const dir = tempDir('cells-train');
  const m = await runTraining({ dataset: 'mnist', model: 'linear', trainSubset: 400, epochs: 2, batchSize: 50, validation: 0.1, backend: 'cpu' }, { root: dir });
  assert.equal(m.status, 'done', m.error);
  const e = env({ root: dir });
  const [curves] = await executeCell('training', e);
  assert.equal(curves.type === 'payload' && curves.kind, 'trainingCurves');
  const t = payload<TrainingCurvesPayload>(curves);
  assert.deepEqual(t.epochs.map((x) => x.epoch), [1, 2]);
  assert.ok(t.epochs.every((x) => x.train && x.validation && x.test), JSON.stringify(t.epochs[0]));
  assert.equal(t.epochs[1].test!.accuracy, Number(m.results!.testAccuracy));
  const [conf] = await executeCell(`confusion run=${m.id}`, e);
  const c = payload<ConfusionMatrixPayload>(conf);
  const total = c.matrix.flat().reduce((a, b) => a + b, 0);
  const right = c.matrix.reduce((a, row, i) => a + row[i], 0);
  assert.equal(total, m.dataset!.testSize);
  assert.ok(Math.abs(right / total - Number(m.results!.testAccuracy)) < 1e-9);
  assert.match(conf.type === 'payload' ? conf.summary : '', /^test accuracy \d+\.\d\d% over \d+ examples/);
  // A score run is not a training run: the cell says which runs it reads.
  await assert.rejects(executeCell('training run=nope', e), /nope/);
});
