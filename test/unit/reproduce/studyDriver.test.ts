import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runJob } from '../../../src/core/jobs/runner';
import { isUnitDone, readPlan, unitDir } from '../../../src/core/jobs/unitStore';
import { readRun, RunHandle, runsDir } from '../../../src/core/store/runStore';
import { quickStudy, type StudyConfig } from '../../../bench/reproduce/studyConfig';
import { planStudy, STEP } from '../../../bench/reproduce/studyPlan';
import { driveStudy, lockStudy, studyState } from '../../../bench/reproduce/studyDriver';
import { findRun, indexRuns, resolvedParams } from '../../../bench/reproduce/studyRuns';
import { writeStudyReport } from '../../../bench/reproduce/studyReport';
import { tempDir } from '../helpers/paths';

// A study small enough for CI: 300 MNIST examples, K = 2, one repeat, one pruned fraction.
const base = quickStudy(undefined, 300);
const cfg: StudyConfig = { ...base, datasets: [{ ...base.datasets[0], epochs: 1, batchSize: 25, lr: 0.025, width: 0.5 }], seeds: 1, fractions: [0.5] };
const steps = planStudy(cfg).filter((s) => [STEP.scoresEarly, STEP.pruneEl2n].some((n) => s.id === `mnist/${n}`));
const local = { executor: 'local' as const, parallel: 1 };

const runFolders = (root: string) => (fs.existsSync(runsDir(root)) ? fs.readdirSync(runsDir(root)).sort() : []);
const manifests = (root: string) => runFolders(root).map((id) => fs.readFileSync(path.join(runsDir(root), id, 'manifest.json'), 'utf8'));

test('a study runs its steps once: a second run trains nothing and the report is written from the runs alone', async () => {
  const root = tempDir('study');
  const log: string[] = [];
  const first = await driveStudy(steps, { root, execution: local, log: (l) => log.push(l) });
  assert.equal(first.done, 2, log.join('\n'));
  assert.deepEqual(first.failed, []);
  const states = studyState(root, steps);
  assert.ok(states.every((s) => s.run?.manifest.status === 'done'));
  // The prune sweep names the score run the study made.
  assert.equal((states[1].run!.manifest.config as { scoresRun: string }).scoresRun, states[0].run!.manifest.id);

  const before = manifests(root);
  const again: string[] = [];
  const second = await driveStudy(steps, { root, execution: local, log: (l) => again.push(l) });
  assert.equal(second.done, 2);
  assert.deepEqual(again, [], 'nothing started or continued');
  assert.deepEqual(manifests(root), before, 'no run folder changed');

  await writeStudyReport(root, cfg, planStudy(cfg), ['--test']);
  const report = fs.readFileSync(path.join(root, 'REPORT.md'), 'utf8');
  assert.match(report, /### Pruning/);
  assert.match(report, /\| 50% \| \d+\.\d\d% \[/);
  assert.match(report, /## Verdicts/);
  assert.match(report, /pending \(not started\)/, 'steps not run are marked pending');
  assert.ok(fs.existsSync(path.join(root, 'figures', 'mnist-pruning.svg')));
  const table = JSON.parse(fs.readFileSync(path.join(root, 'tables', 'mnist-pruning.json'), 'utf8')) as { series: string }[];
  assert.deepEqual([...new Set(table.map((r) => r.series))].sort(), ['EL2N, epoch 1', 'random']);
  // A finished score run keeps its units' columns out of git: its parquet holds them.
  assert.match(fs.readFileSync(path.join(states[0].run!.dir, '.gitignore'), 'utf8'), /units\/\*\/\*\.f32/);
});

test('a study stopped mid-step (its run left "running" by a dead process) resumes only the missing units', async () => {
  const root = tempDir('study-resume');
  await driveStudy(steps, { root, execution: local, log: () => {} });
  const prune = studyState(root, steps)[1].run!;
  const plan = readPlan(prune.dir);
  const lost = plan[plan.length - 1];
  const kept = plan.filter((u) => u.key !== lost.key).map((u) => fs.readFileSync(path.join(unitDir(prune.dir, u.key), 'row.json'), 'utf8'));
  fs.rmSync(unitDir(prune.dir, lost.key), { recursive: true });
  // What a commit of a study killed mid-run looks like on another machine: running, by some process.
  new RunHandle(prune.dir, prune.manifest).update({ status: 'running', pid: process.pid });
  const log: string[] = [];
  const r = await driveStudy(steps, { root, execution: local, log: (l) => log.push(l) });
  assert.equal(r.done, 2, log.join('\n'));
  assert.match(log.join('\n'), new RegExp(`continuing run ${prune.manifest.id} \\(${plan.length - 1} of ${plan.length} units done\\)`));
  assert.ok(isUnitDone(prune.dir, lost.key));
  // The units that were done are untouched, and no other run was made.
  assert.deepEqual(plan.filter((u) => u.key !== lost.key).map((u) => fs.readFileSync(path.join(unitDir(prune.dir, u.key), 'row.json'), 'utf8')), kept);
  assert.equal(runFolders(root).length, 2);
  assert.equal(readRun(prune.dir).manifest?.status, 'done');
});

test('a run made by hand with the same parameters is the step\'s run; other parameters are not', async () => {
  const root = tempDir('study-adopt');
  const score = steps[0];
  const m = await runJob('score', score.input(() => ''), { root });
  assert.equal(m.status, 'done', m.error);
  const index = indexRuns(root);
  assert.equal(findRun(index, score, resolvedParams(score, () => ''))?.manifest.id, m.id);
  const other = { ...score, input: () => ({ ...score.input(() => ''), runs: 3 }) };
  assert.equal(findRun(index, other, resolvedParams(other, () => '')), undefined);
  // A run recorded before an option existed (its params.json lacks it) is still the step's: its default fills it in.
  const file = path.join(runsDir(root), m.id, 'params.json');
  const recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as { params: Record<string, unknown> };
  delete recorded.params.csv;
  fs.writeFileSync(file, JSON.stringify(recorded));
  assert.equal(findRun(indexRuns(root), score, resolvedParams(score, () => ''))?.manifest.id, m.id);
});

test('one study process per folder: a second one is refused while the first is alive', () => {
  const root = tempDir('study-lock');
  const unlock = lockStudy(root);
  // The same process may take it again (a retried command); another live process on this host may not.
  fs.writeFileSync(path.join(root, 'reproduce.lock'), JSON.stringify({ pid: process.ppid, host: os.hostname() }));
  assert.throws(() => lockStudy(root), /another reproduction \(process \d+\) is running/);
  unlock();
  assert.ok(!fs.existsSync(path.join(root, 'reproduce.lock')));
  lockStudy(root)();
});
