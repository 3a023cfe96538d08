/**
 * The parameters of every job, typed once: what the engine protocol, the CLI, the wizards and notebook cells pass,
 * and what a run records in params.json. Defaults are applied by each experiment (core/experiments); the option
 * metadata that checks them is in jobOptions.ts.
 */
import type { Architecture, BackboneInputRange, BackendChoice, ConvMethod, IssueFilter, KnnMethod, NoiseKind, NormKind, ParamSubset, ResizeMode, ScoreName, StemChoice, StrategyName } from './choices';
import type { JobName } from './jobNames';

export interface TrainParams {
  /** Dataset spec: `mnist`, `fashion-mnist`, `cifar10:<dir>`, `folder:<dir>`, `csv:<file>`, or a path. */
  readonly dataset: string;
  readonly model: Architecture;
  readonly width: number;
  /** ResNets' stem (choices.ts STEM_CHOICES); a run records what `auto` resolved to. Other models ignore it. */
  readonly stem: StemChoice;
  /** Epochs of the full training split; the iteration budget is derived from it (see `steps`). */
  readonly epochs: number;
  /** Explicit iteration budget; overrides epochs. Pruned subsets keep the full-data budget. */
  readonly steps?: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  /** Fractions of the budget at which the learning rate is multiplied by `gamma`. */
  readonly milestones: readonly number[];
  readonly gamma: number;
  /** Fraction of the budget over which the learning rate rises linearly to `lr` (0 = none). */
  readonly warmup: number;
  /** Root seed: initialization, data order, split and subset each draw from their own stream of it. */
  readonly seed: number;
  /**
   * Root seed of data order and augmentation, to vary them while the initialization stays; by default they come
   * from the run's own `train` stream (docs/randomness.md).
   */
  readonly dataSeed?: number;
  /** Fraction (0..1) or count (>= 1) of the training split held out for validation, stratified. */
  readonly validation: number;
  readonly augment: 'auto' | boolean;
  readonly backend: BackendChoice;
  readonly threads?: number;
  /** Train on a seeded random subset of this many training examples (quick looks, tests). */
  readonly trainSubset?: number;
  /** Id of a failed or cancelled run to continue from its last epoch checkpoint (see store/resumePoint.ts). */
  readonly resumedFrom?: string;
  /** annotations.jsonl whose label corrections and exclusions apply to the training split (annotations/apply.ts). */
  readonly annotations?: string;
  /** Bring every image to imageSize x imageSize pixels (core/data/imageGeometry.ts); absent = their own size. */
  readonly imageSize?: number;
  /** How: 'crop' (shorter side to the size, centre crop) or 'pad' (longer side to the size, black padding). */
  readonly resize: ResizeMode;
  /**
   * A TensorFlow.js model folder (model.json + weight shards) used frozen as a feature extractor: `model` is then a
   * head (linear or mlp) trained on its features, computed once and cached (core/backbone/).
   */
  readonly backbone?: string;
  /** The pixel range the backbone expects; default 0-1 (0-255 for models with integer inputs). */
  readonly backboneInput?: BackboneInputRange;
}

export interface ScoreParams extends TrainParams {
  readonly scores: readonly ScoreName[];
  /** Epoch t at which pointwise scores are taken (0 = initialization). Dynamics scores cover epochs 1..t. */
  readonly scoreEpoch: number;
  /** K independent runs (the `score-run[run=k]` streams of the root seed). */
  readonly runs: number;
  /** gradmag options. */
  readonly norm: NormKind;
  readonly subset: ParamSubset;
  readonly convMethod: ConvMethod;
  /** Examples per per-example-gradient chunk (memory bound). */
  readonly scoreBatch: number;
  /** Also write CSV next to Parquet and .npy. */
  readonly csv: boolean;
  /**
   * Keep every run's class probabilities and run 0's embeddings (predictions/): what label-error review, suspects and
   * similarity read. Off for sweeps that only need the scores: they cost K x N x classes floats per run.
   */
  readonly predictions: boolean;
  /** Inject label noise into this fraction of the trained examples (noise study); 0 = none. */
  readonly labelNoise: number;
  readonly noiseSeed: number;
  /** uniform (a fraction of all trained examples, permuted) or pairs (a fraction of each look-alike class). */
  readonly noiseKind: NoiseKind;
}

/**
 * Prune sweep (Data Diet, figure 1): for each pruned fraction x strategy x seed, retrain from scratch on the kept
 * subset with the SAME iteration budget and schedule as full data, and record test accuracy; full-data runs are the
 * baseline. Scores come from an earlier `score` run on the same dataset (checked by fingerprint).
 */
