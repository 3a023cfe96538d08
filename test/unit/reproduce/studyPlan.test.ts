import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkParams } from '../../../src/contract/jobOptions';
import { experimentFor } from '../../../src/core/jobs/registry';
import { FULL_STUDY, quickStudy } from '../../../bench/reproduce/studyConfig';
import { planStudy, STEP, windowOffsets } from '../../../bench/reproduce/studyPlan';
import { stableJson } from '../../../bench/reproduce/studyRuns';

const fakeRun = (id: string) => `run-of-${id.replace('/', '-')}`;

test('the full study: every step is a valid job, needs only earlier steps, and keeps the settings the issue asks for', () => {
  const steps = planStudy(FULL_STUDY);
  assert.equal(new Set(steps.map((s) => s.id)).size, steps.length);
  const seen = new Set<string>();
  for (const s of steps) {
    for (const n of s.needs) assert.ok(seen.has(n), `${s.id} needs ${n} before it`);
    seen.add(s.id);
    // Parameters are checked and resolved as the runner does: a wrong option name or type fails here, not after hours.
    const p = experimentFor(s.job).resolve(checkParams(s.job, s.input(fakeRun))) as Record<string, unknown>;
    if (s.job === 'score') {
      assert.equal(p.runs, 10, `${s.id}: K = 10`);
      assert.equal(p.predictions, false, `${s.id}: scores only`);
    }
    // cnn-small has no batch norm: every training of it warms up (a random-subset retraining collapsed without).
    if ('warmup' in p && p.model === 'cnn-small') assert.equal(p.warmup, 0.05, `${s.id}: warmup`);
    // The whole training set everywhere: no subset, or (for jobs that default to one) a subset of all of it.
    if ('dataset' in p) assert.ok(p.trainSubset === undefined || p.trainSubset === 60_000, `${s.id}: trains on ${String(p.trainSubset)} examples`);
    if (s.job === 'kernel-velocity' || s.job === 'error-barrier' || s.job === 'el2n-grid') assert.equal(p.trainSubset, 60_000, `${s.id}: all 60,000 examples`);
  }
  const mnist = (name: string) => steps.find((s) => s.id === `mnist/${name}`)!;
  const headline = experimentFor('prune').resolve(checkParams('prune', mnist(STEP.pruneEl2n).input(fakeRun))) as { fractions: number[]; seeds: number; fullData: boolean; strategies: string[] };
  assert.deepEqual([Math.min(...headline.fractions), Math.max(...headline.fractions)], [0.1, 0.9]);
  assert.ok(headline.seeds >= 4);
  assert.equal(headline.fullData, true);
  assert.deepEqual(headline.strategies, ['keep-top', 'random']);
  // Only the headline sweep retrains on full data: the others would repeat the same retrainings.
  const withFull = steps.filter((s) => s.job === 'prune' && (experimentFor('prune').resolve(checkParams('prune', s.input(fakeRun))) as { fullData: boolean; model: string }).fullData);
  assert.deepEqual(withFull.map((s) => s.id.split('/')[1]).sort(), [STEP.pruneEl2n, STEP.pruneEl2n, STEP.pruneTransferOut, STEP.pruneTransferOut].sort());
  // The EL2N grid is the paper's: three learning rates x three weight decays.
  const grid = experimentFor('el2n-grid').resolve(checkParams('el2n-grid', mnist(STEP.el2nGrid).input(fakeRun))) as { lrs: number[]; weightDecays: number[] };
  assert.deepEqual(grid.lrs, [0.2, 0.1, 0.05]);
  assert.deepEqual(grid.weightDecays, [1e-3, 5e-4, 1e-4]);
  // A prune sweep names the run of the step it needs.
  assert.equal(mnist(STEP.pruneGrandInit).input(fakeRun).scoresFrom, fakeRun(`mnist/${STEP.scoresInit}`));
  // Priority: the headline evidence of every dataset comes before anything else.
  assert.deepEqual(steps.slice(0, 6).map((s) => s.id), ['mnist/scores-early', 'mnist/scores-init', 'mnist/prune-el2n', 'fashion-mnist/scores-early', 'fashion-mnist/scores-init', 'fashion-mnist/prune-el2n']);
});

test('the plan is deterministic: the same config gives the same steps and parameters', () => {
  const text = (cfg: typeof FULL_STUDY) => planStudy(cfg).map((s) => `${s.id} ${stableJson(s.input(fakeRun))}`).join('\n');
  assert.equal(text(FULL_STUDY), text(FULL_STUDY));
  assert.notEqual(text(quickStudy()), text(FULL_STUDY));
});

test('window offsets leave out the given fractions of the hardest end, plus the easiest window', () => {
  assert.deepEqual(windowOffsets(0.4, [0, 0.01, 0.3]), [0, 0.3, 0.59, 0.6]);
  // Windows that do not fit are dropped; no offset is repeated.
  assert.deepEqual(windowOffsets(0.9, [0, 0.05, 0.2]), [0, 0.05, 0.1]);
  assert.deepEqual(windowOffsets(0.5, [0.5]), [0]);
});
