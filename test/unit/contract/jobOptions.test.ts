import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkParams, JOB_OPTIONS } from '../../../src/contract/jobOptions';
import { JOB_NAMES } from '../../../src/contract/jobNames';
import { IMPORT_PREDICTIONS_DEFAULTS, IMPORT_SCORES_DEFAULTS } from '../../../src/contract/jobDefaults';
import { parseRequest } from '../../../src/contract/engineProtocol';
import { EL2N_GRID_DEFAULTS } from '../../../src/core/experiments/el2nGrid';
import { ERROR_BARRIER_DEFAULTS } from '../../../src/core/experiments/errorBarrier';
import { HEATMAP_DEFAULTS } from '../../../src/core/experiments/gradHeatmap';
import { GRADSUM_DEFAULTS } from '../../../src/core/experiments/gradSum';
import { KERNEL_VELOCITY_DEFAULTS } from '../../../src/core/experiments/kernelVelocity';
import { ENTROPY_DEFAULTS } from '../../../src/core/experiments/labelEntropyCurve';
import { DUPLICATES_DEFAULTS } from '../../../src/core/experiments/duplicates';
import { PRUNE_DEFAULTS } from '../../../src/core/experiments/pruneSweep';
import { SCORE_DEFAULTS } from '../../../src/core/experiments/scoreRun';
import { STRATEGY_COMPARISON_DEFAULTS } from '../../../src/core/experiments/strategyComparison';
import { TRAIN_DEFAULTS } from '../../../src/core/experiments/trainRun';
import { WINDOW_DEFAULTS } from '../../../src/core/experiments/windowSweep';
import { AUDIT_DEFAULTS } from '../../../src/core/experiments/labelAudit';

test('every job has option metadata with distinct keys and flags', () => {
  for (const job of JOB_NAMES) {
    const specs = JOB_OPTIONS[job];
    assert.ok(specs.length > 0, job);
    assert.equal(new Set(specs.map((s) => s.key)).size, specs.length, `${job}: a key twice`);
    assert.equal(new Set(specs.map((s) => s.flag)).size, specs.length, `${job}: a flag twice`);
  }
});

test("each experiment's defaults pass its job's checks: the metadata names every parameter, with ranges that admit them", () => {
  const withData = { dataset: 'mnist', scoresFrom: 'run' };
  const cases = [
    ['train', TRAIN_DEFAULTS],
    ['score', SCORE_DEFAULTS],
    ['prune', PRUNE_DEFAULTS],
    ['window', WINDOW_DEFAULTS],
    ['strategies', STRATEGY_COMPARISON_DEFAULTS],
    ['grad-heatmap', HEATMAP_DEFAULTS],
    ['grad-sum', GRADSUM_DEFAULTS],
    ['kernel-velocity', KERNEL_VELOCITY_DEFAULTS],
    ['error-barrier', ERROR_BARRIER_DEFAULTS],
    ['el2n-grid', EL2N_GRID_DEFAULTS],
    ['audit', AUDIT_DEFAULTS],
    ['duplicates', DUPLICATES_DEFAULTS],
  ] as const;
  for (const [job, defaults] of cases) {
    const input = { ...defaults, dataset: 'mnist', ...(JOB_OPTIONS[job].some((s) => s.key === 'scoresFrom') ? { scoresFrom: 'run' } : {}) };
    assert.deepEqual(checkParams(job, input), input, job);
  }
  assert.deepEqual(checkParams('entropy', { ...ENTROPY_DEFAULTS, scoresFrom: withData.scoresFrom }), { ...ENTROPY_DEFAULTS, scoresFrom: 'run' });
  const predictions = { ...IMPORT_PREDICTIONS_DEFAULTS, dataset: 'mnist', probs: 'p.npy' };
  assert.deepEqual(checkParams('import-predictions', predictions), predictions);
  const scores = { ...IMPORT_SCORES_DEFAULTS, dataset: 'mnist', scores: ['a=a.npy'] };
  assert.deepEqual(checkParams('import-scores', scores), scores);
});

test('checkParams refuses unknown names, wrong kinds, values out of range and missing required ones, by flag', () => {
  assert.throws(() => checkParams('score', { dataset: 'mnist', epochz: 3 }), /score: unknown parameter "epochz"/);
  assert.throws(() => checkParams('score', { dataset: 'mnist', runs: '3' }), /--runs must be a number/);
  assert.throws(() => checkParams('score', { dataset: 'mnist', runs: 0 }), /--runs must be at least 1, got 0/);
  assert.throws(() => checkParams('score', { dataset: 'mnist', scores: ['el2n', 'nope'] }), /--score: unknown "nope"; choose from el2n/);
  assert.throws(() => checkParams('prune', { dataset: 'mnist', scoresFrom: 'r', fractions: [0.5, 1] }), /--fractions must be less than 1, got 1/);
  assert.throws(() => checkParams('prune', { dataset: 'mnist' }), /prune job needs "scoresFrom" \(--scores\)/);
  assert.throws(() => checkParams('train', { dataset: 'mnist', model: 'alexnet' }), /--model must be one of linear, mlp, cnn-small/);
  assert.throws(() => checkParams('train', { dataset: 'mnist', augment: 'yes' }), /--augment must be auto, true or false/);
  // Unset options (a CLI passes them as undefined) count as absent.
  assert.deepEqual(checkParams('train', { dataset: 'mnist', steps: undefined }), { dataset: 'mnist' });
});

test('the engine protocol carries a start request with its execution; parameters are checked when the job starts', () => {
  const r = parseRequest(JSON.stringify({ type: 'start', id: 'a', job: 'prune', root: '/w', params: { dataset: 'mnist' }, execution: { executor: 'local', parallel: 2 } }));
  assert.deepEqual(r, { type: 'start', id: 'a', job: 'prune', root: '/w', params: { dataset: 'mnist' }, execution: { executor: 'local', parallel: 2 } });
  assert.throws(() => parseRequest(JSON.stringify({ type: 'start', id: 'a', job: 'fly', root: '/w' })), /unknown job "fly"/);
  assert.throws(() => parseRequest(JSON.stringify({ type: 'start', id: 'a', job: 'train', root: '/w', params: [] })), /"params" must be an object/);
  assert.throws(() => parseRequest(JSON.stringify({ type: 'start', id: 'a', job: 'train', root: '/w', execution: { executor: 'pbs' } })), /"execution" must be/);
  assert.deepEqual(parseRequest(JSON.stringify({ type: 'resume', id: 'b', root: '/w', runDir: '/w/r', retryFailed: true })), { type: 'resume', id: 'b', root: '/w', runDir: '/w/r', retryFailed: true, execution: undefined });
});

test('what a job resolves to (its params.json) passes the same checks again: unit and merge processes re-read it', async () => {
  const { experimentFor } = await import('../../../src/core/jobs/registry');
  for (const job of JOB_NAMES) {
    const needs = JOB_OPTIONS[job].map((s) => s.key);
    const input = {
      ...(needs.includes('dataset') ? { dataset: 'mnist' } : {}),
      ...(needs.includes('scoresFrom') ? { scoresFrom: 'run' } : {}),
      ...(needs.includes('probs') ? { probs: '/data/probs.npy' } : {}),
      ...(job === 'import-scores' ? { scores: ['el2n=/data/el2n.npy'] } : {}),
    };
    const exp = experimentFor(job);
    const resolved = exp.resolve(checkParams(job, input));
    const again = checkParams(job, resolved as Record<string, unknown>);
    assert.deepEqual(exp.resolve(again), resolved, `${job}: resolve is idempotent through params.json`);
  }
});
