/**
 * The option metadata of every job's parameters: the CLI builds its flags from it, and every process boundary
 * (the engine protocol, params.json, notebook cells) checks parameters with `checkParams` before a job runs, so a
 * wrong type or an unknown name is refused with the flag's name instead of failing deep inside a training.
 */
import { ARCHITECTURES, BACKBONE_INPUT_RANGES, BACKEND_CHOICES, CONV_METHODS, IMAGENET_STEM_MIN_SIDE, ISSUE_FILTERS, KNN_METHODS, NOISE_KINDS, NORM_KINDS, PARAM_SUBSETS, RESIZE_MODES, SCORE_NAMES, STEM_CHOICES, STRATEGY_NAMES } from './choices';
import { DUPLICATE_THRESHOLDS } from './jobDefaults';
import type { JobParams } from './jobParams';
import type { JobName } from './jobNames';
import { optionProblem, type OptionSpec } from './optionSpec';

const DATASETS = 'mnist | fashion-mnist | cifar10:<dir> | cifar100:<dir> | idx:<dir> | folder:<dir> | csv:<file> | jsonl:<file> | <path>';

/** What every training job takes. */
export const TRAIN_OPTIONS: readonly OptionSpec[] = [
  { short: 'd', key: 'dataset', flag: 'dataset', kind: 'string', value: 'spec', help: DATASETS },
  { short: 'm', key: 'model', flag: 'model', kind: 'choice', choices: ARCHITECTURES, value: 'arch', help: 'model architecture' },
  { short: 'w', key: 'width', flag: 'width', kind: 'number', gt: 0, value: 'x', help: 'channel width multiplier (0.25 = a quarter of the channels)' },
  { key: 'stem', flag: 'stem', kind: 'choice', choices: STEM_CHOICES, value: 'kind', help: `ResNet stem: cifar (3x3 stride 1, no max-pool), imagenet (torchvision's 7x7 stride 2 + 3x3 stride-2 max-pool), auto (imagenet from ${IMAGENET_STEM_MIN_SIDE} px); other models ignore it` },
  { short: 'e', key: 'epochs', flag: 'epochs', kind: 'number', gt: 0, value: 'n', help: 'epochs of the full training split (sets the iteration budget)' },
  { key: 'steps', flag: 'steps', kind: 'int', min: 1, value: 'n', help: 'explicit iteration budget (overrides --epochs)' },
  { short: 'b', key: 'batchSize', flag: 'batch-size', kind: 'int', min: 1, value: 'n', help: 'minibatch size' },
  { key: 'lr', flag: 'lr', kind: 'number', gt: 0, value: 'x', help: 'initial learning rate' },
  { key: 'momentum', flag: 'momentum', kind: 'number', min: 0, value: 'x', help: 'SGD momentum' },
  { key: 'nesterov', flag: 'nesterov', kind: 'boolean', help: 'Nesterov momentum (--no-nesterov: plain momentum)' },
  { key: 'weightDecay', flag: 'weight-decay', kind: 'number', min: 0, value: 'x', help: 'L2 weight decay' },
  { key: 'milestones', flag: 'milestones', kind: 'numbers', gt: 0, lt: 1, value: 'fractions', help: 'fractions of the budget where the lr is multiplied by --gamma' },
  { key: 'gamma', flag: 'gamma', kind: 'number', gt: 0, value: 'x', help: 'learning-rate decay factor at milestones' },
  { key: 'warmup', flag: 'warmup', kind: 'number', min: 0, lt: 1, value: 'fraction', help: 'fraction of the budget over which the learning rate rises linearly to --lr (0 = none)' },
  { short: 's', key: 'seed', flag: 'seed', kind: 'int', min: 0, value: 'n', help: 'root seed: initialization, data order, split, subset, noise and random baselines each draw from their own stream of it (docs/randomness.md)' },
  { key: 'dataSeed', flag: 'data-seed', kind: 'int', min: 0, value: 'n', help: 'vary data order and augmentation alone: draw them from this root seed (default: --seed)' },
  { key: 'validation', flag: 'validation', kind: 'number', min: 0, value: 'n', help: 'held-out validation examples, out of the examples used (those of --subset when given): a fraction < 1 or a count >= 1; 0 = none' },
  { key: 'augment', flag: 'augment', kind: 'auto-boolean', value: 'mode', help: 'pad-4 crop + flip augmentation (auto: on for colour images)' },
  { key: 'backend', flag: 'backend', kind: 'choice', choices: BACKEND_CHOICES, value: 'name', help: 'compute backend' },
  { key: 'threads', flag: 'threads', kind: 'int', min: 1, value: 'n', help: 'compute threads' },
  { key: 'trainSubset', flag: 'subset', kind: 'int', min: 1, value: 'n', help: 'use a seeded random subset of n examples of the training split (--validation is held out of them)' },
  { key: 'annotations', flag: 'annotations', kind: 'string', value: 'file', help: 'apply label corrections and exclusions from an annotations.jsonl' },
  { key: 'imageSize', flag: 'image-size', kind: 'int', min: 4, max: 1024, value: 'px', help: 'bring every image to px x px (needed when image sizes differ; default: their own size)' },
  { key: 'backbone', flag: 'backbone', kind: 'string', value: 'dir', help: 'a TensorFlow.js model folder (model.json + shards) used frozen as a feature extractor; --model is then the head: linear (default) or mlp (docs/backbones.md)' },
  { key: 'backboneInput', flag: 'backbone-input', kind: 'choice', choices: BACKBONE_INPUT_RANGES, value: 'range', help: 'pixel range the backbone expects (default 0-1, as TF Hub image models; 0-255 for integer inputs)' },
  { key: 'resize', flag: 'resize', kind: 'choice', choices: RESIZE_MODES, value: 'mode', help: 'with --image-size: crop (shorter side to the size, centre crop, as torchvision Resize + CenterCrop) or pad (whole image, black borders)' },
  { key: 'resumedFrom', flag: 'resumed-from', kind: 'string', internal: true, help: 'a failed or cancelled training run to continue from its checkpoint' },
];