export interface PruneParams extends TrainParams {
  /** Score run: its id (under the root) or its folder. */
  readonly scoresFrom: string;
  /** Score table in that run, e.g. "el2n". */
  readonly score: string;
  readonly strategies: readonly StrategyName[];
  /** Fractions of the training examples pruned, in (0, 1). */
  readonly fractions: readonly number[];
  /** Repeats per point: repeat s trains from the `retrain[fraction,repeat=s,strategy]` stream, draws from `select[...]`. */
  readonly seeds: number;
  readonly classBalanced: boolean;
  /**
   * Retrain on all the data too (one `full-r<s>` unit per repeat), the baseline of the curve. Off for a sweep whose
   * baseline another sweep with the same seed and budget already has: its full-data retrainings are the same.
   */
  readonly fullData: boolean;
  /** 'non-extreme': fraction dropped from the top first. */
  readonly dropFraction?: number;
}

/**
 * Sliding-window sweep (Data Diet, section 5): sort the training examples by score, skip the lowest `offset`, keep
 * the next `size`, retrain with the full-data budget, for a range of offsets. The best window is chosen on the
 * validation split (never on test) and its test accuracy reported.
 */
export interface WindowParams extends TrainParams {
  readonly scoresFrom: string;
  readonly score: string;
  /** Window size: a fraction (< 1) or a count of the training examples. */
  readonly size: number;
  /** Offsets as fractions of the training examples (each offset + size must fit). */
  readonly offsets: readonly number[];
  readonly seeds: number;
}

/**
 * Gradient-magnitude heatmap (Vodrahalli et al. 2018, Fig. 2 and 5): the exact per-example gradient norm
 * ||grad_w loss(x_i, y_i)|| of a random sample of training examples at initialization and at the end of every
 * epoch of one training run. The paper sees all magnitudes start alike and spread apart as training goes on, so
 * that late in training only some examples still move the weights.
 */
export interface GradHeatmapParams extends TrainParams {
  /** Examples sampled from the trained ones. */
  readonly sample: number;
  /** Root seed of the sample, to vary it alone (default: the run's seed; either way its `heatmap-sample` stream). */
  readonly sampleSeed?: number;
  /** Parameters the gradient norm runs over: all (GraNd), or the classifier's weights (the paper's choice for MNIST). */
  readonly subset: ParamSubset;
  readonly convMethod: ConvMethod;
  /** Examples per per-example-gradient chunk. */
  readonly scoreBatch: number;
}

export interface GradSumParams extends TrainParams {
  /** Random minibatches measured at each epoch. */
  readonly batches: number;
  /** Examples per measured minibatch (default: the training batch size, as in the paper). */
  readonly gradBatchSize?: number;
  readonly convMethod: ConvMethod;
}

/**
 * Label entropy of the top-k examples vs k (Vodrahalli et al. 2018, Fig. 7 and 12) for the scores of a score run,
 * next to the uniform baseline ln K and the entropy of random top-k sets (what an unbiased selection gives). A
 * curve well below the baseline at small k says the highest scores crowd into a few classes.
 */
export interface EntropyParams {
  /** Score run: id under the root, or its folder. */
  readonly scoresFrom: string;
  /** Score tables to analyse (default: every score the run computed). */
  readonly scores?: readonly string[];
  /** k values: counts, or fractions (< 1) of the scored examples (default: 10, 20, 50, ... up to all). */
  readonly ks?: readonly number[];
  /** Root seed of the random baseline's rankings (draw d is its `entropy-baseline[draw=d]` stream). */
  readonly seed: number;
  /** Random rankings averaged for the random baseline. */
  readonly randomDraws: number;
}

/**
 * Overlap |S1 ∩ S2| / k of the top-k sets of two models vs k (Vodrahalli et al. 2018, Fig. 6), with the chance
 * level k/N of two unrelated rankings. The two models are either the independent runs a score run keeps
 * (run_0, run_1, ... columns: same architecture, different seeds), or two score runs (e.g. two architectures),
 * or two scores of one run.
 */
export interface OverlapParams {
  readonly scoresFrom: string;
  /** Score table of the first run (default: the run's first score). */
  readonly score?: string;
  /** Second score run (id or folder). Absent (and no againstScore): compare the first run's per-run columns. */
  readonly against?: string;
  /** Score table of the second run (default: the same name as `score`). */
  readonly againstScore?: string;
  readonly ks?: readonly number[];
}

