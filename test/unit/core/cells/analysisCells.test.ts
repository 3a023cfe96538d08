import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { diagnoseCell } from '../../../../src/core/cells/diagnose';
import { executeCell, type CellOutput, type ExecEnv } from '../../../../src/core/cells/execute';
import { cellOutputItems } from '../../../../src/core/cells/outputItems';
import { listRunInfos } from '../../../../src/core/cells/runRef';
import { topKOverlap } from '../../../../src/core/analysis/overlap';
import { loadDataset } from '../../../../src/core/data/load';
import type { GradHeatmapTable } from '../../../../src/core/experiments/gradHeatmap';
import type { GradSumTable } from '../../../../src/core/experiments/gradSum';
import type { LabelEntropyTable } from '../../../../src/core/experiments/labelEntropyCurve';
import { schemaName, type CurvesPayload, type HeatmapPayload, type PayloadKind, type ScatterPayload } from '../../../../src/core/notebook/mime';
import { readScoreTable, scoresDir } from '../../../../src/core/store/scoreFiles';
import { runJob } from '../../../../src/core/jobs/runner';
import { inProcessJobs } from './inProcessJobs';
import { repoRoot, tempDir } from '../../helpers/paths';

// Real jobs, in process, on tiny linear models over a few hundred MNIST examples.
const mnist = loadDataset('mnist').then((d) => d.splits.train);
const root = tempDir('cells-analysis');
const jobs: string[] = [];
const env = (over: Partial<ExecEnv> = {}): ExecEnv => ({
  root,
  trusted: true,
  jobDefaults: { backend: 'wasm' },
  images: () => mnist,
  runJob: inProcessJobs(root, (job) => jobs.push(job)),
  ...over,
});
const ajv = new Ajv({ strict: true, allErrors: true });
const validate = (kind: PayloadKind, payload: unknown) => {
  const v = ajv.getSchema(kind) ?? (ajv.addSchema(JSON.parse(fs.readFileSync(path.join(repoRoot(), 'renderers', 'schemas', `${schemaName(kind)}.schema.json`), 'utf8')), kind), ajv.getSchema(kind)!);
  assert.ok(v(payload), `${kind} payload fails its schema: ${ajv.errorsText(v.errors)}`);
};
async function shown<T>(out: CellOutput, kind: PayloadKind): Promise<T> {
  assert.equal(out.type, 'payload');
  assert.equal(out.type === 'payload' && out.kind, kind);
  const p = (out as unknown as { payload: T }).payload;
  validate(kind, p);
  const items = await cellOutputItems(out);
  assert.match((items.find((i) => i.mime === 'image/svg+xml') as { text: string }).text, /^<svg/);
  return p;
}
const table = <T>(runId: string, file: string): T => JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', runId, file), 'utf8')) as T;

let scoreRunId = '';

test('analysis cells: entropy and overlap of a score run are computed once, then shown from the recorded table', async () => {
  await executeCell('score dataset=mnist scores=el2n,grand runs=2 subset=300 validation=0 model=linear steps=20', env({ jobDefaults: { backend: 'cpu' } }));
  scoreRunId = listRunInfos(root)[0].id;
  const el2n = readScoreTable(scoresDir(path.join(root, '.datadiet', 'runs', scoreRunId)), 'el2n');
  const grand = readScoreTable(scoresDir(path.join(root, '.datadiet', 'runs', scoreRunId)), 'grand');

  const before = jobs.length;
  const [ent] = await executeCell('entropy', env());
  assert.deepEqual(jobs.slice(before), ['entropy']);
  const e = await shown<CurvesPayload>(ent, 'curves');
  const entRun = listRunInfos(root).find((r) => r.kind === 'entropy')!;
  const t = table<LabelEntropyTable>(entRun.id, 'label-entropy.json');
  assert.equal(t.scoreRun, scoreRunId);
  assert.deepEqual(e.series.map((s) => s.name), ['el2n', 'grand']);
  assert.deepEqual(e.series[0].y, t.series[0].entropy);
  assert.deepEqual(e.baseline, { name: 'random ranking', y: t.random, x: t.ks });
  assert.equal(e.source?.runId, entRun.id);
  assert.match(ent.type === 'payload' ? ent.summary : '', /label entropy .* of 300 examples, 10 classes/);
  // Asked again (and for one of its scores): the recorded table, no new job.
  const [again] = await executeCell(`entropy scores=grand\nentropy run=${entRun.id}`, env());
  assert.equal(jobs.length, before + 1);
  assert.deepEqual((await shown<CurvesPayload>(again, 'curves')).series.map((s) => s.name), ['grand']);

  // Overlap of el2n against grand: the top-k overlap of the two tables, checked against a direct computation.
  const [ov] = await executeCell(`overlap run=${scoreRunId} score=el2n against=grand`, env());
  assert.deepEqual(jobs.slice(before + 1), ['overlap']);
  const o = await shown<CurvesPayload>(ov, 'curves');
  assert.equal(o.series.length, 1);
  assert.equal(o.series[0].name, 'el2n vs grand');
  const ks = o.series[0].x;
  const want = topKOverlap(el2n.score, grand.score, ks).overlap;
  o.series[0].y.forEach((y, j) => assert.ok(Math.abs(y! - want[j]) < 1e-12, `k=${ks[j]}`));
  assert.deepEqual(o.baseline?.y, ks.map((k) => k / 300));
  // The two runs kept in the score run (runs=2): one pair; a second ask reuses it.
  const [pairs] = await executeCell(`overlap run=${scoreRunId}\noverlap run=${scoreRunId} score=el2n`, env());
  assert.deepEqual((await shown<CurvesPayload>(pairs, 'curves')).series.map((s) => s.name), ['run 0 vs run 1']);
  assert.equal(jobs.filter((j) => j === 'overlap').length, 2, 'the second overlap line found the first one\'s table');
});

