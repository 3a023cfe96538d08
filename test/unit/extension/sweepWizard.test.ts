import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunManifest } from '../../../src/core/store/runManifest';
import type { RunSummary } from '../../../src/core/store/runStore';
import { headline } from '../../../src/extension/runsModel';
import { detectionSummary, pruneSummary, windowSummary } from '../../../src/extension/resultSummary';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/extension/settings';
import {
  buildSweepRequest,
  scoreNamesOf,
  scoreRunItem,
  sweepSteps,
  usableScoreRuns,
  validateFractionList,
  windowOffsets,
  type SweepState,
} from '../../../src/extension/sweepWizard';
import { buildJobRequests, completeAnswers, type PickItem, type WizardStep, type WizardUi } from '../../../src/extension/wizard';

function scoreRun(patch: Partial<RunManifest> = {}): RunManifest {
  return {
    schema: 1,
    id: '20261201-040000-score-aa11',
    kind: 'score',
    status: 'done',
    createdAt: '2026-12-01T04:00:00Z',
    updatedAt: '2026-12-01T04:01:00Z',
    config: { dataset: 'mnist', model: 'linear', width: 1, epochs: 2, batchSize: 64, validation: 0, trainSubset: 2000, scores: ['el2n', 'grand'], runs: 2, scoreEpoch: 1, steps: 32, scheduleSteps: 64, backend: 'wasm', labelNoise: 0 },
    seeds: { first: 0, count: 2 },
    dataset: { spec: 'mnist', name: 'mnist/train', fingerprint: 'f', shape: [28, 28, 1], numClasses: 10, trainSize: 2000, valSize: 0, testSize: 10000 },
    versions: {},
    results: { runs: 2, examples: 2000, scores: ['el2n', 'grand'] },
    ...patch,
  } as RunManifest;
}
const summary = (m: RunManifest): RunSummary => ({ dir: `/ws/.datadiet/runs/${m.id}`, manifest: m }) as RunSummary;

const noUi: WizardUi = {
  browse: async () => assert.fail('no dialog expected'),
  askNumber: async () => assert.fail('no prompt expected'),
};

async function drive(steps: readonly WizardStep<unknown, SweepState>[], initial: SweepState, choose: Record<string, (items: readonly PickItem<unknown>[]) => unknown[]>, ui: WizardUi = noUi) {
  let s = initial;
  const seen: string[] = [];
  for (const step of steps) {
    if (step.skip?.(s)) continue;
    seen.push(step.id);
    const items = step.items(s).filter((i) => !i.separator);
    const picked = choose[step.id] ? choose[step.id](items) : step.canPickMany ? items.filter((i) => i.picked).map((i) => i.value) : [(items.find((i) => i.picked) ?? items[0]).value];
    const next = await step.apply(s, picked, ui);
    assert.ok(next, `step ${step.id} accepted`);
    s = next;
  }
  return { state: s, seen };
}

test('usable score runs: finished score runs with tables, or cancelled with partial scores; not training runs or failures', () => {
  const done = scoreRun();
  const partial = scoreRun({ id: 'p', status: 'cancelled', results: { partial: true, runs: 1, scores: ['el2n'] } });
  const cancelledEmpty = scoreRun({ id: 'c', status: 'cancelled', results: undefined });
  const failed = scoreRun({ id: 'f', status: 'failed' });
  const train = scoreRun({ id: 't', kind: 'train' });
  assert.deepEqual(usableScoreRuns([done, partial, cancelledEmpty, failed, train].map(summary)).map((m) => m.id), [done.id, 'p']);
  assert.deepEqual(scoreNamesOf(partial), ['el2n']);
  assert.deepEqual(scoreNamesOf(scoreRun({ results: undefined })), ['el2n', 'grand'], 'from the config when no results');
});

test('prune wizard: score run, score, default fractions and strategies, seeds -> a prune job reusing the run\u2019s split and schedule', async () => {
  const settings: Settings = { ...DEFAULT_SETTINGS, backend: 'wasm', runs: 2 };
  const m = scoreRun();
  const { state, seen } = await drive(sweepSteps('prune', [m], settings), { kind: 'prune' }, { score: (items) => [items.find((i) => i.label === 'grand')!.value] });
  assert.deepEqual(seen, ['scoreRun', 'score', 'fractions', 'strategies', 'seeds']);
  const req = buildSweepRequest(state, settings)!;
  assert.equal(req.job, 'prune');
  assert.deepEqual(req.params, {
    dataset: 'mnist', model: 'linear', width: 1, epochs: 2, batchSize: 64, validation: 0, trainSubset: 2000,
    backend: 'wasm', scoresFrom: m.id, score: 'grand', steps: 64, seeds: 2, fractions: [0.3, 0.5, 0.7], strategies: ['keep-top', 'random'],
    stem: 'cifar', // the score run recorded no stem: it was made before the option, with the CIFAR stem
  });
  assert.equal(req.title, 'Pruning mnist by grand: 30%, 50%, 70% \u00d7 keep-top, random (14 trainings with the full-data baseline)');
});

