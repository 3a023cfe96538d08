// The new-experiment wizard as data: steps with items and what picking one does, and the job requests the answers
// turn into. Pure: the quick-pick UI (wizardUi.ts) and the tests drive the same steps.
import type { ExecutionRequest } from '../contract/execution';
import { paramsOf } from '../contract/jobOptions';
import * as path from 'node:path';
import type { JobName } from '../contract/jobNames';
import type { ScoreName } from '../contract/choices';
import { configStem } from '../contract/runManifest';
import type { Architecture } from '../core/models/model';
import { HEAD_ARCHITECTURES } from '../contract/choices';
import { ARCHITECTURE_CHOICES, SCORE_DYNAMICS, SCORE_OPTIONS } from './choices';
import { plural } from './format';
import type { Settings } from './settings';

/**
 * 'noise': a label-noise study, a score job with injected label noise that reports how well each score finds it.
 * 'audit': the cross-validated label audit (out-of-sample probabilities, confident learning).
 */
export type Goal = 'train' | 'score' | 'noise' | 'audit';

export interface WizardState {
  readonly goal: Goal;
  readonly dataset?: string;
  /** How the dataset reads in titles ("MNIST", "data/pets.csv"). */
  readonly datasetLabel?: string;
  readonly model?: Architecture;
  readonly epochs?: number;
  readonly runs?: number;
  readonly scores?: readonly ScoreName[];
  /** Noise study: fraction of the training labels permuted. */
  readonly labelNoise?: number;
  /** Fraction of the training split held out for validation (score runs a window sweep starts from need one). */
  readonly validation?: number;
  /** Audit: cross-validation folds. */
  readonly folds?: number;
}

export interface PickItem<T> {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  readonly value: T;
  readonly picked?: boolean;
  /** Drawn as a separator line (value ignored). */
  readonly separator?: boolean;
}

/** What the steps need from the UI beyond a quick pick: file dialogs and number prompts. */
export interface WizardUi {
  browse(kind: 'folder' | 'file'): Promise<string | undefined>;
  askNumber(prompt: string, validate: (text: string) => string | undefined): Promise<number | undefined>;
  askText?(prompt: string, validate: (text: string) => string | undefined): Promise<string | undefined>;
}

export interface WizardStep<V = unknown, S = WizardState> {
  readonly id: string;
  readonly title: string;
  readonly placeholder: string;
  readonly canPickMany?: boolean;
  skip?(s: S): boolean;
  items(s: S): readonly PickItem<V>[];
  /** The next state, or undefined to stay on this step (a dialog was dismissed). */
  apply(s: S, picked: readonly V[], ui: WizardUi): Promise<S | undefined>;
}

// ---------------------------------------------------------------------------------------------------- datasets

export type DatasetChoice =
  | { readonly kind: 'spec'; readonly spec: string; readonly label: string }
  | { readonly kind: 'browse'; readonly what: 'folder' | 'file' };

export interface DatasetCandidate {
  readonly spec: string;
  /** Relative to the workspace folder where possible. */
  readonly label: string;
  readonly kind: string;
}

/** Dataset candidates from files found in the workspace (IDX, CIFAR batches, CSV/JSONL manifests), one per source. */
export function datasetCandidatesFromFiles(files: readonly string[], workspaceRoot: string | undefined, limit = 20): DatasetCandidate[] {
  const out = new Map<string, DatasetCandidate>();
  const rel = (p: string) => (workspaceRoot && !path.relative(workspaceRoot, p).startsWith('..') ? path.relative(workspaceRoot, p) || '.' : p);
  for (const f of [...files].sort()) {
    const base = path.basename(f).toLowerCase();
    const dir = path.dirname(f);
    let c: DatasetCandidate | undefined;
    if (/idx[0-9]-ubyte(\.gz)?$/.test(base)) c = { spec: `idx:${dir}`, label: rel(dir), kind: 'IDX files' };
    else if (base === 'data_batch_1.bin') c = { spec: `cifar10:${dir}`, label: rel(dir), kind: 'CIFAR-10 batches' };
    else if (base === 'train.bin') c = { spec: `cifar100:${dir}`, label: rel(dir), kind: 'CIFAR-100 batches' };
    else if (base.endsWith('.csv')) c = { spec: `csv:${f}`, label: rel(f), kind: 'CSV manifest' };
    else if (base.endsWith('.jsonl') || base.endsWith('.ndjson')) c = { spec: `jsonl:${f}`, label: rel(f), kind: 'JSONL manifest' };
    if (c && !out.has(c.spec)) out.set(c.spec, c);
    if (out.size >= limit) break;
  }
  return [...out.values()];
}