test('analysis cells: trained-dynamics runs show as a heatmap, a scatter and curves', async () => {
  const base = { dataset: 'mnist', model: 'linear', backend: 'wasm' };
  const run = async (job: Parameters<typeof runJob>[0], params: Record<string, unknown>) => {
    const m = (await runJob(job, { ...base, ...params }, { root })) as { id: string; status: string; error?: string };
    assert.equal(m.status, 'done', m.error);
    return m.id;
  };
  const heat = await run('grad-heatmap', { trainSubset: 200, batchSize: 50, epochs: 2, sample: 12 });
  const sum = await run('grad-sum', { trainSubset: 200, batchSize: 20, epochs: 1, batches: 3 });
  const vel = await run('kernel-velocity', { trainSubset: 200, batchSize: 50, epochs: 1, windows: 2, windowSize: 5 });
  const bar = await run('error-barrier', { trainSubset: 300, batchSize: 50, epochs: 1, spawnFractions: [0, 0.5], subsetSize: 100, alphaSteps: 2, testExamples: 200 });

  const [h, g, v, b] = await executeCell('heatmap\ngradsum\nvelocity\nbarrier run=latest', env({ trusted: false }));
  const hp = await shown<HeatmapPayload>(h, 'heatmap');
  const ht = table<GradHeatmapTable>(heat, 'grad-heatmap.json');
  assert.deepEqual(hp.epochs, [0, 1, 2]);
  assert.deepEqual(hp.examples, ht.examples);
  assert.deepEqual(hp.values, ht.values);
  assert.equal(hp.logColor, true);
  assert.equal(hp.source?.runId, heat);

  const gp = await shown<ScatterPayload>(g, 'scatter');
  const gt = table<GradSumTable>(sum, 'grad-sum.json');
  assert.equal(gp.total, gt.rows.length);
  assert.deepEqual(gp.points.map((p) => [p.x, p.y]).sort(), gt.rows.map((r) => [r.sumOfNorms, r.normOfSum]).sort());
  // Triangle inequality: the summed gradient is never longer than the sum of the lengths.
  assert.ok(gp.points.every((p) => p.y <= p.x * (1 + 1e-5)));
  assert.deepEqual(gp.groups, { name: 'epoch 1', rest: 'earlier epochs' });
  assert.match(g.type === 'payload' ? g.summary : '', /6 minibatches of 20.*epoch 0: ratio .*epoch 1: ratio/);

  const vp = await shown<CurvesPayload>(v, 'curves');
  const vt = table<{ rows: { epoch: number; startFraction: number; velocity: number }[] }>(vel, 'kernel-velocity.json');
  assert.deepEqual(vp.series.map((s) => s.name), ['epoch 0 → 1']);
  assert.deepEqual(vp.series[0].x, [0, 195 / 200]);
  assert.deepEqual(vp.series[0].y, vt.rows.map((r) => r.velocity));

  const bp = await shown<CurvesPayload>(b, 'curves');
  const bt = table<{ summary: { set: string; spawnStep: number; mean: number }[]; spawnSteps: number[] }>(bar, 'error-barrier.json');
  assert.equal(bp.series.length, 4);
  assert.equal(bp.series[3].name, 'test set');
  for (const s of bp.series) assert.deepEqual(s.x, bt.spawnSteps);
  assert.deepEqual(bp.series[0].y, bt.summary.filter((p) => p.set === 'highest').map((p) => p.mean));
});

test('analysis cells: diagnostics name the run kinds; untrusted workspaces show but do not compute', async () => {
  const runs = listRunInfos(root);
  const { diagnostics } = diagnoseCell(`heatmap run=${scoreRunId}\nentropy scores=aum\nvelocity bins=3`, { runs });
  const on = (line: number) => diagnostics.filter((d) => d.span.line === line && d.severity === 'error').map((d) => d.message).join('\n');
  assert.match(on(0), /is a score run; this needs a grad-heatmap run/);
  assert.match(on(1), /Run .* has no score "aum" \(it has el2n, grand\)/);
  assert.match(on(2), /"velocity" has no argument "bins"\. Arguments: run\./);
  await assert.rejects(executeCell(`entropy run=${scoreRunId} fresh=true`, env({ trusted: false })), /"entropy" runs an engine job, which Data Diet does not do in Restricted Mode/);
});
