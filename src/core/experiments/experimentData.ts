import { createHash } from 'node:crypto';
import type { TrainParams } from '../../contract/jobParams';
import type { Report } from '../jobs/experiment';
import { stepsPerEpoch } from '../train/trainLoop';
import type { DatasetSplits, ImageDataset } from '../data/dataset';
import { fingerprint } from '../data/fingerprint';
import { loadDataset, type DatasetInfo } from '../data/load';
import { channelStats, type ChannelStats } from '../data/normalize';
import { injectLabelNoise } from '../data/noise';
import { FASHION_MNIST_NOISE_PAIRS, injectPairNoise, MNIST_NOISE_PAIRS, type NoisePairs } from '../data/classConditionalNoise';
import { splitValidation, subset } from '../data/split';
import { dataStreams } from './experimentStreams';
import type { DatasetRecord } from '../store/runManifest';
import { loadAnnotationsFor } from '../annotations/datasetAnnotations';
import { reportWarnings, stepBudgetWarning } from './budgetWarnings';
import { InputError } from '../inputError';
import type { BackboneInputRange, NoiseKind, ResizeMode } from '../../contract/choices';
import type { DatasetKind } from '../data/load';
import type { BackboneRecord } from '../../contract/runManifest';
import { withBackboneFeatures } from '../backbone/datasetFeatures';
import { describeGeometry, geometryOf, NATIVE_GEOMETRY, type ImageGeometry } from '../data/imageGeometry';
import { cacheDir } from '../store/runStore';

/**
 * The data every experiment works on: the dataset's train split in its original order (scores are reported in
 * that order), the indices of it used for training (validation held out, optional subset), the validation and test
 * sets, and normalization statistics from the training examples.
 */
export interface ExperimentData {
  readonly splits: DatasetSplits;
  readonly info: DatasetInfo;
  /** The full train split, original order. */
  readonly train: ImageDataset;
  /** Indices into `train` that are trained on. */
  readonly trainIndices: Int32Array;
  /** Indices into `train` held out for validation. */
  readonly valIndices: Int32Array;
  readonly val?: ImageDataset;
  /** The test split as evaluated: with --annotations, corrected labels and without excluded examples. */
  readonly test: ImageDataset;
  /** Index into `splits.test` of each example of `test`, ascending (all of them unless annotations excluded some). */
  readonly testIndices: Int32Array;
  readonly stats: ChannelStats;
  readonly record: DatasetRecord;
  /** When label noise was injected: 1 for training examples whose label now differs from the original (dataset order). */
  readonly corrupted?: Uint8Array;
  /** The original labels of the train split, before noise. */
  readonly cleanLabels: Int32Array;
}

export interface DataOptions {
  readonly dataset: string;
  /** Fraction (< 1) or count (>= 1) of the train split held out for validation; 0 = none. */
  readonly validation: number;
  /**
   * The experiment's root seed: the validation split, the subset and the label noise draw from its
   * `validation-split`, `subset` and `noise` streams, so every experiment with this seed sees the same data.
   */
  readonly seed: number;
  /**
   * Use a seeded random subset of this many examples of the train split; the validation split (a fraction of them)
   * is held out of it, so `validation` never takes more than the subset allows.
   */
  readonly trainSubset?: number;
  /** Fraction of the trained examples whose labels are permuted among themselves (Data Diet's noise protocol). */
  readonly labelNoise?: number;
  /** Which noise draw (an index of the `noise` stream; default 0): other noise on the same split and subset. */
  readonly noiseSeed?: number;
  /** uniform (default) or pairs: a fraction of each look-alike class relabelled as its pair (datasets with known pairs). */
  readonly noiseKind?: NoiseKind;
  /** annotations.jsonl whose corrected labels and exclusions apply (after any injected noise: they fix it). */
  readonly annotations?: string;
  /** --image-size / --resize. */
  readonly imageSize?: number;
  readonly resize?: ResizeMode;
  /** `.datadiet/cache` of the run's root: decoded images are kept there. */
  readonly cacheDir?: string;
  /** --backbone / --backbone-input: train on a frozen model's features. */
  readonly backbone?: string;
  readonly backboneInput?: BackboneInputRange;
  /** Progress while image files are decoded. */
  readonly report?: Report;
  readonly signal?: AbortSignal;
}

/** The geometry is hashed too when images were resized: the same files at two sizes are two datasets. */
export function datasetFingerprint(splits: DatasetSplits, geometry: ImageGeometry = NATIVE_GEOMETRY): string {
  const h = createHash('sha256').update(fingerprint(splits.train)).update(fingerprint(splits.test));
  if (geometry.size !== undefined) h.update(describeGeometry(geometry));
  return h.digest('hex');
}

