import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/extension/settings';
import {
  buildJobRequests,
  completeAnswers,
  datasetCandidatesFromFiles,
  datasetItems,
  datasetSpecFromPath,
  experimentSteps,
  rerunRequest,
  scoreEpochFor,
  scoreSchedule,
  validateEpochs,
  validateNoise,
  validateFolds,
  validateRuns,
  visibleSteps,
  type PickItem,
  type WizardState,
  type WizardStep,
  type WizardUi,
} from '../../../src/extension/wizard';

/** Drives the steps as the quick-pick UI does: `choose` picks items (by label) for each step id. */
async function drive(steps: readonly WizardStep[], initial: WizardState, choose: Record<string, (items: readonly PickItem<unknown>[]) => PickItem<unknown>[]>, ui: WizardUi) {
  let s = initial;
  const seen: string[] = [];
  for (const step of steps) {
    if (step.skip?.(s)) continue;
    seen.push(step.id);
    const items = step.items(s).filter((i) => !i.separator);
    const picked = choose[step.id] ? choose[step.id](items) : [items.find((i) => i.picked) ?? items[0]];
    const next = await step.apply(s, picked.map((p) => p.value), ui);
    assert.ok(next, `step ${step.id} accepted`);
    s = next;
  }
  return { state: s, seen };
}

const byLabel = (re: RegExp) => (items: readonly PickItem<unknown>[]) => {
  const it = items.find((i) => re.test(i.label));
  assert.ok(it, `an item matches ${re}: ${items.map((i) => i.label).join(' | ')}`);
  return [it];
};

const noUi: WizardUi = {
  browse: async () => assert.fail('no dialog expected'),
  askNumber: async () => assert.fail('no prompt expected'),
};

test('wizard: train on bundled MNIST with defaults, then the job request', async () => {
  const settings: Settings = { ...DEFAULT_SETTINGS, backend: 'wasm' };
  const steps = experimentSteps(settings, datasetItems([], false));
  const { state, seen } = await drive(steps, { goal: 'train' }, { dataset: byLabel(/MNIST$/), model: byLabel(/^linear$/), epochs: byLabel(/^1 epoch$/) }, noUi);
  assert.deepEqual(seen, ['goal', 'dataset', 'model', 'epochs', 'runs'], 'no scores step when training');
  const a = completeAnswers(state, settings)!;
  assert.deepEqual(a, { goal: 'train', dataset: 'mnist', datasetLabel: 'MNIST', model: 'linear', epochs: 1, runs: 1, scores: undefined });
  const reqs = buildJobRequests(a, settings);
  assert.equal(reqs.length, 1);
  assert.equal(reqs[0].job, 'train');
  assert.deepEqual(reqs[0].params, { dataset: 'mnist', model: 'linear', width: 1, stem: 'auto', epochs: 1, batchSize: 128, backend: 'wasm', seed: 0 });
  assert.equal(reqs[0].title, 'Training linear on MNIST (1 epoch)');
});

test('wizard: defaults come from settings and are preselected', () => {
  const settings: Settings = { ...DEFAULT_SETTINGS, model: 'resnet18', runs: 4 };
  const steps = experimentSteps(settings, datasetItems([], true));
  const model = steps.find((s) => s.id === 'model')!;
  const picked = model.items({ goal: 'train' }).filter((i) => i.picked);
  assert.deepEqual(picked.map((i) => i.label), ['resnet18']);
  const runs = steps.find((s) => s.id === 'runs')!;
  assert.equal(runs.items({ goal: 'score' }).find((i) => i.picked)?.value, 4, 'score runs default to the runs setting');
  assert.equal(runs.items({ goal: 'train' }).find((i) => i.picked)?.value, 1, 'training defaults to one run');
  assert.equal(steps.find((s) => s.id === 'epochs')!.items({ goal: 'train' }).find((i) => i.picked)?.value, 2);
});

