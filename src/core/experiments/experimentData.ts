import { createHash } from 'node:crypto';
import type { TrainParams } from '../../contract/jobParams';
import type { Report } from '../jobs/experiment';
import { stepsPerEpoch } from '../train/trainLoop';
import type { DatasetSplits, ImageDataset } from '../data/dataset';
import { fingerprint } from '../data/fingerprint';
import { loadDataset, type DatasetInfo } from '../data/load';
import { channelStats, type ChannelStats } from '../data/normalize';
import { injectLabelNoise } from '../data/noise';
import { splitValidation } from '../data/split';
import { dataStreams } from './experimentStreams';
import type { DatasetRecord } from '../store/runManifest';
import { loadAnnotationsFor } from '../annotations/datasetAnnotations';

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
  readonly test: ImageDataset;
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
  /** Train on a random subset of this many of the remaining examples. */
  readonly trainSubset?: number;
  /** Fraction of the trained examples whose labels are permuted among themselves (Data Diet's noise protocol). */
  readonly labelNoise?: number;
  /** Which noise draw (an index of the `noise` stream; default 0): other noise on the same split and subset. */
  readonly noiseSeed?: number;
  /** annotations.jsonl whose corrected labels and exclusions apply (after any injected noise: they fix it). */
  readonly annotations?: string;
}

export function datasetFingerprint(splits: DatasetSplits): string {
  return createHash('sha256').update(fingerprint(splits.train)).update(fingerprint(splits.test)).digest('hex');
}

export function prepareData(o: DataOptions): ExperimentData {
  const { splits, info } = loadDataset(o.dataset);
  const streams = dataStreams(o.seed, o.noiseSeed);
  const held = splitValidation(splits.train, o.validation, streams.validationSplit.rng());
  let trainIndices = Int32Array.from(held.trainIndices);
  if (o.trainSubset !== undefined && o.trainSubset < trainIndices.length) {
    trainIndices = streams.subset.rng().shuffle(trainIndices).slice(0, o.trainSubset).sort();
  }
  const val = held.val.labels.length ? held.val : undefined;
  let train = splits.train;
  let corrupted: Uint8Array | undefined;
  if (o.labelNoise) {
    // Noise touches only the examples trained on; validation and test labels stay clean.
    const noise = injectLabelNoise(Int32Array.from(trainIndices, (i) => splits.train.labels[i]), o.labelNoise, streams.noise.rng());
    const labels = Int32Array.from(splits.train.labels);
    corrupted = new Uint8Array(labels.length);
    trainIndices.forEach((i, j) => {
      labels[i] = noise.labels[j];
      corrupted![i] = noise.corrupted[j];
    });
    train = { ...splits.train, labels, name: `${splits.train.name}+noise${o.labelNoise}` };
  }
  let notes: string[] = [];
  if (o.annotations) {
    const a = loadAnnotationsFor(train, o.annotations);
    train = { ...train, labels: a.labels, name: `${train.name}+annotated` };
    trainIndices = trainIndices.filter((i) => !a.excluded[i]);
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
    valIndices: Int32Array.from(held.valIndices),
    val,
    test: splits.test,
    stats: channelStats(held.train),
    record: {
      spec: o.dataset,
      name: splits.train.name,
      // The fingerprint names the data on disk; injected noise is recorded in the run config, not here.
      fingerprint: datasetFingerprint(splits),
      shape: splits.train.shape,
      numClasses: splits.train.numClasses,
      classNames: info.classNames ?? splits.train.classNames,
      trainSize: trainIndices.length,
      valSize: held.val.labels.length,
      testSize: splits.test.labels.length,
    },
  };
}

/** What every experiment that trains starts from: its data as configured, the full-data budget, augmentation. */
export interface TrainingSetup {
  readonly data: ExperimentData;
  /** Iteration budget: --steps, or --epochs of the trained examples. */
  readonly steps: number;
  readonly augment: boolean;
}

export function loadTraining(cfg: TrainParams, report: Report, extra: Omit<Partial<DataOptions>, 'dataset'> = {}): TrainingSetup {
  report({ phase: 'load', message: `loading ${cfg.dataset}`, fraction: 0 });
  const data = prepareData({ dataset: cfg.dataset, validation: cfg.validation, seed: cfg.seed, trainSubset: cfg.trainSubset, ...extra });
  const steps = cfg.steps ?? cfg.epochs * stepsPerEpoch(data.trainIndices.length, cfg.batchSize);
  const augment = cfg.augment === 'auto' ? data.train.shape[2] === 3 : cfg.augment;
  return { data, steps, augment };
}