/** The dataset spec for a browsed path: manifests by extension, folders auto-detected by the engine. */
export function datasetSpecFromPath(p: string, isDirectory: boolean): string {
  if (isDirectory) return p;
  const ext = path.extname(p).toLowerCase();
  if (ext === '.csv') return `csv:${p}`;
  if (ext === '.jsonl' || ext === '.ndjson') return `jsonl:${p}`;
  return p;
}

export function datasetItems(candidates: readonly DatasetCandidate[], fashionMnistInstalled: boolean): PickItem<DatasetChoice>[] {
  const items: PickItem<DatasetChoice>[] = [
    {
      label: '$(database) MNIST',
      description: 'bundled',
      detail: '60,000 training and 10,000 test handwritten digits, 28x28 grey',
      value: { kind: 'spec', spec: 'mnist', label: 'MNIST' },
    },
    {
      label: '$(database) Fashion-MNIST',
      description: fashionMnistInstalled ? 'Debian dataset-fashion-mnist' : 'not installed',
      detail: fashionMnistInstalled
        ? '60,000 training and 10,000 test clothing images, 28x28 grey'
        : 'needs the Debian package: sudo apt-get install dataset-fashion-mnist',
      value: { kind: 'spec', spec: 'fashion-mnist', label: 'Fashion-MNIST' },
    },
  ];
  if (candidates.length) {
    items.push({ label: 'In this workspace', separator: true, value: { kind: 'browse', what: 'folder' } });
    for (const c of candidates) items.push({ label: `$(file-directory) ${c.label}`, description: c.kind, value: { kind: 'spec', spec: c.spec, label: c.label } });
  }
  items.push({ label: 'Elsewhere', separator: true, value: { kind: 'browse', what: 'folder' } });
  items.push({
    label: '$(folder-opened) Browse for a folder\u2026',
    detail: 'class sub-folders of images, IDX files, or CIFAR binary batches',
    value: { kind: 'browse', what: 'folder' },
  });
  items.push({ label: '$(file) Browse for a CSV or JSONL manifest\u2026', detail: 'lines of path,label', value: { kind: 'browse', what: 'file' } });
  return items;
}

// ---------------------------------------------------------------------------------------------------- numbers

export function validateEpochs(text: string): string | undefined {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) return 'a positive number of epochs, e.g. 2 or 0.5';
  if (n > 10_000) return 'at most 10,000 epochs';
  return undefined;
}

export function validateRuns(text: string): string | undefined {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(n) || n < 1) return 'a whole number of runs, at least 1';
  if (n > 100) return 'at most 100 runs';
  return undefined;
}

/** Epoch at which pointwise scores are taken: 10% of training as in the paper (at least 1); dynamics need it all. */
const DEFAULT_SCORES: readonly ScoreName[] = ['el2n', 'grand'];

export function scoreEpochFor(epochs: number, scores: readonly ScoreName[]): number {
  const whole = Math.max(1, Math.floor(epochs));
  if (scores.some((s) => SCORE_DYNAMICS.includes(s))) return whole;
  return Math.min(whole, Math.max(1, Math.ceil(epochs / 10)));
}

/**
 * What a score run with this schedule does, said before it starts: pointwise scores are taken early (training stops
 * at the score epoch), dynamics scores need the whole schedule.
 */
export function scoreSchedule(epochs: number, scores: readonly ScoreName[]): string {
  const at = scoreEpochFor(epochs, scores);
  if (at >= epochs) return `trains ${plural(epochs, 'epoch')}; scores at the end`;
  return `scores at epoch ${at} of a ${epochs.toLocaleString('en-US')}-epoch schedule (early, as the papers do), then stops`;
}

export const DEFAULT_LABEL_NOISE = 0.2;

/** Folds of an audit unless picked (cleanlab's default). */
export const DEFAULT_FOLDS = 5;

export function validateFolds(text: string): string | undefined {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(n) || n < 2) return 'a whole number of folds, at least 2';
  if (n > 100) return 'at most 100 folds';
  return undefined;
}

export function validateNoise(text: string): string | undefined {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) return 'a fraction between 0 and 1, e.g. 0.2';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------- steps

const CUSTOM = -1;

