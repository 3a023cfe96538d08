import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeCell, type ExecEnv } from '../../../../src/core/cells/execute';
import { listRunInfos } from '../../../../src/core/cells/runRef';
import { starterCells } from '../../../../src/core/cells/starter';
import { diagnoseCell } from '../../../../src/core/cells/diagnose';
import { loadDataset } from '../../../../src/core/data/load';
import { inProcessJobs } from './inProcessJobs';
import { tempDir } from '../../helpers/paths';

const root = tempDir('cells-audit');
const jobs: string[] = [];
const env: ExecEnv = {
  root,
  trusted: true,
  jobDefaults: { backend: 'cpu', validation: 0.1 },
  images: () => loadDataset('mnist').then((d) => d.splits.train),
  runJob: inProcessJobs(root, (job) => jobs.push(job)),
};

test('execute: an audit cell runs the audit job and shows its summary', async () => {
  const [out] = await executeCell('audit dataset=mnist folds=2 test=false subset=120 model=linear epochs=1 batch=20 noise=0.2', env);
  assert.deepEqual(jobs, ['audit']);
  const [run] = listRunInfos(root);
  assert.equal(run.kind, 'audit');
  assert.equal(run.status, 'done', run.error);
  assert.equal(run.config?.includeTest, false);
  assert.equal(run.config?.validation, 0, "a validation default from the settings does not reach the audit");
  assert.equal(out.type, 'text');
  const text = out.type === 'text' ? out.plain : '';
  assert.match(text, new RegExp(`^run ${run.id}: done`));
  assert.match(text, /audited +120 rows \(120 train, no test\) in 2 folds/);
  assert.match(text, /noise study +\d+ corrupted labels/);
  assert.match(text, new RegExp(`next +datadiet suspects --run ${run.id}`));
  const listed = await executeCell('runs kind=audit', env);
  assert.match(listed[0].type === 'text' ? listed[0].plain : '', /flagged of 120 rows/);
});

test("an audit's results notebook: the label-quality gallery and histogram and the map of that run, each cell valid, and they run", async () => {
  const run = listRunInfos(root).find((r) => r.kind === 'audit')!;
  const cells = starterCells(run).filter((c) => c.kind === 'code');
  const sources = cells.map((c) => c.source);
  assert.ok(sources.some((s) => s.includes(`gallery label-quality lowest per-class=8 run=${run.id}`)), sources.join('\n'));
  assert.ok(sources.some((s) => s.includes(`histogram label-quality run=${run.id} by=noise`)));
  assert.ok(sources.some((s) => s.includes(`map umap color=suspicion run=${run.id}`)));
  for (const s of sources) assert.deepEqual(diagnoseCell(s, { runs: listRunInfos(root) }).diagnostics.filter((d) => d.severity === 'error'), [], s);
  const gallery = sources.find((s) => s.includes('gallery label-quality'))!;
  const [out] = await executeCell(gallery, env);
  assert.equal(out.type, 'payload', JSON.stringify(out).slice(0, 300));
});