/**
 * Noise study read-out of a score run made with injected label noise (`score --label-noise`): per score, the
 * distribution of clean vs corrupted examples (Data Diet Fig. 14) and how well the score finds the corrupted ones
 * (AUROC, average precision, precision@k; AUM and the data-map scores count low as suspicious).
 */
export interface NoiseStudyParams {
  readonly scoresFrom: string;
  /** Score tables (default: every score of the run). */
  readonly scores?: readonly string[];
}

/**
 * NTK kernel velocity along the score-sorted data (Data Diet section 5.1, Fig. 3): sort the trained examples by
 * score (ascending), take `windows` windows of `windowSize` contiguous examples spread evenly from the lowest to
 * the highest scores, and for each window the cosine distance between its logit-NTK Gram matrix at the end of
 * epoch t and at the end of epoch t + 1 (t = 0: initialization). Scores are EL2N of this very model at epoch t,
 * as in the paper, unless a score run is given (then one fixed order for all epochs).
 */
export interface KernelVelocityParams extends TrainParams {
  /** Score run to sort by (id or folder); absent: EL2N of the trained model at each epoch t. */
  readonly scoresFrom?: string;
  readonly score: string;
  readonly windows: number;
  readonly windowSize: number;
  /** Train on labels of which this fraction is corrupted (Data Diet Fig. 3, right: 10%); 0 = clean. */
  readonly labelNoise: number;
  readonly noiseSeed: number;
  readonly noiseKind: NoiseKind;
}

/**
 * Linear-mode-connectivity error barrier on score subsets (Data Diet section 5.2, Fig. 4; Frankle et al. 2020).
 * A parent is trained; at each spawn step t* its weights are copied into two children that finish the budget T
 * on ALL trained examples with independent data orders (the parent's learning-rate schedule continues from t*;
 * the momentum buffer starts fresh). The children are interpolated at alphas 0..1 and the error is measured on
 * three subsets of the training data, as in the paper: the `subsetSize` highest- and lowest-scoring examples and a
 * random subset, plus the test split. barrier = max over alpha of err(alpha) - [(1 - alpha) err(0) + alpha err(1)].
 *
 * Batch norm: the running statistics are NOT interpolated for evaluation; they are recomputed for every
 * interpolated network from `bnBatches` training batches (the average of two networks' statistics is not the
 * statistics of the averaged network, and using it inflates the barrier). Models without batch norm skip this.
 *
 * Scores: EL2N of the parent at the end of epoch `scoreEpoch` (the paper: epoch 10), or a given score run.
 */
export interface ErrorBarrierParams extends TrainParams {
  /** Spawn times as fractions of the budget (t* = round(f T)); 0 spawns from the initialization. */
  readonly spawnFractions: readonly number[];
  /** Children pairs per spawn time. */
  readonly pairs: number;
  readonly subsetSize: number;
  readonly scoresFrom?: string;
  readonly score: string;
  readonly scoreEpoch: number;
  /** Intervals of the alpha grid (intervals + 1 points). */
  readonly alphaSteps: number;
  readonly bnBatches: number;
  /** Evaluate the test error on the first this many test examples (all when absent). */
  readonly testExamples?: number;
}

/**
 * EL2N averaged over a hyperparameter grid (learning rate x weight decay x batch size x width; the Data Diet
 * appendix E.4 grid is learning rates 0.2, 0.1, 0.05 x weight decays 1e-3, 5e-4, 1e-4): one score run per grid point
 * (each itself a mean over `runs` seeds), then the mean of the grid points' scores, and the Spearman correlation
 * between every pair of grid points and of each with the grid mean: how much the ranking depends on the
 * hyperparameters, and a ranking that depends on them less.
 *
 * The result is itself a score run (kind "score") whose "el2n" table holds the grid mean, one per-run column per
 * grid point, so `prune --scores <this run>` prunes with it like with any score run.
 */
export interface El2nGridParams extends ScoreParams {
  readonly lrs: readonly number[];
  readonly weightDecays: readonly number[];
  readonly batchSizes: readonly number[];
  readonly widths: readonly number[];
}

/**
 * Cross-validated label audit (`datadiet audit --folds K`): the audited rows (the train split or its --subset, and
 * with `includeTest` the whole test split) are split into K folds stratified by given label; fold k's rows are
 * predicted by a model trained on the other folds (one work unit per fold), so every row gets out-of-sample
 * probabilities. Confident learning (Northcutt, Jiang & Chuang, JAIR 2021) then estimates the noise and flags the
 * label issues. No validation split: the out-of-fold accuracy is the honest accuracy.
 */