const scoresFrom = (help: string): OptionSpec => ({ key: 'scoresFrom', flag: 'scores', kind: 'string', value: 'run', help });
const convMethod: OptionSpec = { key: 'convMethod', flag: 'conv-method', kind: 'choice', choices: CONV_METHODS, value: 'm', help: 'exact per-example conv gradients: materialized, ghost norm, or the cheaper per layer' };
const scoreBatch: OptionSpec = { key: 'scoreBatch', flag: 'score-batch', kind: 'int', min: 1, value: 'n', help: 'examples per per-example-gradient chunk' };

export const SCORE_OPTIONS: readonly OptionSpec[] = [
  ...TRAIN_OPTIONS,
  { key: 'scores', flag: 'score', kind: 'choices', choices: SCORE_NAMES, value: 'names', help: `comma-separated: ${SCORE_NAMES.join(', ')}` },
  { key: 'scoreEpoch', flag: 'epoch', kind: 'int', min: 0, value: 't', help: 'epoch at which scores are taken (0 = initialization)' },
  { key: 'runs', flag: 'runs', kind: 'int', min: 1, value: 'k', help: 'independent runs to average (one work unit each)' },
  { key: 'norm', flag: 'norm', kind: 'choice', choices: NORM_KINDS, value: 'kind', help: 'gradmag: norm of the per-example gradient' },
  { key: 'subset', flag: 'params', kind: 'choice', choices: PARAM_SUBSETS, value: 'subset', help: 'gradmag: parameters the norm runs over' },
  convMethod,
  scoreBatch,
  { key: 'csv', flag: 'csv', kind: 'boolean', help: 'also write CSV tables' },
  { key: 'predictions', flag: 'predictions', kind: 'boolean', help: "keep each run's class probabilities and embeddings for label review and similarity (--no-predictions: scores only, for sweeps)" },
  { key: 'labelNoise', flag: 'label-noise', kind: 'number', min: 0, lt: 1, value: 'fraction', help: 'noise study: permute the labels of this fraction of the training examples, then report how well each score finds them' },
  { key: 'noiseSeed', flag: 'noise-seed', kind: 'int', min: 0, value: 'n', help: "which noise draw: other noise on the same --seed's split and subset" },
  { key: 'noiseKind', flag: 'noise-kind', kind: 'choice', choices: NOISE_KINDS, value: 'kind', help: 'uniform: permute the labels of --label-noise of all trained examples; pairs: relabel --label-noise of each class that has a look-alike (MNIST 7->1, 2->7, 3->8, 5<->6; Fashion-MNIST shirt<->T-shirt, pullover<->coat, sandal<->sneaker)' },
];

