/**
 * The reproduction's settings in one flat place (as mansheej/data_diet keeps one config): per dataset the model and
 * the training budget that trains it properly, and for the whole study the number of scoring runs, repeats,
 * fractions and windows. Every job of the study is built from these (studyPlan.ts); change one here and the runs
 * that depend on it are new runs, while the others are found finished and not trained again.
 */
import type { Architecture } from '../../src/contract/choices';

/** How one dataset is trained everywhere in the study (scoring runs, retrainings, dynamics). */
export interface DatasetStudy {
  /** Dataset spec as the CLI takes it: mnist, fashion-mnist, cifar10:<dir>, ... */
  readonly dataset: string;
  /** Short name for file names and headings. */
  readonly name: string;
  readonly model: Architecture;
  readonly width: number;
  /** The full-data budget in epochs; every retraining keeps its iteration count. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly weightDecay: number;
  /** Fractions of the budget where the learning rate is multiplied by 0.2 (absent: the product's default). */
  readonly milestones?: readonly number[];
  /** Fraction of the budget over which the learning rate rises linearly to lr (absent: none). */
  readonly warmup?: number;
  /** Epoch of the "early" scores: about 10% of training, as the paper recommends (epoch 20 of 200). */
  readonly scoreEpoch: number;
  /** The other architecture of the transfer experiment (scores of one model prune for the other). */
  readonly transferModel: Architecture;
  /** Sliding-window size as a fraction of the training set. */
  readonly windowSize: number;
  /** Training subset (quick passes only); absent: the whole training split. */
  readonly subset?: number;
  /** Examples in the training split (the dynamics jobs default to a subset; given this, they take all of them). */
  readonly trainExamples: number;
}

export interface StudyConfig {
  readonly datasets: readonly DatasetStudy[];
  /** K: independent runs averaged in every score. */
  readonly runs: number;
  /** Repeats (seeds) per prune-sweep point, for the 16-84 band. */
  readonly seeds: number;
  /** Pruned fractions of the headline EL2N-vs-random curve. */
  readonly fractions: readonly number[];
  /** Pruned fractions of the other scores' curves (a coarser grid over the same range). */
  readonly otherFractions: readonly number[];
  /** Pruned fractions and repeats of the transfer, label-free and grid comparisons. */
  readonly fewFractions: readonly number[];
  readonly fewSeeds: number;
  /** The one pruned fraction of the label-free comparison (the paper's Fig. 9 bars: 50%). */
  readonly labelFreeFraction: number;
  /** How much of the hardest end each window leaves out, as fractions of the training set (0 = up to the top). */
  readonly windowTopExcluded: readonly number[];
  readonly windowSeeds: number;
  /** Injected label noise of the noise studies (uniform, as the paper). */
  readonly labelNoise: number;
  /** The gradient-importance paper: kept fractions of the training set (their subset sizes). */
  readonly keptFractions: readonly number[];
  readonly strategySeeds: number;
  /** Data Diet appendix E.4: learning rates x weight decays, one network each. */
  readonly gridLrs: readonly number[];
  readonly gridWeightDecays: readonly number[];
  /** Kernel velocity: windows of this many contiguous score-sorted examples, this many windows. */
  readonly velocityWindowSize: number;
  readonly velocityWindows: number;
  /** Error barrier: the highest and lowest this many examples (the paper's 1000), spawn times, child pairs. */
  readonly barrierSubset: number;
  readonly barrierSpawns: readonly number[];
  readonly barrierPairs: number;
  /** Gradient-magnitude heatmap sample (the paper's 512) and the minibatches of the gradient-sum study. */
  readonly heatmapSample: number;
  readonly gradSumBatches: number;
  /** Root seed of the whole study: every run derives its own streams from it (docs/randomness.md). */
  readonly seed: number;
}

/**
 * Full scale. Budgets measured to train properly on full data with cnn-small: MNIST 99.1-99.2% test accuracy after
 * 8 epochs, Fashion-MNIST 91.4% after 6 (the issue asks >= 99.0% and >= 90%). cnn-small has no batch norm: at lr
 * 0.05 without a warmup a retraining on a random 40% of MNIST collapsed to a constant prediction in its first epoch
 * (loss 2.64, test 11.35%), and the same retraining with a 5% linear warmup reached 98.98%, so every cnn-small
 * training of the study warms up.
 */
