// The import wizards as data (Import Predictions / Import Scores): steps that pick a dataset and .npy files, and the
// engine job the answers turn into. Pure: the quick-pick UI (wizardUi.ts) and the tests drive the same steps.
import * as path from 'node:path';
import { LOCAL_EXECUTION } from '../contract/execution';
import { isReservedScoreName } from '../core/labelErrors/importedScores';
import { isScoreName } from '../core/store/scoreFiles';
import { datasetStep, type DatasetChoice, type JobRequest, type PickItem, type WizardStep } from './wizard';

export type ImportKind = 'predictions' | 'scores';

export interface ImportState {
  readonly kind: ImportKind;
  readonly dataset?: string;
  readonly datasetLabel?: string;
  /** Predictions: the N x classes .npy. */
  readonly probs?: string;
  readonly logits?: boolean;
  readonly inSample?: boolean;
  /** Predictions: the embeddings .npy; '' when the user chose none. */
  readonly embeddings?: string;
  /** Scores: the .npy files, each becoming the score named after it. */
  readonly scoreFiles?: readonly string[];
}

/** Picks .npy files in a file dialog (several when `many`); undefined when dismissed. */
export type NpyPicker = (title: string, many: boolean) => Promise<string[] | undefined>;

/** A .npy found in the workspace: its absolute path, and how it reads (relative to the workspace). */
export interface NpyCandidate {
  readonly file: string;
  readonly label: string;
}

const BROWSE = '';

function npyItems(found: readonly NpyCandidate[], picked?: string): PickItem<string>[] {
  return [
    ...found.map((c) => ({ label: `$(file-binary) ${c.label}`, value: c.file, picked: c.file === picked })),
    { label: '$(folder-opened) Browse for a .npy file\u2026', detail: 'saved with numpy: np.save(path, array)', value: BROWSE },
  ];
}

/** The wizard's steps: the dataset, then the files and what they hold. */
export function importSteps(kind: ImportKind, datasets: readonly PickItem<DatasetChoice>[], found: readonly NpyCandidate[], pickNpy: NpyPicker): WizardStep<unknown, ImportState>[] {
  const dataset = datasetStep<ImportState>(datasets, kind === 'predictions' ? 'The dataset whose examples the predictions follow, row by row' : 'The dataset whose examples the scores follow, row by row');
  const probs: WizardStep<string, ImportState> = {
    id: 'probs',
    title: 'Predictions file',
    placeholder: "N x classes .npy of your model's predictions, one row per example in the dataset's order",
    skip: (s) => s.kind !== 'predictions',
    items: (s) => npyItems(found, s.probs),
    apply: async (s, [file]) => {
      const chosen = file === BROWSE ? (await pickNpy('Predictions (.npy, N x classes)', false))?.[0] : file;
      return chosen ? { ...s, probs: chosen } : undefined;
    },
  };
  const values: WizardStep<boolean, ImportState> = {
    id: 'values',
    title: 'What the file holds',
    placeholder: 'Probabilities or logits?',
    skip: (s) => s.kind !== 'predictions',
    items: (s) => [
      { label: 'Probabilities', detail: 'softmax output: each row sums to 1', value: false, picked: !s.logits },
      { label: 'Logits', detail: 'scores before softmax: each row is softmaxed', value: true, picked: s.logits === true },
    ],
    apply: async (s, [logits]) => ({ ...s, logits }),
  };
  const sample: WizardStep<boolean, ImportState> = {
    id: 'sample',
    title: 'Where the predictions come from',
    placeholder: 'Did the model train on these examples?',
    skip: (s) => s.kind !== 'predictions',
    items: (s) => [
      { label: 'Out-of-sample', detail: 'the model never trained on these examples (cross-validation, a model trained elsewhere): confident learning finds the label issues', value: false, picked: !s.inSample },
      { label: 'In-sample', detail: 'the model trained on these examples: suspects use the threshold', value: true, picked: s.inSample === true },
    ],
    apply: async (s, [inSample]) => ({ ...s, inSample }),
  };
  const embeddings: WizardStep<string | undefined, ImportState> = {
    id: 'embeddings',
    title: 'Embeddings (optional)',
    placeholder: 'An N x D .npy of the same rows\u2019 embeddings, kept with the predictions',
    skip: (s) => s.kind !== 'predictions',
    items: (s) => [{ label: 'No embeddings', value: undefined, picked: !s.embeddings }, ...npyItems(found.filter((c) => c.file !== s.probs), s.embeddings)],
    apply: async (s, [file]) => {
      if (file === undefined) return { ...s, embeddings: '' };
      const chosen = file === BROWSE ? (await pickNpy('Embeddings (.npy, N x D)', false))?.[0] : file;
      return chosen ? { ...s, embeddings: chosen } : undefined;
    },
  };
  const scoreFiles: WizardStep<string, ImportState> = {
    id: 'scoreFiles',
    title: 'Score files',
    placeholder: 'One .npy per score, (N,) values in the dataset\u2019s order; each is named after its file (space to toggle, Enter to accept)',
    canPickMany: true,
    skip: (s) => s.kind !== 'scores',
    items: (s) => npyItems(found, undefined).map((i) => ({ ...i, picked: s.scoreFiles?.includes(i.value) })),
    apply: async (s, picked) => {
      const files = picked.filter((f) => f !== BROWSE);
      if (picked.includes(BROWSE)) {
        const more = await pickNpy('Scores (.npy, one value per example)', true);
        if (!more) return undefined;
        files.push(...more);
      }
      return files.length ? { ...s, scoreFiles: [...new Set(files)] } : undefined;
    },
  };
  return [dataset, probs, values, sample, embeddings, scoreFiles] as WizardStep<unknown, ImportState>[];
}

/** The score name a file gets: its base name made a valid, unreserved name that no earlier file took. */
export function scoreNameFor(file: string, taken: ReadonlySet<string>): string {
  let base = path.basename(file).replace(/\.npy$/i, '').replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'imported';
  if (!isScoreName(base)) base = `score_${base.replace(/^[.-]+/, '')}`;
  if (isReservedScoreName(base)) base = `my_${base}`;
  let name = base;
  for (let k = 2; taken.has(name); k++) name = `${base}_${k}`;
  return name;
}

/** The engine job for the answers: run locally (the files are on this machine), whatever the executor setting. */
export function importRequest(s: ImportState): JobRequest | undefined {
  if (!s.dataset) return undefined;
  const what = s.datasetLabel ?? s.dataset;
  if (s.kind === 'predictions') {
    if (!s.probs) return undefined;
    const params = { dataset: s.dataset, probs: s.probs, logits: s.logits === true, inSample: s.inSample === true, ...(s.embeddings ? { embeddings: s.embeddings } : {}) };
    return { job: 'import-predictions', params, title: `Importing ${path.basename(s.probs)} as predictions for ${what}`, execution: LOCAL_EXECUTION };
  }
  if (!s.scoreFiles?.length) return undefined;
  const taken = new Set<string>();
  const scores = s.scoreFiles.map((file) => {
    const name = scoreNameFor(file, taken);
    taken.add(name);
    return `${name}=${file}`;
  });
  return { job: 'import-scores', params: { dataset: s.dataset, scores }, title: `Importing ${[...taken].join(', ')} as scores for ${what}`, execution: LOCAL_EXECUTION };
}
