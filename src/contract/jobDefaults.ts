/**
 * Every job's defaults: what a parameter is when the caller leaves it out. Plain data, so the wizards, settings
 * and cells read them without loading the experiments; the experiments apply them (core/experiments).
 */
import type { StrategyName } from './choices';
import type { AuditParams, DuplicatesParams, El2nGridParams, EntropyParams, ErrorBarrierParams, GradHeatmapParams, GradSumParams, ImportPredictionsParams, ImportScoresParams, KernelVelocityParams, PruneParams, ScoreParams, TrainParams, WindowParams } from './jobParams';

/**
 * The validation split of every job that trains and evaluates (train, score, prune, window and the sweeps built on
 * them): one value, so a score run and the prune or window run over its scores hold out the same examples (same
 * --seed and --subset). A fraction of the examples used (of --subset when given). Score runs score the trained
 * examples only: --validation 0 scores every one.
 */
export const DEFAULT_VALIDATION = 0.1;

export const TRAIN_DEFAULTS: Omit<TrainParams, 'dataset'> = {
  model: 'cnn-small',
  width: 1,
  stem: 'auto',
  epochs: 2,
  batchSize: 128,
  lr: 0.05,
  momentum: 0.9,
  nesterov: true,
  weightDecay: 5e-4,
  milestones: [0.5, 0.75],
  gamma: 0.2,
  warmup: 0,
  seed: 0,
  validation: DEFAULT_VALIDATION,
  augment: 'auto',
  backend: 'auto',
  resize: 'crop',
};

export const SCORE_DEFAULTS: Omit<ScoreParams, 'dataset'> = {
  ...TRAIN_DEFAULTS,
  epochs: 2,
  scores: ['el2n', 'grand'],
  scoreEpoch: 1,
  runs: 2,
  norm: 'l2',
  subset: 'all',
  convMethod: 'auto',
  scoreBatch: 256,
  csv: false,
  predictions: true,
  labelNoise: 0,
  noiseSeed: 0,
  noiseKind: 'uniform',
};

export const PRUNE_DEFAULTS: Omit<PruneParams, 'dataset' | 'scoresFrom'> = {
  ...TRAIN_DEFAULTS,
  score: 'el2n',
  strategies: ['keep-top', 'random'],
  fractions: [0.3, 0.5, 0.7],
  seeds: 4,
  classBalanced: false,
  fullData: true,
};

export const WINDOW_DEFAULTS: Omit<WindowParams, 'dataset' | 'scoresFrom'> = {
  ...TRAIN_DEFAULTS,
  score: PRUNE_DEFAULTS.score,
  size: 0.4,
  offsets: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
  seeds: 2,
};

export const HEATMAP_DEFAULTS: Omit<GradHeatmapParams, 'dataset'> = {
  ...TRAIN_DEFAULTS,
  validation: 0,
  epochs: 5,
  sample: 128,
  subset: 'all',
  convMethod: 'auto',
  scoreBatch: 256,
};

export const GRADSUM_DEFAULTS: Omit<GradSumParams, 'dataset'> = {
  ...TRAIN_DEFAULTS,
  validation: 0,
  epochs: 2,
  batches: 32,
  convMethod: 'auto',
};

export const KERNEL_VELOCITY_DEFAULTS: Omit<KernelVelocityParams, 'dataset'> = {
  ...TRAIN_DEFAULTS,
  validation: 0,
  epochs: 3,
  batchSize: 64,
  trainSubset: 2000,
  score: 'el2n',
  windows: 10,
  windowSize: 50,
  labelNoise: 0,
  noiseSeed: 0,
  noiseKind: 'uniform',
};

export const ERROR_BARRIER_DEFAULTS: Omit<ErrorBarrierParams, 'dataset'> = {
  ...TRAIN_DEFAULTS,
  validation: 0,
  epochs: 2,
  batchSize: 32,
  trainSubset: 2000,
  spawnFractions: [0, 0.05, 0.1, 0.25, 0.5],
  pairs: 1,
  subsetSize: 500,
  score: 'el2n',
  scoreEpoch: 1,
  alphaSteps: 10,
  bnBatches: 20,
  testExamples: 2000,
};

export const EL2N_GRID_DEFAULTS: Omit<El2nGridParams, 'dataset'> = {
  ...SCORE_DEFAULTS,
  scores: ['el2n'],
  runs: 1,
  trainSubset: 2000,
  lrs: [0.02, 0.05],
  weightDecays: [TRAIN_DEFAULTS.weightDecay],
  batchSizes: [32, 128],
  widths: [0.5, 1],
};

export const ENTROPY_DEFAULTS: Omit<EntropyParams, 'scoresFrom'> = { seed: 0, randomDraws: 10 };

/**
 * Max-Gradient vs Non-extreme Max-Gradient vs Gradient-CDF vs random (Vodrahalli et al. 2018, Fig. 3, 4, 8, 9):
 * the prune sweep with the paper's four strategies over gradient-magnitude scores (GraNd at the score run's
 * epoch: the exact per-example gradient norm). Only the defaults differ from `datadiet prune`; the table is the
 * sweep's prune-sweep.json.
 */
export const PAPER_STRATEGIES: readonly StrategyName[] = ['keep-top', 'non-extreme', 'gradient-cdf', 'random'];

export const STRATEGY_COMPARISON_DEFAULTS: Omit<PruneParams, 'dataset' | 'scoresFrom'> = {
  ...PRUNE_DEFAULTS,
  score: 'grand',
  strategies: PAPER_STRATEGIES,
  // Subset sizes from a small fraction kept up to most of the data, as the paper's x axis.
  fractions: [0.5, 0.8, 0.9, 0.95],
  seeds: 2,
  dropFraction: 0.05,
};

/**
 * The label audit: the score job's training schedule, 5 folds (cleanlab's default), no validation split (each fold
 * is predicted by a model that never saw it, so the out-of-fold accuracy is the honest one).
 */
export const AUDIT_DEFAULTS: Omit<AuditParams, 'dataset'> = {
  ...TRAIN_DEFAULTS,
  epochs: SCORE_DEFAULTS.epochs,
  validation: 0,
  folds: 5,
  filter: 'prune_by_noise_rate',
  includeTest: true,
  labelNoise: 0,
  noiseSeed: 0,
  noiseKind: 'uniform',
  csv: false,
};
/** Imported predictions are taken as out-of-sample (a model that never trained on them) unless --in-sample. */
export const IMPORT_PREDICTIONS_DEFAULTS: Omit<ImportPredictionsParams, 'dataset' | 'probs'> = { logits: false, inSample: false, resize: 'crop' };

export const IMPORT_SCORES_DEFAULTS: Omit<ImportScoresParams, 'dataset' | 'scores'> = { resize: 'crop' };

/**
 * The cosine similarity from which two images are near duplicates, by what is compared (docs/duplicates.md has the
 * measurements): the 16 x 16 gray thumbnails of a resized or JPEG-recompressed copy of a photo keep 0.995 and more,
 * while 1% of MNIST digits have a different digit above 0.99. A classifier's penultimate layer gathers each class
 * tightly: a tenth of MNIST examples have another example above 0.99 there, so embeddings need a stricter default.
 */
export const DUPLICATE_THRESHOLDS = { thumbnails: 0.99, embeddings: 0.998 } as const;

export const DUPLICATES_DEFAULTS: Omit<DuplicatesParams, 'dataset'> = { neighbours: 10, knn: 'auto', seed: 0, backend: 'auto' };
