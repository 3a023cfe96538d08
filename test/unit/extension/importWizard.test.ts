import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importRequest, importSteps, scoreNameFor, type ImportState, type NpyPicker } from '../../../src/extension/importWizard';
import { datasetItems, type PickItem, type WizardStep, type WizardUi } from '../../../src/extension/wizard';
import { headline, modelName, runDetails } from '../../../src/extension/runsModel';
import type { RunManifest } from '../../../src/contract/runManifest';

const ui: WizardUi = {
  browse: async (kind) => (kind === 'file' ? '/data/labels.csv' : '/data/pets'),
  askNumber: async () => undefined,
};

/** Drives the steps as the quick pick does: `choose[id]` picks items by label, else the preselected (or first) one. */
async function drive(steps: readonly WizardStep<unknown, ImportState>[], initial: ImportState, choose: Record<string, RegExp[]>): Promise<{ state: ImportState; seen: string[] }> {
  let s = initial;
  const seen: string[] = [];
  for (const step of steps) {
    if (step.skip?.(s)) continue;
    seen.push(step.id);
    const items = step.items(s).filter((i) => !i.separator) as PickItem<unknown>[];
    const picked = choose[step.id] ? choose[step.id].map((re) => items.find((i) => re.test(i.label))!) : [items.find((i) => i.picked) ?? items[0]];
    const next = await step.apply(s, picked.map((p) => p.value), ui);
    assert.ok(next, `step ${step.id} accepted`);
    s = next;
  }
  return { state: s, seen };
}

const found = [
  { file: '/w/out/probs.npy', label: 'out/probs.npy' },
  { file: '/w/out/emb.npy', label: 'out/emb.npy' },
];

test('import predictions: dataset, a workspace .npy, logits, out-of-sample by default, embeddings; run locally', async () => {
  const asked: string[] = [];
  const pick: NpyPicker = async (title) => (asked.push(title), ['/elsewhere/e.npy']);
  const steps = importSteps('predictions', datasetItems([], false), found, pick);
  const { state, seen } = await drive(steps, { kind: 'predictions' }, { dataset: [/MNIST$/], probs: [/out\/probs\.npy/], values: [/Logits/], embeddings: [/Browse/] });
  assert.deepEqual(seen, ['dataset', 'probs', 'values', 'sample', 'embeddings']);
  assert.deepEqual(asked, ['Embeddings (.npy, N x D)']);
  const req = importRequest(state)!;
  assert.equal(req.job, 'import-predictions');
  assert.deepEqual(req.params, { dataset: 'mnist', probs: '/w/out/probs.npy', logits: true, inSample: false, embeddings: '/elsewhere/e.npy' });
  assert.deepEqual(req.execution, { executor: 'local', parallel: 1 });
  // The embeddings step does not offer the predictions file itself.
  const emb = steps.find((s) => s.id === 'embeddings')!.items({ kind: 'predictions', probs: '/w/out/probs.npy' });
  assert.ok(!emb.some((i) => i.value === '/w/out/probs.npy'));
  // A dismissed file dialog stays on its step.
  const none = importSteps('predictions', [], [], async () => undefined).find((s) => s.id === 'probs')!;
  assert.equal(await none.apply({ kind: 'predictions' }, [''], ui), undefined);
});

test('import scores: several files, each named after its file (made valid, unreserved and distinct)', async () => {
  const steps = importSteps('scores', datasetItems([], false), [{ file: '/w/el2n.npy', label: 'el2n.npy' }], async () => ['/x/my scores (1).npy', '/y/el2n.npy', '/z/score.npy']);
  const { state, seen } = await drive(steps, { kind: 'scores' }, { dataset: [/Browse for a CSV/], scoreFiles: [/el2n\.npy/, /Browse/] });
  assert.deepEqual(seen, ['dataset', 'scoreFiles']);
  const req = importRequest(state)!;
  assert.equal(req.job, 'import-scores');
  assert.deepEqual(req.params, { dataset: 'csv:/data/labels.csv', scores: ['el2n=/w/el2n.npy', 'my_scores_1=/x/my scores (1).npy', 'el2n_2=/y/el2n.npy', 'my_score=/z/score.npy'] });
  assert.equal(scoreNameFor('/a/.hidden.npy', new Set()), 'score_hidden');
  assert.equal(scoreNameFor('/a/(1).npy', new Set()), '1');
  assert.equal(scoreNameFor('/a/ .npy', new Set()), 'imported');
  assert.equal(importRequest({ kind: 'scores', dataset: 'mnist' }), undefined, 'no files, no job');
});

test('runs view: an imported run names its import and its files where a score run names its model and training', () => {
  const m = {
    id: 'r',
    kind: 'score',
    status: 'done',
    createdAt: '2026-01-01T00:00:00Z',
    config: { dataset: 'mnist', name: 'resnet', imported: { probs: { file: '/w/p.npy', sha256: 'ab'.repeat(32) }, rows: 'the training split' } },
    results: { examples: 60000, labelIssues: 1234, suspectMethod: 'confident-learning' },
  } as unknown as RunManifest;
  assert.equal(modelName(m), 'imported predictions (resnet)');
  assert.equal(headline(m), '1,234 label issues in 60,000 predictions (confident learning)');
  const rows = runDetails({ dir: '/r', manifest: m });
  assert.ok(rows.some((r) => r.label === 'probs' && r.description === 'p.npy'));
  assert.ok(!rows.some((r) => r.label === 'training'));
});