export async function prepareData(o: DataOptions): Promise<ExperimentData> {
  const geometry = geometryOf(o.imageSize, o.resize);
  const loaded = await loadDataset(o.dataset, { geometry, cacheDir: o.cacheDir, signal: o.signal, onProgress: loadProgress(o.report, 'decoding images') });
  const { info } = loaded;
  let splits = loaded.splits;
  // The fingerprint names the images; the backbone is recorded next to it.
  const imagesFingerprint = datasetFingerprint(splits, geometry);
  let backbone: BackboneRecord | undefined;
  if (o.backbone) {
    const progress = loadProgress(o.report, 'backbone features');
    ({ splits, record: backbone } = await withBackboneFeatures(splits, { dir: o.backbone, inputRange: o.backboneInput }, {
      cacheDir: o.cacheDir,
      signal: o.signal,
      onProgress: (split, done, total) => progress?.(done, total, split),
    }));
  }
  const streams = dataStreams(o.seed, o.noiseSeed);
  const held = holdOutValidation(splits.train, o, streams);
  let trainIndices = held.trainIndices;
  const val = held.val.labels.length ? held.val : undefined;
  let train = splits.train;
  let corrupted: Uint8Array | undefined;
  if (o.labelNoise) {
    // Noise touches only the examples trained on; validation and test labels stay clean.
    const trained = Int32Array.from(trainIndices, (i) => splits.train.labels[i]);
    const noise = o.noiseKind === 'pairs' ? injectPairNoise(trained, o.labelNoise, noisePairsOf(info.kind, o.dataset), streams.noise.rng()) : injectLabelNoise(trained, o.labelNoise, streams.noise.rng());
    const labels = Int32Array.from(splits.train.labels);
    corrupted = new Uint8Array(labels.length);
    trainIndices.forEach((i, j) => {
      labels[i] = noise.labels[j];
      corrupted![i] = noise.corrupted[j];
    });
    train = { ...splits.train, labels, name: `${splits.train.name}+noise${o.labelNoise}` };
  }
  let notes: string[] = [];
  let test = splits.test;
  let testIndices = Int32Array.from({ length: test.labels.length }, (_, j) => j);
  if (o.annotations) {
    // Index keys name test rows (trainCount + j) only where the dataset has splits of its own (data/datasetRows.ts).
    const a = loadAnnotationsFor(train, o.annotations, { dataset: splits.test, indexed: !info.heldOut });
    train = { ...train, labels: a.labels, name: `${train.name}+annotated` };
    trainIndices = trainIndices.filter((i) => !a.excluded[i]);
    if (a.test && (a.test.excluded.some((x) => x) || a.test.labels.some((y, j) => y !== splits.test.labels[j]))) {
      testIndices = testIndices.filter((j) => !a.test!.excluded[j]);
      const relabeled = { ...splits.test, labels: a.test.labels };
      test = testIndices.length === relabeled.labels.length ? { ...relabeled, name: `${splits.test.name}+annotated` } : subset(relabeled, testIndices, `${splits.test.name}+annotated`);
    }
    // Injected noise that the annotations fixed is no longer noise.
    if (corrupted) corrupted = corrupted.map((c, i) => (c && a.labels[i] !== splits.train.labels[i] ? 1 : 0));
    notes = a.notes;
  }
  return {
    splits,
    info: notes.length ? { ...info, notes: [...info.notes, ...notes] } : info,
    train,
    corrupted,
    cleanLabels: splits.train.labels,
    trainIndices,
    valIndices: held.valIndices,
    val,
    test,
    testIndices,
    // Over every example not held out for validation (not only the subset), as before subsets were drawn first.
    stats: channelStats(held.notVal),
    record: {
      spec: o.dataset,
      name: splits.train.name,
      // The fingerprint names the data on disk; injected noise is recorded in the run config, not here.
      fingerprint: imagesFingerprint,
      shape: splits.train.shape,
      ...(geometry.size !== undefined ? { imageSize: geometry.size, resize: geometry.resize } : {}),
      ...(backbone ? { backbone } : {}),
      numClasses: splits.train.numClasses,
      classNames: info.classNames ?? splits.train.classNames,
      trainSize: trainIndices.length,
      valSize: held.val.labels.length,
      testSize: test.labels.length,
    },
  };
}

/** The look-alike class pairs of a dataset, for --noise-kind pairs: known for MNIST and Fashion-MNIST. */
export function noisePairsOf(kind: DatasetKind, spec: string): NoisePairs {
  if (kind === 'mnist') return MNIST_NOISE_PAIRS;
  if (kind === 'fashion-mnist') return FASHION_MNIST_NOISE_PAIRS;
  throw new InputError(`--noise-kind pairs needs the look-alike classes of the dataset, known for mnist and fashion-mnist, not ${spec}; use --noise-kind uniform`);
}