test('wizard: scoring with K runs and custom epochs; the quick-look settings reach the request', async () => {
  const settings: Settings = { ...DEFAULT_SETTINGS, trainSubset: 2000, steps: 40, width: 0.5 };
  const ui: WizardUi = { browse: noUi.browse, askNumber: async (_p, validate) => (assert.equal(validate('0'), validateEpochs('0')), 20) };
  const steps = experimentSteps(settings, datasetItems([], true));
  const { state, seen } = await drive(
    steps,
    { goal: 'train' },
    {
      goal: byLabel(/Score every/),
      dataset: byLabel(/Fashion-MNIST/),
      scores: (items) => items.filter((i) => ['el2n', 'forgetting'].includes(i.label)),
      epochs: byLabel(/Other/),
      runs: byLabel(/^3 runs/),
    },
    ui,
  );
  assert.deepEqual(seen, ['goal', 'dataset', 'model', 'scores', 'epochs', 'runs']);
  const reqs = buildJobRequests(completeAnswers(state, settings)!, settings);
  assert.equal(reqs.length, 1);
  assert.equal(reqs[0].job, 'score');
  assert.deepEqual(reqs[0].params, {
    dataset: 'fashion-mnist',
    model: 'cnn-small',
    width: 0.5,
    stem: 'auto',
    epochs: 20,
    batchSize: 128,
    backend: 'auto',
    trainSubset: 2000,
    scores: ['el2n', 'forgetting'],
    runs: 3,
    scoreEpoch: 20,
    steps: 40,
  });
  assert.match(reqs[0].title, /^Scoring Fashion-MNIST: el2n, forgetting \(cnn-small, 3 runs\)$/);
});

test('wizard: K training runs become K jobs with seeds 0..K-1', () => {
  const reqs = buildJobRequests({ goal: 'train', dataset: 'mnist', model: 'cnn-small', epochs: 2, runs: 3 }, DEFAULT_SETTINGS);
  assert.deepEqual(reqs.map((r) => r.params.seed), [0, 1, 2]);
  assert.deepEqual(reqs.map((r) => r.title.replace(/.*\u2014 /, '')), ['run 1/3', 'run 2/3', 'run 3/3']);
  assert.ok(reqs.every((r) => !('steps' in r.params) && !('trainSubset' in r.params)));
});

test('wizard: browsing a folder or a manifest; a dismissed dialog stays on the step; back to an earlier state', async () => {
  const steps = experimentSteps(DEFAULT_SETTINGS, datasetItems([], true));
  const dataset = steps.find((s) => s.id === 'dataset')!;
  const items = dataset.items({ goal: 'train' }).filter((i) => !i.separator);
  const folder = items.find((i) => /Browse for a folder/.test(i.label))!.value;
  const file = items.find((i) => /CSV or JSONL/.test(i.label))!.value;
  const ui = (p: string | undefined): WizardUi => ({ browse: async () => p, askNumber: noUi.askNumber });
  assert.deepEqual(await dataset.apply({ goal: 'train' }, [folder], ui('/data/pets')), { goal: 'train', dataset: '/data/pets', datasetLabel: 'pets' });
  assert.deepEqual(await dataset.apply({ goal: 'train' }, [file], ui('/data/l.csv')), { goal: 'train', dataset: 'csv:/data/l.csv', datasetLabel: 'l.csv' });
  assert.equal(await dataset.apply({ goal: 'train' }, [folder], ui(undefined)), undefined);
  assert.equal(await steps.find((s) => s.id === 'scores')!.apply({ goal: 'score' }, [], noUi), undefined, 'no score picked: stay');
  assert.deepEqual(visibleSteps(steps, { goal: 'score' }).map((s) => s.id), ['goal', 'dataset', 'model', 'scores', 'epochs', 'runs']);
});

test('dataset items: bundled first, Fashion-MNIST says how to install it, workspace candidates, browse entries', () => {
  const items = datasetItems([{ spec: 'csv:/w/labels.csv', label: 'labels.csv', kind: 'CSV manifest' }], false);
  assert.equal(items[0].label, '$(database) MNIST');
  assert.match(items[1].detail!, /apt-get install dataset-fashion-mnist/);
  assert.ok(items.some((i) => i.separator && i.label === 'In this workspace'));
  assert.ok(items.some((i) => !i.separator && i.value.kind === 'spec' && i.value.spec === 'csv:/w/labels.csv'));
  assert.equal(datasetItems([], true).filter((i) => i.separator).length, 1);
});