export const AUDIT_OPTIONS: readonly OptionSpec[] = [
  // No validation split: every audited row is predicted by the fold model that did not train on it.
  // Nor --data-seed: it would give every fold the same data order (each fold draws its own from its stream).
  ...TRAIN_OPTIONS.map((s): OptionSpec => (s.key === 'validation' || s.key === 'dataSeed' ? { ...s, internal: true } : s)),
  { key: 'folds', flag: 'folds', kind: 'int', min: 2, value: 'k', help: 'cross-validation folds, stratified by label: fold k is predicted by a model trained on the others (one work unit each)' },
  { key: 'filter', flag: 'filter', kind: 'choice', choices: ISSUE_FILTERS, value: 'name', help: "confident learning's filter picking the label issues (prune_by_noise_rate: the paper's default)" },
  { key: 'includeTest', flag: 'test', kind: 'boolean', help: "audit the test split's rows too (--no-test: the train split only)" },
  { key: 'labelNoise', flag: 'label-noise', kind: 'number', min: 0, lt: 1, value: 'fraction', help: 'noise study: corrupt the labels of this fraction of the audited training rows, then report how well the audit finds them' },
  { key: 'noiseSeed', flag: 'noise-seed', kind: 'int', min: 0, value: 'n', help: "which noise draw: other noise on the same --seed's subset" },
  { key: 'noiseKind', flag: 'noise-kind', kind: 'choice', choices: NOISE_KINDS, value: 'kind', help: "uniform: permute the chosen labels; pairs: relabel a fraction of each class as its look-alike (mnist, fashion-mnist)" },
  { key: 'csv', flag: 'csv', kind: 'boolean', help: 'also write CSV tables' },
];

export const PRUNE_OPTIONS: readonly OptionSpec[] = [
  ...TRAIN_OPTIONS,
  scoresFrom('id or folder of a score run on the same dataset'),
  { key: 'score', flag: 'score', kind: 'string', value: 'name', help: 'score table to prune by' },
  { key: 'strategies', flag: 'strategies', kind: 'choices', choices: STRATEGY_NAMES, value: 'names', help: `comma-separated: ${STRATEGY_NAMES.join(', ')}` },
  { key: 'fractions', flag: 'fractions', kind: 'numbers', gt: 0, lt: 1, value: 'list', help: 'fractions of the training set pruned' },
  { key: 'seeds', flag: 'seeds', kind: 'int', min: 1, value: 'n', help: 'independent repeats per point (each retraining and random draw has its own stream)' },
  { key: 'classBalanced', flag: 'class-balanced', kind: 'boolean', help: 'apply each strategy within every class' },
  { key: 'fullData', flag: 'full-data', kind: 'boolean', help: 'also retrain on all the data, the baseline (--no-full-data: another sweep with the same --seed has it)' },
  { key: 'dropFraction', flag: 'drop-fraction', kind: 'number', min: 0, lt: 1, value: 'p', help: 'non-extreme: fraction of all examples dropped from the top first' },
];

export const WINDOW_OPTIONS: readonly OptionSpec[] = [
  ...TRAIN_OPTIONS,
  scoresFrom('id or folder of a score run on the same dataset'),
  { key: 'score', flag: 'score', kind: 'string', value: 'name', help: 'score table to sort by' },
  { key: 'size', flag: 'size', kind: 'number', gt: 0, value: 'n', help: 'window size: fraction (< 1) or count of the training examples' },
  { key: 'offsets', flag: 'offsets', kind: 'numbers', min: 0, lt: 1, value: 'list', help: 'offsets as fractions of the training examples' },
  { key: 'seeds', flag: 'seeds', kind: 'int', min: 1, value: 'n', help: 'independent repeats per window' },
];

const ks: OptionSpec = { key: 'ks', flag: 'ks', kind: 'numbers', gt: 0, value: 'list', help: 'k values: counts, or fractions (< 1) of the scored examples (default 10, 20, 50, ... all)' };
const scoreTables: OptionSpec = { key: 'scores', flag: 'score', kind: 'strings', value: 'names', help: 'comma-separated score tables (default: every score of the run)' };

