/**
 * The Data Diet cell language, as one table: every command, its arguments, their kinds, ranges, defaults and docs.
 * Parsing, diagnostics, completions, hovers and the generated reference (docs.ts) all read this table, so a new
 * argument is added in exactly one place.
 *
 * Grammar (one command per line; `#` starts a comment; blank lines are ignored):
 *   line     := command (positional | key '=' value)*
 *   value    := a run of non-space characters (lists are comma-separated: fractions=0.3,0.5)
 * Positional words fill the command's `positional` arguments in order (`gallery el2n lowest` is
 * `gallery score=el2n order=lowest`).
 */
import { ARCHITECTURES, ISSUE_FILTERS, NOISE_KINDS } from '../../contract/choices';
import { RUN_KINDS } from '../../contract/jobNames';
import { STRATEGY_NAMES } from '../select/selection';
import { ANALYSIS_COMMANDS } from './analysisCommands';
import { MAP_COMMAND } from './mapCommand';
import { IMPORT_COMMANDS } from './importCommands';
import { DUPLICATES_COMMAND } from './duplicatesCommand';

export type ValueKind =
  | { readonly type: 'int'; readonly min: number; readonly max: number }
  | { readonly type: 'number'; readonly min: number; readonly max: number; readonly exclusive?: boolean }
  | { readonly type: 'numberList'; readonly min: number; readonly max: number; readonly exclusive?: boolean }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'enumList'; readonly values: readonly string[] }
  | { readonly type: 'bool' }
  /**
   * `latest` or a run id; `kinds` are the run kinds the command reads (`latest` is the newest of them); `byId`, kinds
   * also read when a run is named by its id (an audit's label-quality table, but `latest` stays a score run).
   */
  | { readonly type: 'run'; readonly kinds: readonly string[]; readonly byId?: readonly string[] }
  | { readonly type: 'score' }
  | { readonly type: 'scoreList' }
  /** Percentile band `lo-hi`, 0 <= lo < hi <= 100. */
  | { readonly type: 'band' }
  /** Score range `a..b`; either end may be left open (`..1.2`, `0.8..`). */
  | { readonly type: 'range' }
  | { readonly type: 'text' };

export interface ArgSpec {
  readonly name: string;
  readonly kind: ValueKind;
  readonly doc: string;
  /** Shown in hovers and completions; the executor applies it when the argument is absent. */
  readonly default?: string;
  readonly required?: boolean;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly doc: string;
  readonly example: string;
  /** Arguments that may be given as bare words, in this order. */
  readonly positional: readonly string[];
  readonly args: readonly ArgSpec[];
  /** Groups of arguments of which at most one may be given. */
  readonly exclusive?: readonly (readonly string[])[];
  /** Starts an engine job (training): needs a trusted workspace, streams progress, can be interrupted. */
  readonly long?: boolean;
}

/** One-line descriptions of the score tables a score run writes (names as in `datadiet score --score`). */
export const SCORE_DOCS: Readonly<Record<string, string>> = {
  el2n: 'EL2N: L2 norm of softmax error early in training (Paul et al. 2021). High = hard or mislabeled.',
  grand: 'GraNd: exact norm of the per-example loss gradient over all parameters.',
  'grand-last': "GraNd over the classifier's last layer only (closed form, cheap approximation).",
  gradmag: 'Gradient magnitude with the chosen norm and parameter subset.',
  'label-free-1': 'Label-free score 1 (Data Diet appendix D).',
  'label-free-2': 'Label-free score 2: expected EL2N over all labels (Data Diet appendix D).',
  'label-free-3': 'Label-free score 3 (Data Diet appendix D).',
  forgetting: 'Forgetting events over training (Toneva et al. 2019); never-learned examples score highest.',
  aum: 'Area under the margin over training (Pleiss et al. 2020). Low = likely mislabeled.',
  confidence: 'Data maps: mean probability of the true label over epochs (Swayamdipta et al. 2020).',
  variability: 'Data maps: standard deviation of the true-label probability over epochs.',
  correctness: 'Data maps: fraction of epochs the example was predicted correctly.',
  'label-quality': "An audit's self-confidence: the out-of-fold probability of the given label. Low = likely mislabeled.",
};