function numberItems(values: readonly number[], current: number | undefined, unit: (n: number) => string, detail?: (n: number) => string): PickItem<number>[] {
  const list = current !== undefined && !values.includes(current) ? [...values, current].sort((a, b) => a - b) : values;
  return [
    ...list.map((n) => ({ label: unit(n), description: n === current ? 'default' : undefined, detail: detail?.(n), value: n, picked: n === current })),
    { label: '$(edit) Other\u2026', value: CUSTOM },
  ];
}

/** The dataset step of any wizard whose state names a dataset: a listed one, or a browsed folder or manifest. */
export function datasetStep<S extends { readonly dataset?: string; readonly datasetLabel?: string }>(datasets: readonly PickItem<DatasetChoice>[], placeholder = 'Pick a dataset'): WizardStep<DatasetChoice, S> {
  return {
    id: 'dataset',
    title: 'Dataset',
    placeholder,
    items: () => datasets,
    apply: async (s, [d], ui) => {
      if (d.kind === 'spec') return { ...s, dataset: d.spec, datasetLabel: d.label };
      const p = await ui.browse(d.what);
      if (!p) return undefined;
      return { ...s, dataset: datasetSpecFromPath(p, d.what === 'folder'), datasetLabel: path.basename(p) };
    },
  };
}

export function experimentSteps(settings: Settings, datasets: readonly PickItem<DatasetChoice>[]): WizardStep[] {
  const goal: WizardStep<Goal> = {
    id: 'goal',
    title: 'What to do',
    placeholder: 'Train a classifier, or score every training example',
    items: (s) => [
      { label: '$(beaker) Train a classifier', detail: 'train, evaluate on the test split each epoch, record the run', value: 'train', picked: s.goal === 'train' },
      { label: '$(graph) Score every training example', detail: 'EL2N, GraNd, forgetting\u2026 averaged over K independent runs', value: 'score', picked: s.goal === 'score' },
      { label: '$(bug) Label-noise study', detail: 'permute some training labels, score, and report how well each score finds them (AUROC)', value: 'noise', picked: s.goal === 'noise' },
      { label: '$(search) Find label errors', detail: 'K-fold cross-validated predictions of every example (train and test), then confident learning', value: 'audit', picked: s.goal === 'audit' },
    ],
    apply: async (s, [g]) => ({ ...s, goal: g }),
  };
  const dataset = datasetStep<WizardState>(datasets);
  // With a backbone (datadiet.backbone) the model is a head on its features: only heads are offered.
  const heads = settings.backbone !== '';
  const defaultModel = modelDefault(settings);
  const model: WizardStep<Architecture> = {
    id: 'model',
    title: heads ? 'Head on the backbone' : 'Model',
    placeholder: heads
      ? `Head trained on the features of ${path.basename(settings.backbone)} (the datadiet.backbone setting)`
      : `Model architecture (width \u00d7${settings.width} from the datadiet.width setting)`,
    items: (s) =>
      ARCHITECTURE_CHOICES.filter((a) => !heads || (HEAD_ARCHITECTURES as readonly string[]).includes(a.id)).map((a) => ({
        label: a.id,
        description: a.id === defaultModel ? 'default' : undefined,
        detail: a.detail,
        value: a.id,
        picked: a.id === (s.model ?? defaultModel),
      })),
    apply: async (s, [m]) => ({ ...s, model: m }),
  };
  const scores: WizardStep<ScoreName> = {
    id: 'scores',
    title: 'Scores',
    placeholder: 'Scores to compute (space to toggle, Enter to accept)',
    canPickMany: true,
    skip: (s) => s.goal === 'train' || s.goal === 'audit',
    items: (s) => SCORE_OPTIONS.map((o) => ({ label: o.id, detail: o.detail, value: o.id, picked: s.scores ? s.scores.includes(o.id) : !!o.picked })),
    apply: async (s, picked) => (picked.length ? { ...s, scores: picked } : undefined),
  };
  const epochs: WizardStep<number> = {
    id: 'epochs',
    title: 'Epochs',
    placeholder: settings.steps > 0 ? `Epochs (the datadiet.steps setting overrides them: ${settings.steps} steps)` : 'Epochs over the training split',
    items: (s) =>
      numberItems(
        [1, 2, 5, 10, 30, 100, 200],
        s.epochs ?? 2,
        (n) => plural(n, 'epoch'),
        s.goal === 'score' || s.goal === 'noise' ? (n) => scoreSchedule(n, s.scores?.length ? s.scores : DEFAULT_SCORES) : undefined,
      ),
    apply: async (s, [n], ui) => {
      const e = n === CUSTOM ? await ui.askNumber('Epochs over the training split', validateEpochs) : n;
      return e === undefined ? undefined : { ...s, epochs: e };
    },
  };
  const runs: WizardStep<number> = {
    id: 'runs',
    title: 'Runs',
    placeholder: 'Independent runs (seeds 0, 1, \u2026)',
    skip: (s) => s.goal === 'audit',
    items: (s) =>
      numberItems([1, 2, 3, 5, 10], s.runs ?? (s.goal === 'train' ? 1 : settings.runs), (n) =>
        s.goal !== 'train' ? `${n} run${n === 1 ? '' : 's'}: scores average over ${n}` : `${n} training run${n === 1 ? '' : 's'}`,
      ),
    apply: async (s, [n], ui) => {
      const r = n === CUSTOM ? await ui.askNumber('Independent runs', validateRuns) : n;
      return r === undefined ? undefined : { ...s, runs: r };
    },
  };
  const noise: WizardStep<number> = {
    id: 'noise',
    title: 'Label noise',
    placeholder: 'Fraction of the training labels to permute (validation and test labels stay clean)',
    skip: (s) => s.goal !== 'noise',
    items: (s) => numberItems([0.05, 0.1, 0.2, 0.3, 0.5], s.labelNoise ?? DEFAULT_LABEL_NOISE, (n) => `${Math.round(n * 100)}% noisy labels`),
    apply: async (s, [n], ui) => {
      const f = n === CUSTOM ? await ui.askNumber('Fraction of noisy training labels, e.g. 0.2', validateNoise) : n;
      return f === undefined ? undefined : { ...s, labelNoise: f };
    },
  };
  const folds: WizardStep<number> = {
    id: 'folds',
    title: 'Folds',
    placeholder: 'Cross-validation folds: each is predicted by a model trained on the others',
    skip: (s) => s.goal !== 'audit',
    items: (s) => numberItems([2, 3, 5, 10], s.folds ?? DEFAULT_FOLDS, (n) => `${n} folds: ${n} models, each trained on ${Math.round((100 * (n - 1)) / n)}% of the examples`),
    apply: async (s, [n], ui) => {
      const f = n === CUSTOM ? await ui.askNumber('Cross-validation folds (2 or more)', validateFolds) : n;
      return f === undefined ? undefined : { ...s, folds: f };
    },
  };
  return [goal, dataset, model, noise, scores, epochs, runs, folds] as WizardStep[];
}