const imageSize = TRAIN_OPTIONS.find((o) => o.key === 'imageSize')!;
const resize = TRAIN_OPTIONS.find((o) => o.key === 'resize')!;
const runName: OptionSpec = { key: 'name', flag: 'name', kind: 'string', value: 'label', help: 'a label for the run in listings (e.g. the model that made the file)' };
// Imports are score runs; these say so in the manifest, as el2n-grid's do.
const importedRunKind: OptionSpec = { key: 'runKind', flag: 'run-kind', kind: 'string', internal: true, help: 'the kind its run is recorded as' };

export const IMPORT_PREDICTIONS_OPTIONS: readonly OptionSpec[] = [
  { short: 'd', key: 'dataset', flag: 'dataset', kind: 'string', value: 'spec', help: `the dataset the rows follow: ${DATASETS}` },
  { key: 'probs', flag: 'probs', kind: 'string', value: 'file', help: 'N x classes .npy (float32 or float64) of your model\'s probabilities, one row per example in the dataset\'s order' },
  { key: 'logits', flag: 'logits', kind: 'boolean', help: 'the file holds logits (scores before softmax): softmax each row' },
  { key: 'embeddings', flag: 'embeddings', kind: 'string', value: 'file', help: 'N x D .npy of the same rows\' embeddings (features), kept with the predictions' },
  { key: 'inSample', flag: 'in-sample', kind: 'boolean', help: 'the model trained on these examples (default: out-of-sample, e.g. cross-validated): suspects then use the threshold, not confident learning' },
  runName,
  imageSize,
  resize,
  importedRunKind,
];

export const IMPORT_SCORES_OPTIONS: readonly OptionSpec[] = [
  { short: 'd', key: 'dataset', flag: 'dataset', kind: 'string', value: 'spec', help: `the dataset the rows follow: ${DATASETS}` },
  { key: 'scores', flag: 'score', kind: 'strings', repeatable: true, value: 'name=file', help: 'a score as name=file: an (N,) .npy of one value per example in the dataset\'s order (higher = harder); repeat for more' },
  runName,
  imageSize,
  resize,
  importedRunKind,
];