const SCORE_RUN = ['score'];
/** Runs with per-example tables read by id besides score runs: an audit's label-quality table. */
const TABLE_RUNS_BY_ID = ['audit'];
function run(kinds: readonly string[], byIdOrDoc: readonly string[] | string, doc?: string): ArgSpec {
  const byId = typeof byIdOrDoc === 'string' ? undefined : byIdOrDoc;
  return { name: 'run', kind: { type: 'run', kinds, ...(byId ? { byId } : {}) }, default: 'latest', doc: doc ?? (byIdOrDoc as string) };
}
const score = (doc = 'Score table to use, e.g. el2n, grand, forgetting.'): ArgSpec => ({ name: 'score', kind: { type: 'score' }, default: 'el2n', doc });
// Training settings shared by the commands that train (score, prune, window); names follow the CLI's flags.
const training: readonly ArgSpec[] = [
  { name: 'model', kind: { type: 'enum', values: [...ARCHITECTURES] }, doc: 'Model architecture trained (with backbone=: the head, linear or mlp).', default: 'cnn-small' },
  { name: 'epochs', kind: { type: 'number', min: 0, max: 1000, exclusive: true }, doc: 'Epochs of the full training split (sets the iteration budget).', default: '2' },
  { name: 'steps', kind: { type: 'int', min: 1, max: 10_000_000 }, doc: 'Explicit iteration budget; overrides epochs.' },
  { name: 'subset', kind: { type: 'int', min: 1, max: 100_000_000 }, doc: 'Train on a seeded random subset of this many training examples (quick looks).' },
  { name: 'batch', kind: { type: 'int', min: 1, max: 65536 }, doc: 'Minibatch size.', default: '128' },
  { name: 'validation', kind: { type: 'number', min: 0, max: 100_000_000 }, doc: 'Held-out validation examples: a fraction (< 1) of the examples used, or a count; 0 = none (a score run then scores every training example).', default: '0.1' },
  { name: 'seed', kind: { type: 'int', min: 0, max: 2 ** 31 - 1 }, doc: 'Root seed: every random draw (initializations, data order, split, noise, random baselines) comes from its own stream of it.', default: '0' },
  { name: 'image-size', kind: { type: 'int', min: 4, max: 1024 }, doc: 'Bring every image to this many pixels square (needed when image sizes differ).' },
  { name: 'resize', kind: { type: 'enum', values: ['crop', 'pad'] }, doc: 'With image-size: crop (centre, as torchvision Resize + CenterCrop) or pad (whole image, black borders).', default: 'crop' },
  { name: 'backbone', kind: { type: 'text' }, doc: 'A TensorFlow.js model folder (model.json + shards) used frozen as a feature extractor; model= is then the head (linear or mlp). See docs/backbones.md.' },
  { name: 'executor', kind: { type: 'enum', values: ['local', 'slurm'] }, doc: 'Who runs the work units: local (this machine) or slurm (an array job with the datadiet.slurm.* settings). Default: the datadiet.executor setting.' },
  { name: 'parallel', kind: { type: 'int', min: 1, max: 256 }, doc: 'Local executor: units at once, each in a child process.' },
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'runs',
    summary: 'Table of the recorded runs.',
    doc: 'Lists the runs under `.datadiet/runs`, newest first: id, kind, status, dataset, model and the main result.',
    example: 'runs kind=score',
    positional: ['kind'],
    args: [
      { name: 'kind', kind: { type: 'enum', values: ['all', ...RUN_KINDS] }, default: 'all', doc: 'Only runs of this kind.' },
      { name: 'limit', kind: { type: 'int', min: 1, max: 10000 }, default: '50', doc: 'At most this many rows.' },
    ],
  },
  {
    name: 'training',
    summary: 'Loss and accuracy per epoch of a training run: train, validation and test.',
    doc: 'Reads `metrics.jsonl` of a training run (one line per epoch). Validation curves need `--validation`; test curves are measured every epoch.',
    example: 'training run=latest',
    positional: [],
    args: [run(['train'], 'Training run to read: `latest` (newest finished training run) or a run id.')],
  },
  {
    name: 'confusion',
    summary: 'Confusion matrix of a training run on its test split: true class by predicted class.',
    doc: 'Reads `confusion.json`, written when a training run finishes. Cells show counts; colour is the share of the true class.',
    example: 'confusion run=latest',
    positional: [],
    args: [run(['train'], 'Training run to read: `latest` (newest finished training run) or a run id.')],
  },
  {
    name: 'histogram',
    summary: 'Histogram of a score, optionally split by class or by injected-noise flag.',
    doc: 'Reads a score table of a score run. `by=noise` needs a run made with label noise (`datadiet score --label-noise`). Brushing a range of the chart shows that range\'s gallery.',
    example: 'histogram el2n run=latest by=class bins=50',
    positional: ['score'],
    args: [
      score(),
      run(SCORE_RUN, TABLE_RUNS_BY_ID, 'Score run to read: `latest` (newest finished score run) or a run id.'),
      { name: 'by', kind: { type: 'enum', values: ['none', 'class', 'noise'] }, default: 'none', doc: 'Split the bars: by class label, or by whether the label was corrupted by injected noise.' },
      { name: 'bins', kind: { type: 'int', min: 2, max: 500 }, default: '40', doc: 'Number of bins.' },
    ],
  },
  {
    name: 'gallery',
    summary: 'Thumbnails of examples picked by score: lowest/highest per class, a percentile band or a score range.',
    doc: 'Each thumbnail shows the label, the score, the model\'s predicted class (recorded by score runs) and the original label when noise was injected. Click to enlarge; flag or relabel examples from the gallery.',
    example: 'gallery el2n highest per-class=8',
    positional: ['score', 'order'],
    args: [
      score(),
      run(SCORE_RUN, TABLE_RUNS_BY_ID, 'Score run to read: `latest` or a run id.'),
      { name: 'order', kind: { type: 'enum', values: ['lowest', 'highest'] }, default: 'highest', doc: 'The lowest- or highest-scoring examples of each class.' },
      { name: 'per-class', kind: { type: 'int', min: 1, max: 100000 }, default: '8', doc: 'Examples per class (with `order`).' },
      { name: 'band', kind: { type: 'band' }, doc: 'Percentile band of the score, e.g. `band=90-100` (the top 10%).' },
      { name: 'range', kind: { type: 'range' }, doc: 'Score range, e.g. `range=0.8..1.2`, `range=1.0..` (open ends allowed).' },
      { name: 'class', kind: { type: 'int', min: 0, max: 100000 }, doc: 'Only examples labelled with this class.' },
      { name: 'limit', kind: { type: 'int', min: 1, max: 100000 }, default: '1000', doc: 'At most this many images (bands and ranges), highest score first.' },
    ],
    exclusive: [['order', 'band', 'range']],
  },
  {
    name: 'compare',
    summary: 'Scatter plot of two scores of the same examples, with their Spearman rank correlation.',
    doc: 'Both scores must be in the same score run. Large runs are drawn as a seeded sample of points; the correlation uses all examples.',
    example: 'compare el2n grand',
    positional: ['x', 'y'],
    args: [
      { name: 'x', kind: { type: 'score' }, required: true, doc: 'Score on the x axis.' },
      { name: 'y', kind: { type: 'score' }, required: true, doc: 'Score on the y axis.' },
      run(SCORE_RUN, TABLE_RUNS_BY_ID, 'Score run to read: `latest` or a run id.'),
    ],
  },
  {
    name: 'stability',
    summary: 'Spearman correlation of a score averaged over k runs with the full K-run average, as k grows.',
    doc: 'Reads `analysis.json` of a score run: how many independent runs the score needs to settle.',
    example: 'stability run=latest',
    positional: [],
    args: [run(SCORE_RUN, TABLE_RUNS_BY_ID, 'Score run to read: `latest` or a run id.')],
  },
  {
    name: 'prune',
    summary: 'Shows a prune sweep, or runs one: test accuracy against the fraction pruned, per strategy (mean, 16-84% band).',
    doc: 'With `run` naming a prune run, shows it. With a score run, looks for a finished sweep of that run with the same settings and shows it; otherwise trains one (same iteration budget as full data for every subset), streaming progress. `run=latest` takes the newest prune or score run. Interrupting keeps the finished trainings, marked partial.',
    example: 'prune run=latest fractions=0.3,0.5,0.7 strategy=keep-top,random seeds=2',
    positional: [],
    long: true,
    args: [
      run(['prune', 'score'], 'A prune run (shown) or the score run to prune by (`latest`: newest prune or score run).'),
      score('Score table to prune by.'),
      { name: 'fractions', kind: { type: 'numberList', min: 0, max: 1, exclusive: true }, default: '0.3,0.5,0.7', doc: 'Fractions of the training set pruned, each in (0, 1).' },
      { name: 'strategy', kind: { type: 'enumList', values: STRATEGY_NAMES }, default: 'keep-top,random', doc: 'Selection strategies compared.' },
      { name: 'seeds', kind: { type: 'int', min: 1, max: 100 }, default: '2', doc: 'Trainings per point (band over seeds).' },
      { name: 'fresh', kind: { type: 'bool' }, default: 'false', doc: 'Train a new sweep even when a matching one exists.' },
      ...training,
    ],
  },
  {
    name: 'window',
    summary: 'Shows or runs a sliding-window sweep: accuracy when keeping a window of score-sorted examples at several offsets.',
    doc: 'Like `prune`: a window run is shown; a score run is swept (best window picked on validation). `run=latest` takes the newest window or score run.',
    example: 'window run=latest size=0.4 offsets=0,0.2,0.4,0.6',
    positional: [],
    long: true,
    args: [
      run(['window', 'score'], 'A window run (shown) or the score run to sort by.'),
      score('Score table to sort by.'),
      { name: 'size', kind: { type: 'number', min: 0, max: 1e9, exclusive: true }, default: '0.4', doc: 'Window size: a fraction (< 1) or a count of training examples.' },
      { name: 'offsets', kind: { type: 'numberList', min: 0, max: 1 }, default: '0,0.1,0.2,0.3,0.4,0.5,0.6', doc: 'Window starts, as fractions of the score-sorted training examples.' },
      { name: 'seeds', kind: { type: 'int', min: 1, max: 100 }, default: '2', doc: 'Trainings per window.' },
      { name: 'fresh', kind: { type: 'bool' }, default: 'false', doc: 'Train a new sweep even when a matching one exists.' },
      ...training,
    ],
  },
  {
    name: 'score',
    summary: 'Scores every training example (trains K runs), then shows the histogram of the first score.',
    doc: 'The notebook form of `datadiet score`. Streams progress; interrupting keeps the finished runs, marked partial.',
    example: 'score dataset=mnist scores=el2n,grand runs=2 subset=2000',
    positional: [],
    long: true,
    args: [
      { name: 'dataset', kind: { type: 'text' }, default: 'mnist', doc: 'Dataset spec: `mnist`, `fashion-mnist`, `cifar10:<dir>`, `folder:<dir>`, `csv:<file>` or a path.' },
      { name: 'scores', kind: { type: 'scoreList' }, default: 'el2n,grand', doc: 'Scores to compute.' },
      { name: 'runs', kind: { type: 'int', min: 1, max: 100 }, default: '2', doc: 'Independent runs (K) to average.' },
      { name: 'epoch', kind: { type: 'int', min: 0, max: 1000 }, default: '1', doc: 'Epoch at which pointwise scores are taken (0 = initialization).' },
      { name: 'noise', kind: { type: 'number', min: 0, max: 1 }, default: '0', doc: 'Noise study: permute the labels of this fraction of the training examples.' },
      ...training,
    ],
  },
  {
    name: 'audit',
    summary: 'Finds label errors: K-fold cross-validated probabilities of every example, then confident learning.',
    doc: 'The notebook form of `datadiet audit`. Each fold is predicted by a model trained on the other folds (one work unit per fold), so every example (train and test splits) gets out-of-sample probabilities; confident learning estimates the noise and flags the issues. Shows the summary; the Review Queue and `datadiet suspects --run <id>` walk the flagged examples. Interrupting keeps the finished folds.',
    example: 'audit dataset=mnist folds=5 subset=2000',
    positional: [],
    long: true,
    args: [
      { name: 'dataset', kind: { type: 'text' }, default: 'mnist', doc: 'Dataset spec: `mnist`, `fashion-mnist`, `cifar10:<dir>`, `folder:<dir>`, `csv:<file>` or a path.' },
      { name: 'folds', kind: { type: 'int', min: 2, max: 100 }, default: '5', doc: 'Cross-validation folds (K), stratified by label: fold k is predicted by a model trained on the others.' },
      { name: 'filter', kind: { type: 'enum', values: [...ISSUE_FILTERS] }, default: 'prune_by_noise_rate', doc: "Confident learning's filter picking the label issues." },
      { name: 'test', kind: { type: 'bool' }, default: 'true', doc: "Audit the test split's examples too (false: the train split only)." },
      { name: 'noise', kind: { type: 'number', min: 0, max: 1 }, default: '0', doc: 'Noise study: corrupt the labels of this fraction of the audited training examples, and report how well the audit finds them.' },
      { name: 'noise-kind', kind: { type: 'enum', values: [...NOISE_KINDS] }, default: 'uniform', doc: 'uniform: permute the chosen labels; pairs: relabel a fraction of each class as its look-alike (mnist, fashion-mnist).' },
      // No validation split: every example is predicted by a fold model that never saw it.
      ...training.filter((a) => a.name !== 'validation'),
    ],
  },
  ...ANALYSIS_COMMANDS,
  MAP_COMMAND,
  ...IMPORT_COMMANDS,
  DUPLICATES_COMMAND,
];

