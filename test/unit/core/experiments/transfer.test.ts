import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runPruneSweep } from '../../../../src/core/experiments/pruneSweep';
import { runScores } from '../../../../src/core/experiments/scoreRun';
import { runEl2nGrid, gridPoints } from '../../../../src/core/experiments/el2nGrid';
import { readScoreTable, scoresDir } from '../../../../src/core/store/scoreFiles';
import { correlationMatrix } from '../../../../src/core/charts/correlationMatrix';
import { renderSvg } from '../../../../src/core/charts/render';
import { tempDir } from '../../helpers/paths';

const base = { dataset: 'mnist', trainSubset: 300, batchSize: 50, backend: 'wasm' as const };
const runDir = (root: string, id: string) => path.join(root, '.datadiet', 'runs', id);

test('transfer: scores of a linear model prune for a CNN; the source model is recorded', async () => {
  const root = tempDir('transfer');
  const scores = await runScores({ ...base, model: 'linear', epochs: 1, scoreEpoch: 1, runs: 1, scores: ['el2n'] }, { root });
  const m = await runPruneSweep({ ...base, model: 'cnn-small', width: 0.25, scoresFrom: scores.id, epochs: 1, fractions: [0.5], strategies: ['keep-top'], seeds: 1 }, { root });
  assert.equal(m.status, 'done', m.error);
  assert.deepEqual((m.config as { scoresModel: { arch: string } }).scoresModel.arch, 'linear');
  const table = JSON.parse(fs.readFileSync(path.join(runDir(root, m.id), 'prune-sweep.json'), 'utf8'));
  assert.equal(table.scoresModel.arch, 'linear');
  assert.deepEqual(table.model, { arch: 'cnn-small', width: 0.25 });
  assert.equal(table.rows.length, 2);
});

test('EL2N over a grid: one score run per point, the mean table, Spearman between points; prunable', async () => {
  assert.equal(gridPoints({ lrs: [0.1, 0.2], weightDecays: [5e-4], batchSizes: [32], widths: [0.5, 1] }).length, 4);
  // The paper's grid (appendix E.4): learning rate x weight decay, every pair once.
  const paper = gridPoints({ lrs: [0.2, 0.1, 0.05], weightDecays: [1e-3, 5e-4, 1e-4], batchSizes: [128], widths: [1] });
  assert.equal(new Set(paper.map((p) => `${p.lr}/${p.weightDecay}`)).size, 9);
  assert.throws(() => gridPoints({ lrs: [], weightDecays: [5e-4], batchSizes: [32], widths: [1] }), /at least one value of learning rates/);
  assert.throws(() => gridPoints({ lrs: [0.1], weightDecays: [], batchSizes: [32], widths: [1] }), /at least one value of weight decays/);
  const root = tempDir('grid');
  const m = await runEl2nGrid({ ...base, model: 'cnn-small', epochs: 1, scoreEpoch: 1, lrs: [0.05], weightDecays: [5e-4], batchSizes: [50, 100], widths: [0.25] }, { root });
  assert.equal(m.status, 'done', m.error);
  assert.equal(m.kind, 'score');
  const g = JSON.parse(fs.readFileSync(path.join(runDir(root, m.id), 'el2n-grid.json'), 'utf8'));
  assert.equal(g.grid.length, 2);
  assert.deepEqual(g.grid.map((p: { weightDecay: number }) => p.weightDecay), [5e-4, 5e-4], 'each point records its weight decay');
  assert.equal(g.correlations.matrix.length, 2);
  assert.ok(g.correlations.matrix[0][1] > 0.2 && g.correlations.matrix[0][1] < 1, String(g.correlations.matrix[0][1]));
  // The mean table is the mean of the grid points' tables.
  const mean = readScoreTable(scoresDir(runDir(root, m.id)), 'el2n');
  const a = readScoreTable(scoresDir(runDir(root, g.grid[0].runId)), 'el2n');
  const b = readScoreTable(scoresDir(runDir(root, g.grid[1].runId)), 'el2n');
  for (let i = 0; i < mean.score.length; i += 37) assert.ok(Math.abs(mean.score[i] - (a.score[i] + b.score[i]) / 2) < 1e-6);
  assert.equal(mean.perRun.length, 2);
  const svg = await renderSvg(correlationMatrix({ names: g.correlations.names, matrix: g.correlations.matrix }));
  assert.match(svg, /mark-rect role-mark/);
  // A grid run is a score run: the prune sweep takes it.
  const p = await runPruneSweep({ ...base, model: 'cnn-small', width: 0.25, scoresFrom: m.id, epochs: 1, fractions: [0.5], strategies: ['keep-top'], seeds: 1 }, { root });
  assert.equal(p.status, 'done', p.error);
});