export const JOB_OPTIONS: { readonly [J in JobName]: readonly OptionSpec[] } = {
  train: TRAIN_OPTIONS,
  score: SCORE_OPTIONS,
  prune: PRUNE_OPTIONS,
  window: WINDOW_OPTIONS,
  // Recorded under another job's kind (params.json keeps which).
  strategies: [
    ...PRUNE_OPTIONS.map((s) => (s.key === 'score' ? { ...s, help: 'score table (gradient magnitude: grand, or gradmag)' } : s)),
    { key: 'runKind', flag: 'run-kind', kind: 'string', internal: true, help: 'the kind its run is recorded as' },
  ],
  entropy: [
    scoresFrom('id or folder of a score run'),
    scoreTables,
    ks,
    { key: 'seed', flag: 'seed', kind: 'int', min: 0, value: 'n', help: 'root seed of the random rankings' },
    { key: 'randomDraws', flag: 'random-draws', kind: 'int', min: 1, value: 'n', help: 'random rankings averaged for the random baseline' },
  ],
  overlap: [
    scoresFrom('id or folder of a score run'),
    { key: 'score', flag: 'score', kind: 'string', value: 'name', help: "score table (default: the run's first score)" },
    { key: 'against', flag: 'against', kind: 'string', value: 'run', help: 'a second score run to compare with (default: compare the runs kept in --scores)' },
    { key: 'againstScore', flag: 'against-score', kind: 'string', value: 'name', help: 'score table of the second run (default: same as --score); with no --against, compares two scores of one run' },
    ks,
  ],
  'noise-study': [scoresFrom('id or folder of a score run with injected label noise'), scoreTables],
  'grad-heatmap': [
    ...TRAIN_OPTIONS,
    { key: 'sample', flag: 'sample', kind: 'int', min: 1, value: 'n', help: 'examples sampled from the trained ones' },
    { key: 'sampleSeed', flag: 'sample-seed', kind: 'int', min: 0, value: 'n', help: 'root seed of the sample alone (default: --seed)' },
    { key: 'subset', flag: 'params', kind: 'choice', choices: PARAM_SUBSETS, value: 'subset', help: "parameters the gradient norm runs over (last-layer: the classifier's weights, as the paper did for MNIST)" },
    convMethod,
    scoreBatch,
  ],
  'grad-sum': [
    ...TRAIN_OPTIONS,
    { key: 'batches', flag: 'batches', kind: 'int', min: 1, value: 'n', help: 'random minibatches measured per epoch' },
    { key: 'gradBatchSize', flag: 'grad-batch-size', kind: 'int', min: 1, value: 'n', help: 'examples per measured minibatch (default: --batch-size)' },
    convMethod,
  ],
  'kernel-velocity': [
    ...TRAIN_OPTIONS,
    scoresFrom('sort by this score run (default: EL2N of the trained model at each epoch t)'),
    { key: 'score', flag: 'score', kind: 'string', value: 'name', help: 'score table of --scores' },
    { key: 'windows', flag: 'windows', kind: 'int', min: 1, value: 'n', help: 'windows spread from the lowest to the highest scores' },
    { key: 'windowSize', flag: 'window-size', kind: 'int', min: 1, value: 'm', help: 'examples per window (the Gram is m*classes square)' },
    { key: 'labelNoise', flag: 'label-noise', kind: 'number', min: 0, lt: 1, value: 'fraction', help: 'train on labels of which this fraction is corrupted (the paper: 10%); EL2N sorts by the noisy labels' },
    { key: 'noiseSeed', flag: 'noise-seed', kind: 'int', min: 0, value: 'n', help: "which noise draw: other noise on the same --seed's split and subset" },
    { key: 'noiseKind', flag: 'noise-kind', kind: 'choice', choices: NOISE_KINDS, value: 'kind', help: 'uniform: permute the labels of --label-noise of the trained examples; pairs: relabel look-alike classes' },
  ],
  'error-barrier': [
    ...TRAIN_OPTIONS,
    { key: 'spawnFractions', flag: 'spawn', kind: 'numbers', min: 0, lt: 1, value: 'fractions', help: 'spawn times as fractions of the budget (0 = initialization)' },
    { key: 'pairs', flag: 'pairs', kind: 'int', min: 1, value: 'n', help: 'children pairs per spawn time' },
    { key: 'subsetSize', flag: 'subset-size', kind: 'int', min: 1, value: 'k', help: 'examples in each of the highest / lowest / random subsets' },
    scoresFrom('score run for the subsets (default: EL2N of the parent at --score-epoch)'),
    { key: 'score', flag: 'score', kind: 'string', value: 'name', help: 'score table of --scores' },
    { key: 'scoreEpoch', flag: 'score-epoch', kind: 'int', min: 0, value: 't', help: 'epoch of the parent whose EL2N picks the subsets' },
    { key: 'alphaSteps', flag: 'alphas', kind: 'int', min: 1, value: 'n', help: 'intervals of the interpolation grid (n + 1 points)' },
    { key: 'bnBatches', flag: 'bn-batches', kind: 'int', min: 1, value: 'n', help: 'batches used to recompute batch-norm statistics of each interpolated network' },
    { key: 'testExamples', flag: 'test-examples', kind: 'int', min: 1, value: 'n', help: 'test examples the test error is measured on' },
  ],
  'el2n-grid': [
    // The grid scores EL2N alone (its resolve sets `scores`), so the options of the other scores are not offered.
    ...SCORE_OPTIONS.map((s): OptionSpec => {
      if (s.key === 'scores' || s.key === 'norm' || s.key === 'subset' || s.key === 'convMethod') return { ...s, internal: true };
      if (s.key === 'scoreEpoch') return { ...s, help: 'epoch at which EL2N is taken (0 = initialization)' };
      if (s.key === 'runs') return { ...s, help: 'seeds averaged at each grid point (one score run per point)' };
      return s;
    }),
    { key: 'lrs', flag: 'lrs', kind: 'numbers', gt: 0, value: 'list', help: 'learning rates' },
    { key: 'weightDecays', flag: 'weight-decays', kind: 'numbers', min: 0, value: 'list', help: 'weight decays' },
    { key: 'batchSizes', flag: 'batch-sizes', kind: 'numbers', min: 1, value: 'list', help: 'batch sizes' },
    { key: 'widths', flag: 'widths', kind: 'numbers', gt: 0, value: 'list', help: 'width multipliers' },
    { key: 'grid', flag: 'grid', kind: 'boolean', internal: true, help: 'marks the score run as a grid mean' },
    { key: 'runKind', flag: 'run-kind', kind: 'string', internal: true, help: 'the kind its run is recorded as' },
  ],
  audit: AUDIT_OPTIONS,
  'import-predictions': IMPORT_PREDICTIONS_OPTIONS,
  'import-scores': IMPORT_SCORES_OPTIONS,
  duplicates: [
    { short: 'd', key: 'dataset', flag: 'dataset', kind: 'string', value: 'spec', help: `${DATASETS} (default: the dataset of --run)` },
    TRAIN_OPTIONS.find((o) => o.key === 'imageSize')!,
    TRAIN_OPTIONS.find((o) => o.key === 'resize')!,
    { key: 'embeddingsFrom', flag: 'run', kind: 'string', value: 'run', help: 'compare the embeddings of this run (predictions/embeddings.npy: a score run\'s penultimate layer or backbone features) instead of pixel thumbnails' },
    { key: 'threshold', flag: 'threshold', kind: 'number', gt: 0, max: 1, value: 'cos', help: `lowest cosine similarity of near duplicates (default ${DUPLICATE_THRESHOLDS.thumbnails} for thumbnails, ${DUPLICATE_THRESHOLDS.embeddings} for embeddings)` },
    { key: 'neighbours', flag: 'neighbours', kind: 'int', min: 1, max: 100, value: 'k', help: 'nearest neighbours examined per image' },
    { key: 'knn', flag: 'knn', kind: 'choice', choices: KNN_METHODS, value: 'method', help: 'nearest-neighbour search: exact, hnsw (approximate index), or auto (by size)' },
    { key: 'seed', flag: 'seed', kind: 'int', min: 0, value: 'n', help: "root seed of the approximate index's random level draws" },
    TRAIN_OPTIONS.find((o) => o.key === 'backend')!,
    TRAIN_OPTIONS.find((o) => o.key === 'threads')!,
  ],
};