test('prune wizard: custom fractions through a text prompt (checked), sorted and de-duplicated; the quick-look steps setting wins', async () => {
  const settings: Settings = { ...DEFAULT_SETTINGS, steps: 20 };
  const m = scoreRun({ results: { runs: 2, scores: ['el2n'] } });
  const prompts: string[] = [];
  const ui: WizardUi = { ...noUi, askText: async (p, validate) => (prompts.push(p), assert.equal(validate('0.25, 1.5'), '"1.5" is not a fraction between 0 and 1'), '0.25 0.5') };
  const { state, seen } = await drive(sweepSteps('prune', [m], settings), { kind: 'prune' }, { fractions: (items) => [0.5, items[items.length - 1].value] }, ui);
  assert.deepEqual(seen, ['scoreRun', 'fractions', 'strategies', 'seeds'], 'one score table: no score step');
  assert.deepEqual(state.fractions, [0.25, 0.5]);
  assert.equal(prompts.length, 1);
  const req = buildSweepRequest(state, settings)!;
  assert.equal(req.params.steps, 20);
  assert.equal(req.params.score, 'el2n');
  assert.equal(validateFractionList(''), 'one or more fractions between 0 and 1, e.g. 0.3, 0.5, 0.7');
  assert.equal(validateFractionList('0.1,0.9'), undefined);
});

test('window wizard: size -> every 10% offset that fits; validation held out when the score run had none, kept when it had some', async () => {
  assert.deepEqual(windowOffsets(0.4), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
  assert.deepEqual(windowOffsets(0.6), [0, 0.1, 0.2, 0.3, 0.4]);
  const settings: Settings = { ...DEFAULT_SETTINGS, backend: 'cpu' };
  const m = scoreRun();
  const { state, seen } = await drive(sweepSteps('window', [m], settings), { kind: 'window' }, {});
  assert.deepEqual(seen, ['scoreRun', 'score', 'size', 'seeds']);
  const req = buildSweepRequest(state, settings)!;
  assert.equal(req.job, 'window');
  assert.equal(req.params.validation, 0.1);
  assert.equal(req.params.size, 0.4);
  assert.deepEqual(req.params.offsets, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
  assert.equal(req.params.seeds, 2);
  assert.equal(req.title, 'Sliding window over mnist by el2n: keep 40% at 7 offsets (14 trainings)');
  const withVal = buildSweepRequest({ kind: 'window', scoreRun: scoreRun({ config: { ...m.config, validation: 0.2 } }) }, settings)!;
  assert.equal(withVal.params.validation, 0.2);
  assert.equal(buildSweepRequest({ kind: 'window' }, settings), undefined);
});

test('result summaries: prune (largest fraction, best first), window (best offset), noise detection (AUROC per score)', () => {
  const prune = scoreRun({ kind: 'prune', results: { summary: [
    { strategy: 'keep-top', fractionPruned: 0.3, mean: 0.9 },
    { strategy: 'keep-top', fractionPruned: 0.7, mean: 0.8 },
    { strategy: 'random', fractionPruned: 0.7, mean: 0.85 },
  ] } });
  assert.equal(pruneSummary(prune), 'at 70% pruned: random 85.0%, keep-top 80.0%');
  assert.equal(headline(prune), 'at 70% pruned: random 85.0%, keep-top 80.0%');
  const win = scoreRun({ kind: 'window', results: { best: { offset: 600, offsetFraction: 0.3, testAccuracy: 0.9712 } } });
  assert.equal(windowSummary(win), 'best window at offset 30%: 97.1% test');
  const noisy = scoreRun({ results: { runs: 2, scores: ['el2n', 'grand'], detection: { el2n: { auroc: 0.9312 }, grand: { auroc: 0.8 } } } });
  assert.equal(detectionSummary(noisy), 'noisy-label AUROC: el2n 0.931, grand 0.800');
  assert.equal(headline(noisy), 'el2n, grand \u00b7 2 runs \u00b7 noisy-label AUROC: el2n 0.931, grand 0.800');
  assert.equal(detectionSummary(scoreRun()), undefined);
  assert.equal(pruneSummary(scoreRun({ kind: 'prune', results: {} })), undefined);
});

test('window sweeps start only from score runs whose split they can reuse: validation held out, or no subset', () => {
  const subsetNoVal = scoreRun({ id: 'a' });
  const subsetVal = scoreRun({ id: 'b', config: { ...scoreRun().config, validation: 0.1 } });
  const wholeNoVal = scoreRun({ id: 'c', config: { ...scoreRun().config, trainSubset: undefined } });
  const runs = [subsetNoVal, subsetVal, wholeNoVal].map(summary);
  assert.deepEqual(usableScoreRuns(runs, 'window').map((m) => m.id), ['b', 'c']);
  assert.deepEqual(usableScoreRuns(runs, 'prune').map((m) => m.id), ['a', 'b', 'c']);
  assert.match(scoreRunItem(subsetVal).detail!, /10% held out for validation/);
});

test('Compute Scores with a preset validation fraction passes it to the score job', () => {
  const a = completeAnswers({ goal: 'score', dataset: 'mnist', validation: 0.1 }, DEFAULT_SETTINGS)!;
  assert.equal(buildJobRequests(a, DEFAULT_SETTINGS)[0].params.validation, 0.1);
  assert.equal('validation' in buildJobRequests(completeAnswers({ goal: 'score', dataset: 'mnist' }, DEFAULT_SETTINGS)!, DEFAULT_SETTINGS)[0].params, false);
});