export const FULL_STUDY: StudyConfig = {
  datasets: [
    { dataset: 'mnist', name: 'mnist', model: 'cnn-small', width: 1, epochs: 8, batchSize: 128, lr: 0.05, weightDecay: 5e-4, warmup: 0.05, scoreEpoch: 1, transferModel: 'mlp', windowSize: 0.1, trainExamples: 60_000 },
    { dataset: 'fashion-mnist', name: 'fashion-mnist', model: 'cnn-small', width: 1, epochs: 6, batchSize: 128, lr: 0.05, weightDecay: 5e-4, warmup: 0.05, scoreEpoch: 1, transferModel: 'mlp', windowSize: 0.4, trainExamples: 60_000 },
  ],
  runs: 10,
  seeds: 4,
  fractions: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
  otherFractions: [0.1, 0.3, 0.5, 0.7, 0.9],
  fewFractions: [0.3, 0.5, 0.7],
  fewSeeds: 2,
  labelFreeFraction: 0.5,
  windowTopExcluded: [0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.3],
  windowSeeds: 2,
  labelNoise: 0.1,
  keptFractions: [0.005, 0.01, 0.03, 0.1, 0.3],
  strategySeeds: 2,
  gridLrs: [0.2, 0.1, 0.05],
  gridWeightDecays: [1e-3, 5e-4, 1e-4],
  velocityWindowSize: 100,
  velocityWindows: 30,
  barrierSubset: 1000,
  barrierSpawns: [0, 0.02, 0.05, 0.1, 0.25, 0.5],
  barrierPairs: 1,
  heatmapSample: 512,
  gradSumBatches: 32,
  seed: 0,
};

/**
 * The Data Diet paper's CIFAR-10 setting (appendix A): ResNet18, 200 epochs at batch 128, SGD lr 0.1 with Nesterov
 * momentum and weight decay 5e-4, lr x0.2 after epochs 60, 120 and 160; scores at epoch 20. Used for a dataset spec
 * cifar10:<dir> (a cluster run: docs/cluster.md).
 */
export function cifar10Study(spec: string): DatasetStudy {
  return { dataset: spec, name: 'cifar10', model: 'resnet18', width: 1, epochs: 200, batchSize: 128, lr: 0.1, weightDecay: 5e-4, milestones: [0.3, 0.6, 0.8], scoreEpoch: 20, transferModel: 'vgg13', windowSize: 0.4, trainExamples: 50_000 };
}

/** Minutes instead of days: the same study on a small subset, fewer runs and repeats (a smoke test of the pipeline). */
export function quickStudy(full: StudyConfig = FULL_STUDY, subset = 3000): StudyConfig {
  return {
    ...full,
    datasets: full.datasets.map((d) => quickDataset(d, subset)),
    runs: 2,
    seeds: 2,
    fractions: [0.5, 0.8],
    otherFractions: [0.5],
    fewFractions: [0.5],
    fewSeeds: 1,
    windowTopExcluded: [0, 0.05, 0.3],
    windowSeeds: 1,
    keptFractions: [0.05, 0.3],
    strategySeeds: 1,
    gridLrs: [0.05, 0.025],
    gridWeightDecays: [5e-4],
    velocityWindowSize: 20,
    velocityWindows: 5,
    barrierSubset: 200,
    barrierSpawns: [0, 0.5],
    heatmapSample: 64,
    gradSumBatches: 4,
  };
}

/** A dataset's quick version: a subset, 2 epochs at batch 32 (linearly scaled lr), ResNets at a quarter width. */
export function quickDataset(d: DatasetStudy, subset = 3000): DatasetStudy {
  return { ...d, epochs: 2, scoreEpoch: 1, subset, batchSize: 32, lr: (d.lr * 32) / d.batchSize, width: d.model.startsWith('resnet') || d.model.startsWith('vgg') ? Math.min(d.width, 0.25) : d.width };
}