test('dataset candidates from workspace files: one per source, relative labels, kinds', () => {
  const ws = '/w';
  const files = ['/w/data/mnist/train-images-idx3-ubyte.gz', '/w/data/mnist/t10k-images-idx3-ubyte.gz', '/w/cifar/data_batch_1.bin', '/w/c100/train.bin', '/w/pets/labels.csv', '/w/x.jsonl', '/other/a.csv'];
  const c = datasetCandidatesFromFiles(files, ws);
  assert.deepEqual(
    c.map((x) => [x.spec, x.label, x.kind]),
    [
      ['csv:/other/a.csv', '/other/a.csv', 'CSV manifest'],
      ['cifar100:/w/c100', 'c100', 'CIFAR-100 batches'],
      ['cifar10:/w/cifar', 'cifar', 'CIFAR-10 batches'],
      ['idx:/w/data/mnist', 'data/mnist', 'IDX files'],
      ['csv:/w/pets/labels.csv', 'pets/labels.csv', 'CSV manifest'],
      ['jsonl:/w/x.jsonl', 'x.jsonl', 'JSONL manifest'],
    ],
  );
  assert.equal(datasetCandidatesFromFiles(Array.from({ length: 50 }, (_, i) => `/w/${i}.csv`), ws, 5).length, 5);
});

test('dataset spec from a browsed path', () => {
  assert.equal(datasetSpecFromPath('/d/imgs', true), '/d/imgs');
  assert.equal(datasetSpecFromPath('/d/m.CSV', false), 'csv:/d/m.CSV');
  assert.equal(datasetSpecFromPath('/d/m.ndjson', false), 'jsonl:/d/m.ndjson');
  assert.equal(datasetSpecFromPath('/d/other.bin', false), '/d/other.bin');
});

test('number validation and the score epoch (10% of training, all of it for dynamics scores)', () => {
  assert.equal(validateEpochs('2'), undefined);
  assert.equal(validateEpochs('0.5'), undefined);
  assert.ok(validateEpochs('0'));
  assert.ok(validateEpochs('abc'));
  assert.ok(validateEpochs(''));
  assert.equal(validateRuns('3'), undefined);
  assert.ok(validateRuns('1.5'));
  assert.ok(validateRuns('0'));
  assert.equal(scoreEpochFor(2, ['el2n']), 1);
  assert.equal(scoreEpochFor(200, ['el2n', 'grand']), 20);
  assert.equal(scoreEpochFor(200, ['el2n', 'forgetting']), 200);
  assert.equal(scoreEpochFor(0.5, ['el2n']), 1);
  // The wizard says so before the run starts, on each epochs choice.
  assert.equal(scoreSchedule(10, ['el2n', 'grand']), 'scores at epoch 1 of a 10-epoch schedule (early, as the papers do), then stops');
  assert.equal(scoreSchedule(10, ['el2n', 'forgetting']), 'trains 10 epochs; scores at the end');
  assert.equal(scoreSchedule(1, ['el2n']), 'trains 1 epoch; scores at the end');
  const epochs = experimentSteps(DEFAULT_SETTINGS, datasetItems([], false)).find((s) => s.id === 'epochs')!;
  const items = epochs.items({ goal: 'score', scores: ['el2n'] });
  assert.equal(items.find((i) => i.label === '10 epochs')?.detail, 'scores at epoch 1 of a 10-epoch schedule (early, as the papers do), then stops');
  assert.equal(items.find((i) => i.label === '1 epoch')?.detail, 'trains 1 epoch; scores at the end');
  assert.equal(epochs.items({ goal: 'train' }).find((i) => i.label === '10 epochs')?.detail, undefined);
});

test('rerun: same job kind and config; score runs get their schedule budget back as steps', () => {
  // Configurations recorded before the stem option get the CIFAR stem they were built with.
  const t = rerunRequest('train', { dataset: 'mnist', model: 'linear', steps: 40, seed: 3 }, 'mnist · linear');
  assert.deepEqual(t, { job: 'train', params: { dataset: 'mnist', model: 'linear', steps: 40, seed: 3, stem: 'cifar' }, title: 'Rerunning mnist · linear' });
  const s = rerunRequest('score', { dataset: 'mnist', steps: 47, scheduleSteps: 94, scores: ['el2n'], stem: 'imagenet' }, 'x');
  assert.deepEqual(s!.params, { dataset: 'mnist', steps: 94, scores: ['el2n'], stem: 'imagenet' });
  assert.equal(rerunRequest('prune', { dataset: 'mnist' }, 'x'), undefined);
  assert.equal(rerunRequest('train', {}, 'x'), undefined);
});