export interface AuditParams extends TrainParams {
  /** K folds, at least 2: fold k draws its init and data order from the `audit-fold[fold=k]` stream. */
  readonly folds: number;
  /** Confident learning's filter picking the issues (choices.ts ISSUE_FILTERS). */
  readonly filter: IssueFilter;
  /** Audit the test split's rows too (false: the train split, or its subset, only). */
  readonly includeTest: boolean;
  /** Inject label noise into this fraction of the audited train rows (measures detection); 0 = none. */
  readonly labelNoise: number;
  readonly noiseSeed: number;
  /** uniform (permutation) or pairs (the dataset's look-alike classes). */
  readonly noiseKind: NoiseKind;
  /** Also write CSV next to Parquet and .npy. */
  readonly csv: boolean;
}

/**
 * A user's own model's predictions imported as a run (`datadiet import-predictions`): an N x K .npy of
 * probabilities (or logits) with one row per dataset row (core/data/datasetRows.ts), checked against the dataset
 * and recorded like a score run's predictions, so suspects, the review queue and manifest hints read them.
 */
export interface ImportPredictionsParams {
  readonly dataset: string;
  /** The N x K .npy file (absolute once resolved). */
  readonly probs: string;
  /** The file holds logits (scores before softmax): they are softmaxed per row. */
  readonly logits: boolean;
  /** An N x D .npy of the same rows' embeddings (features), kept as predictions/embeddings.npy. */
  readonly embeddings?: string;
  /** The model saw these examples in training: recorded as in-sample (suspects then use the threshold). */
  readonly inSample: boolean;
  /** A label for the run ("resnet50 5-fold"), shown in listings. */
  readonly name?: string;
  readonly imageSize?: number;
  readonly resize: ResizeMode;
}

/**
 * A user's own per-example scores imported as a score run (`datadiet import-scores`): `name=file` pairs, each an
 * (N,) or (N, 1) .npy over the dataset rows, written as score tables of the training split that prune, window,
 * histograms and galleries read.
 */
export interface ImportScoresParams {
  readonly dataset: string;
  /** `name=file` pairs (files absolute once resolved). */
  readonly scores: readonly string[];
  readonly name?: string;
  readonly imageSize?: number;
  readonly resize: ResizeMode;
}

/**
 * Exact and near duplicates of a dataset, train and test split alike (core/experiments/duplicates.ts): byte-identical
 * decoded images, and images whose vectors (perceptual thumbnails, or a run's embeddings) are at least `threshold`
 * cosine-similar; groups spanning both splits are train/test leakage, groups with different labels label conflicts.
 */
export interface DuplicatesParams {
  /** Dataset spec; default: the dataset of `embeddingsFrom`. */
  readonly dataset?: string;
  readonly imageSize?: number;
  readonly resize?: ResizeMode;
  /** A run (id or folder) whose predictions/embeddings.npy are compared instead of perceptual thumbnails. */
  readonly embeddingsFrom?: string;
  /** Lowest cosine similarity of near duplicates; default by what is compared (duplicates.ts). */
  readonly threshold?: number;
  /** Nearest neighbours examined per image: a group is found through chains of these. */
  readonly neighbours: number;
  readonly knn: KnnMethod;
  /** Root seed of the approximate index's level draws (its `neighbour-index` stream). */
  readonly seed: number;
  readonly backend: BackendChoice;
  readonly threads?: number;
}

/** Job name -> its parameters. */
export interface JobParams {
  readonly train: TrainParams;
  readonly score: ScoreParams;
  readonly prune: PruneParams;
  readonly window: WindowParams;
  readonly entropy: EntropyParams;
  readonly overlap: OverlapParams;
  readonly 'grad-heatmap': GradHeatmapParams;
  readonly 'grad-sum': GradSumParams;
  readonly strategies: PruneParams;
  readonly 'noise-study': NoiseStudyParams;
  readonly 'kernel-velocity': KernelVelocityParams;
  readonly 'error-barrier': ErrorBarrierParams;
  readonly 'el2n-grid': El2nGridParams;
  readonly audit: AuditParams;
  readonly 'import-predictions': ImportPredictionsParams;
  readonly 'import-scores': ImportScoresParams;
  readonly duplicates: DuplicatesParams;
}

// Every job has its parameters (a compile error here names a job without them).
export type JobParamsCovered = { readonly [J in JobName]: JobParams[J] };