interface HeldOut {
  readonly val: ImageDataset;
  /** Every example of the train split not held out for validation (normalization statistics come from it). */
  readonly notVal: ImageDataset;
  /** Indices into the train split, ascending. */
  readonly trainIndices: Int32Array;
  readonly valIndices: Int32Array;
}

/**
 * The examples a run uses (all of the train split, or a seeded subset of it: the `subset` stream), then a stratified
 * validation split out of those (the `validation-split` stream); the rest are trained on. A fraction is of the
 * examples used, so `--subset 5000 --validation 0.1` holds out 500, never 6,000 of the full split.
 */
function holdOutValidation(train: ImageDataset, o: DataOptions, streams: ReturnType<typeof dataStreams>): HeldOut {
  const total = train.labels.length;
  let pool = Int32Array.from({ length: total }, (_, i) => i);
  if (o.trainSubset !== undefined && o.trainSubset < total) pool = streams.subset.rng().shuffle(pool).slice(0, o.trainSubset).sort();
  const used = pool.length === total ? train : subset(train, pool, train.name);
  let split;
  try {
    split = splitValidation(used, o.validation, streams.validationSplit.rng());
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const of = pool.length === total ? `the ${total.toLocaleString('en-US')} training examples` : `the ${pool.length.toLocaleString('en-US')} examples of --subset ${o.trainSubset}`;
    throw new InputError(`--validation ${o.validation} cannot be held out of ${of}: ${e.message}; use a fraction below 1 or a smaller count`);
  }
  const valIndices = Int32Array.from(split.valIndices, (i) => pool[i]);
  const notVal = pool.length === total ? split.train : subset(train, complement(valIndices, total), `${train.name}:train`);
  return { val: split.val, notVal, trainIndices: Int32Array.from(split.trainIndices, (i) => pool[i]), valIndices };
}

/** 0..n-1 without `drop` (ascending). */
function complement(drop: Int32Array, n: number): Int32Array {
  const out = new Uint8Array(n);
  for (const i of drop) out[i] = 1;
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (!out[i]) keep.push(i);
  return Int32Array.from(keep);
}

/** What every experiment that trains starts from: its data as configured, the full-data budget, augmentation. */
export interface TrainingSetup {
  readonly data: ExperimentData;
  /** Iteration budget: --steps, or --epochs of the trained examples. */
  readonly steps: number;
  readonly augment: boolean;
}

/** What every job's data options take from its parameters and its run: the split, subset, geometry and cache. */
export function dataOptionsOf(cfg: TrainParams, ctx: { root: string; report: Report; signal?: AbortSignal }): DataOptions {
  return {
    dataset: cfg.dataset,
    validation: cfg.validation,
    seed: cfg.seed,
    trainSubset: cfg.trainSubset,
    imageSize: cfg.imageSize,
    resize: cfg.resize,
    backbone: cfg.backbone,
    backboneInput: cfg.backboneInput,
    cacheDir: cacheDir(ctx.root),
    report: ctx.report,
    signal: ctx.signal,
  };
}

/** Load-phase progress (decoding, backbone features) as reports, at most twice a second. */
function loadProgress(report: Report | undefined, what: string): ((done: number, total: number, part?: string) => void) | undefined {
  if (!report) return undefined;
  let last = 0;
  return (done, total, part) => {
    const now = Date.now();
    if (now - last < 500 && done !== total) return;
    last = now;
    report({ phase: 'load', message: `${what}${part ? ` (${part})` : ''}: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`, fraction: 0 });
  };
}

export async function loadTraining(
  cfg: TrainParams,
  ctx: { root: string; report: Report; signal?: AbortSignal },
  extra: Omit<Partial<DataOptions>, 'dataset'> = {},
): Promise<TrainingSetup> {
  const report = ctx.report;
  report({ phase: 'load', message: `loading ${cfg.dataset}`, fraction: 0 });
  const data = await prepareData({ ...dataOptionsOf(cfg, ctx), ...extra });
  const steps = cfg.steps ?? cfg.epochs * stepsPerEpoch(data.trainIndices.length, cfg.batchSize);
  const augment = augmentFor(cfg.augment, data.train);
  reportWarnings(report, [...(data.info.warnings ?? []), stepBudgetWarning({ steps, examples: data.trainIndices.length, batchSize: cfg.batchSize })]);
  return { data, steps, augment };
}

/**
 * Pad-crop-flip augmentation: on for colour images under 'auto'. Backbone features are fixed per example, so there
 * is nothing to augment; asking for it there is refused rather than silently ignored.
 */
export function augmentFor(choice: 'auto' | boolean, train: ImageDataset): boolean {
  if (train.features) {
    if (choice === true) throw new InputError('--augment crops and flips images, but with --backbone the head trains on fixed features: leave --augment out');
    return false;
  }
  return choice === 'auto' ? train.shape[2] === 3 : choice;
}