/** Parameters a job cannot run without. */
export const REQUIRED: { readonly [J in JobName]?: readonly (keyof JobParams[J] & string)[] } = {
  train: ['dataset'],
  score: ['dataset'],
  prune: ['dataset', 'scoresFrom'],
  window: ['dataset', 'scoresFrom'],
  strategies: ['dataset', 'scoresFrom'],
  entropy: ['scoresFrom'],
  overlap: ['scoresFrom'],
  'noise-study': ['scoresFrom'],
  'grad-heatmap': ['dataset'],
  'grad-sum': ['dataset'],
  'kernel-velocity': ['dataset'],
  'error-barrier': ['dataset'],
  'el2n-grid': ['dataset'],
  audit: ['dataset'],
  'import-predictions': ['dataset', 'probs'],
  'import-scores': ['dataset', 'scores'],
};

/**
 * The entries of `params` that are parameters of the job a user can set (no internal ones): what a recorded
 * configuration or a set of defaults for every job contributes to this one.
 */
export function paramsOf(job: JobName, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const known = new Set(JOB_OPTIONS[job].filter((o) => !o.internal).map((o) => o.key));
  return Object.fromEntries(Object.entries(params).filter(([k]) => known.has(k)));
}

/** What a caller passes to a job: any of its parameters (the experiment fills in the rest from its defaults). */
export type JobInput<J extends JobName> = Partial<JobParams[J]>;

/**
 * Checks parameters from outside the process (a protocol request, params.json, a cell) against the job's option
 * metadata: every name known, every value of its kind and in range, the required ones present. Undefined values
 * count as absent (a CLI passes unset options so).
 */
export function checkParams<J extends JobName>(job: J, input: Readonly<Record<string, unknown>>): JobInput<J> {
  const specs = JOB_OPTIONS[job];
  const byKey = new Map(specs.map((s) => [s.key, s]));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const spec = byKey.get(key);
    if (!spec) throw new Error(`${job}: unknown parameter "${key}" (known: ${specs.filter((s) => !s.internal).map((s) => s.key).join(', ')})`);
    const problem = optionProblem(spec, value);
    if (problem) throw new Error(`${job}: ${problem}`);
    out[key] = value;
  }
  for (const key of REQUIRED[job] ?? []) {
    if (out[key] === undefined) throw new Error(`${job} job needs "${key}" (--${byKey.get(key)?.flag ?? key})`);
  }
  return out as JobInput<J>;
}