const byName = new Map(COMMANDS.map((c) => [c.name, c]));

export function commandSpec(name: string): CommandSpec | undefined {
  return byName.get(name);
}

export function argSpec(command: CommandSpec, name: string): ArgSpec | undefined {
  return command.args.find((a) => a.name === name);
}

/** How a value kind reads in docs and messages. */
export function describeKind(kind: ValueKind): string {
  switch (kind.type) {
    case 'int':
      return `integer ${kind.min}..${kind.max}`;
    case 'number':
      return `number ${kind.exclusive ? `> ${kind.min}` : `>= ${kind.min}`}${kind.max < 1e9 ? ` and ${kind.exclusive ? '<' : '<='} ${kind.max}` : ''}`;
    case 'numberList':
      return `comma-separated numbers in ${kind.exclusive ? '(' : '['}${kind.min}, ${kind.max}${kind.exclusive ? ')' : ']'}`;
    case 'enum':
      return kind.values.join(' | ');
    case 'enumList':
      return `comma-separated: ${kind.values.join(', ')}`;
    case 'bool':
      return 'true | false';
    case 'run':
      return `latest | a ${kind.kinds.join(' or ')} run id`;
    case 'score':
      return 'a score name';
    case 'scoreList':
      return 'comma-separated score names';
    case 'band':
      return 'percentile band lo-hi (0-100)';
    case 'range':
      return 'score range a..b (open ends allowed)';
    case 'text':
      return 'text';
  }
}