test('wizard: a label-noise study asks for the noise fraction and becomes a score job with labelNoise', async () => {
  const settings: Settings = { ...DEFAULT_SETTINGS, backend: 'wasm', runs: 2 };
  const steps = experimentSteps(settings, datasetItems([], false)).filter((s) => s.id !== 'goal');
  const { state, seen } = await drive(steps, { goal: 'noise' }, { dataset: byLabel(/MNIST$/), model: byLabel(/^linear$/), noise: byLabel(/^30% noisy labels$/) }, noUi);
  assert.deepEqual(seen, ['dataset', 'model', 'noise', 'scores', 'epochs', 'runs']);
  const a = completeAnswers(state, settings)!;
  assert.equal(a.labelNoise, 0.3);
  assert.equal(a.runs, 2);
  const [req] = buildJobRequests(a, settings);
  assert.equal(req.job, 'score');
  assert.equal(req.params.labelNoise, 0.3);
  assert.deepEqual(req.params.scores, ['el2n'], 'the first preselected score (drive() picks one item)');
  assert.equal(req.title, 'Label-noise study on MNIST: 30% noisy, el2n at epoch 1 of 2 (linear, 2 runs)');
  assert.equal(completeAnswers({ goal: 'noise', dataset: 'mnist' }, settings)!.labelNoise, 0.2, 'default 20%');
  assert.equal('labelNoise' in completeAnswers({ goal: 'score', dataset: 'mnist' }, settings)!, false);
  assert.equal(validateNoise('1'), 'a fraction between 0 and 1, e.g. 0.2');
  assert.equal(validateNoise('0.4'), undefined);
});

test('wizard: with datadiet.backbone only heads are offered (linear preselected) and the image settings reach the job', () => {
  const settings: Settings = { ...DEFAULT_SETTINGS, model: 'resnet18', backbone: '/models/mobilenet', imageSize: 96, resize: 'pad' };
  const steps = experimentSteps(settings, datasetItems([], true));
  const model = steps.find((s) => s.id === 'model')!;
  const items = model.items({ goal: 'score' });
  assert.deepEqual(items.map((i) => i.label), ['linear', 'mlp']);
  assert.deepEqual(items.filter((i) => i.picked).map((i) => i.label), ['linear']);
  const a = completeAnswers({ goal: 'score', dataset: 'folder:/photos' }, settings)!;
  assert.equal(a.model, 'linear');
  const [req] = buildJobRequests(a, settings);
  assert.equal(req.params.backbone, '/models/mobilenet');
  assert.equal(req.params.imageSize, 96);
  assert.equal(req.params.resize, 'pad');
  const plain = buildJobRequests(completeAnswers({ goal: 'score', dataset: 'mnist' }, DEFAULT_SETTINGS)!, DEFAULT_SETTINGS)[0];
  assert.ok(!('backbone' in plain.params) && !('imageSize' in plain.params));
});

test('wizard: finding label errors asks for the folds and becomes one audit job, without a validation split', async () => {
  const settings: Settings = { ...DEFAULT_SETTINGS, backend: 'wasm', trainSubset: 2000 };
  const steps = experimentSteps(settings, datasetItems([], false));
  const { state, seen } = await drive(steps, { goal: 'train' }, { goal: byLabel(/Find label errors/), dataset: byLabel(/MNIST$/), model: byLabel(/^linear$/), epochs: byLabel(/^2 epochs$/), folds: byLabel(/^10 folds/) }, noUi);
  assert.deepEqual(seen, ['goal', 'dataset', 'model', 'epochs', 'folds'], 'no scores, runs or noise steps');
  const a = completeAnswers({ ...state, validation: 0.1 }, settings)!;
  assert.equal(a.folds, 10);
  assert.equal(a.scores, undefined);
  const [req, ...more] = buildJobRequests(a, settings);
  assert.equal(more.length, 0);
  assert.equal(req.job, 'audit');
  assert.equal(req.params.folds, 10);
  assert.equal(req.params.trainSubset, 2000);
  assert.equal('validation' in req.params, false, 'every example is predicted by a fold model that never saw it');
  assert.equal(req.title, 'Auditing the labels of MNIST: 10 folds (linear, 2 epochs each)');
  assert.equal(completeAnswers({ goal: 'audit', dataset: 'mnist' }, settings)!.folds, 5, 'default 5 folds');
  assert.equal(validateFolds('1'), 'a whole number of folds, at least 2');
  assert.equal(validateFolds('3'), undefined);
  const rerun = rerunRequest('audit', { dataset: 'mnist', folds: 3, validation: 0, auditedRows: 70000 }, 'x');
  assert.deepEqual(rerun?.params, { dataset: 'mnist', folds: 3, stem: 'cifar' }, 'an audit reruns with its own parameters only');
});