/** The steps shown for a state (skipped ones left out), for "step i of n". */
export function visibleSteps<S>(steps: readonly WizardStep<unknown, S>[], s: S): WizardStep<unknown, S>[] {
  return steps.filter((st) => !st.skip?.(s));
}

// ---------------------------------------------------------------------------------------------------- requests

export interface JobRequest {
  readonly job: JobName;
  readonly params: Record<string, unknown>;
  /** For notifications: "Training linear on MNIST". */
  readonly title: string;
  /** Who runs its units; default: the datadiet.executor settings. */
  readonly execution?: ExecutionRequest;
  /** Resume this run's missing units in its folder instead of starting a new run. */
  readonly resumeDir?: string;
}

export interface CompleteAnswers {
  readonly goal: Goal;
  readonly dataset: string;
  readonly datasetLabel?: string;
  readonly model: Architecture;
  readonly epochs: number;
  readonly runs: number;
  readonly scores?: readonly ScoreName[];
  readonly labelNoise?: number;
  readonly validation?: number;
  readonly folds?: number;
}

export function completeAnswers(s: WizardState, settings: Settings): CompleteAnswers | undefined {
  if (!s.dataset) return undefined;
  return {
    goal: s.goal,
    dataset: s.dataset,
    datasetLabel: s.datasetLabel,
    model: s.model ?? modelDefault(settings),
    epochs: s.epochs ?? 2,
    runs: s.runs ?? (s.goal === 'train' ? 1 : settings.runs),
    scores: s.goal === 'train' || s.goal === 'audit' ? undefined : (s.scores ?? SCORE_OPTIONS.filter((o) => o.picked).map((o) => o.id)),
    ...(s.goal === 'audit' ? { folds: s.folds ?? DEFAULT_FOLDS } : {}),
    ...(s.goal === 'noise' ? { labelNoise: s.labelNoise ?? DEFAULT_LABEL_NOISE } : {}),
    ...(s.validation !== undefined ? { validation: s.validation } : {}),
  };
}

/** The datadiet.model setting, or a linear head when a backbone is set and that setting is an image model. */
function modelDefault(settings: Settings): Architecture {
  return settings.backbone !== '' && !(HEAD_ARCHITECTURES as readonly string[]).includes(settings.model) ? 'linear' : settings.model;
}

/**
 * Engine job requests for the answers: a training goal with K runs becomes K training jobs (seeds 0..K-1, run one
 * after another); a scoring goal is one score job over K runs. Settings supply backend, width, stem, batch size and
 * the quick-look knobs (trainSubset, steps).
 */
export function buildJobRequests(a: CompleteAnswers, settings: Settings): JobRequest[] {
  const common: Record<string, unknown> = {
    dataset: a.dataset,
    model: a.model,
    width: settings.width,
    stem: settings.stem,
    epochs: a.epochs,
    batchSize: settings.batchSize,
    backend: settings.backend,
  };
  if (settings.trainSubset > 0) common.trainSubset = settings.trainSubset;
  if (settings.imageSize > 0) Object.assign(common, { imageSize: settings.imageSize, resize: settings.resize });
  if (settings.backbone !== '') common.backbone = settings.backbone;
  if (a.validation !== undefined) common.validation = a.validation;
  const what = a.datasetLabel ?? a.dataset;
  const length = settings.steps > 0 ? plural(settings.steps, 'step') : plural(a.epochs, 'epoch');
  if (a.goal === 'audit') {
    // No validation split: every example is predicted by the fold model that never saw it.
    const { validation: _v, ...params } = common;
    const folds = a.folds ?? DEFAULT_FOLDS;
    return [{ job: 'audit', params: { ...params, folds, ...(settings.steps > 0 ? { steps: settings.steps } : {}) }, title: `Auditing the labels of ${what}: ${folds} folds (${a.model}, ${length} each)` }];
  }
  if (a.goal === 'score' || a.goal === 'noise') {
    const scores: ScoreName[] = a.scores?.length ? [...a.scores] : [...DEFAULT_SCORES];
    const scoreEpoch = scoreEpochFor(a.epochs, scores);
    const params: Record<string, unknown> = { ...common, scores, runs: a.runs, scoreEpoch };
    const at = settings.steps > 0 ? '' : scoreEpoch < a.epochs ? ` at epoch ${scoreEpoch} of ${a.epochs}` : ` after ${plural(a.epochs, 'epoch')}`;
    if (settings.steps > 0) params.steps = settings.steps;
    if (a.goal === 'noise') {
      params.labelNoise = a.labelNoise ?? DEFAULT_LABEL_NOISE;
      const pct = `${Math.round((a.labelNoise ?? DEFAULT_LABEL_NOISE) * 100)}%`;
      return [{ job: 'score', params, title: `Label-noise study on ${what}: ${pct} noisy, ${scores.join(', ')}${at} (${a.model}, ${plural(a.runs, 'run')})` }];
    }
    return [{ job: 'score', params, title: `Scoring ${what}: ${scores.join(', ')}${at} (${a.model}, ${plural(a.runs, 'run')})` }];
  }
  return Array.from({ length: a.runs }, (_, r) => {
    const params: Record<string, unknown> = { ...common, seed: r };
    if (settings.steps > 0) params.steps = settings.steps;
    const of = a.runs > 1 ? ` \u2014 run ${r + 1}/${a.runs}` : '';
    return { job: 'train' as const, params, title: `Training ${a.model} on ${what} (${length})${of}` };
  });
}

/** A rerun of a recorded run: the same job kind and configuration (which holds everything needed, seeds included). */
export function rerunRequest(kind: string, config: Record<string, unknown>, label: string): JobRequest | undefined {
  if (kind !== 'train' && kind !== 'score' && kind !== 'audit') return undefined;
  if (typeof config.dataset !== 'string') return undefined;
  const params: Record<string, unknown> = { ...config, stem: configStem(config) };
  if (kind === 'score') {
    // A score run records `steps` as the steps it trained (to the score epoch) and `scheduleSteps` as the schedule's
    // budget; the job's `steps` parameter is the schedule's budget.
    delete params.steps;
    if (typeof config.scheduleSteps === 'number') params.steps = config.scheduleSteps;
  }
  // The recorded configuration also holds what the run derived (its budget, its score run's id...): the job takes
  // its own parameters only.
  return { job: kind, params: paramsOf(kind, params), title: `Rerunning ${label}` };
}
