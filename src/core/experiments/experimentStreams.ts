/**
 * The random streams of the data and of every training, named in one place (docs/randomness.md draws the whole
 * tree; an analysis's own sample derives its purpose where it draws). Each function is a path under the
 * experiment's root seed; no two return the same path, so no two purposes can share
 * randomness: a random pruning baseline is independent of the label noise it is judged on, a retraining's
 * initialization of every scoring run's, the data order of the initialization.
 */
import { RandomStream } from '../randomStreams';

/** What one training draws from: `init` for its weights, `data` for its data order and augmentation. */
export interface TrainingStreams {
  readonly init: RandomStream;
  readonly data: RandomStream;
}

/**
 * The streams of the training named `training`. With `dataSeed` (the CLI's --data-seed) the data order and
 * augmentation come from that seed's `train` stream instead, so they vary while the initialization stays; a data
 * seed equal to a train run's own seed changes nothing.
 */
export function trainingStreams(training: RandomStream, dataSeed?: number): TrainingStreams {
  return { init: training.derive('init'), data: dataSeed === undefined ? training : RandomStream.root(dataSeed).derive('train') };
}

/** Which examples are validated and trained on, and which labels the noise study corrupts (draw `noiseDraw`). */
export function dataStreams(seed: number, noiseDraw = 0): { validationSplit: RandomStream; subset: RandomStream; noise: RandomStream } {
  const root = RandomStream.root(seed);
  return { validationSplit: root.derive('validation-split'), subset: root.derive('subset'), noise: root.derive('noise', { draw: noiseDraw }) };
}

/** A train run (`datadiet train`). */
export function trainRunStreams(seed: number, dataSeed?: number): TrainingStreams {
  return trainingStreams(RandomStream.root(seed).derive('train'), dataSeed);
}

/** Scoring run k of K (`datadiet score --runs K`). */
export function scoreRunStreams(seed: number, run: number): TrainingStreams {
  return trainingStreams(RandomStream.root(seed).derive('score-run', { run }));
}

/** Which cross-validation fold each audited row is in (`datadiet audit`). */
export function auditFoldsStream(seed: number): RandomStream {
  return RandomStream.root(seed).derive('audit-folds');
}

/** The model of audit fold k: trained on the other folds, it predicts fold k. Never a score run's streams. */
export function auditFoldStreams(seed: number, fold: number): TrainingStreams {
  return trainingStreams(RandomStream.root(seed).derive('audit-fold', { fold }));
}

/** The single training of an analysis that probes the model as it trains (kernel velocity, heatmap, barrier parent). */
export function probedTrainingStreams(seed: number, dataSeed?: number): TrainingStreams {
  return trainingStreams(RandomStream.root(seed).derive('probed-train'), dataSeed);
}

/** One point of a prune sweep: a strategy at a pruned fraction, repeat s (`--seeds` repeats). */
export interface SweepPoint {
  readonly strategy: string;
  readonly fraction: number;
  readonly repeat: number;
}

/** The retraining of a prune-sweep point (the full-data baseline is strategy "full data", fraction 0). */
export function retrainStreams(seed: number, point: SweepPoint): TrainingStreams {
  return trainingStreams(RandomStream.root(seed).derive('retrain', { ...point }));
}

/** The random draw of a prune-sweep point's subset (random baseline, Gradient-CDF). */
export function selectionStream(seed: number, point: SweepPoint): RandomStream {
  return RandomStream.root(seed).derive('select', { ...point });
}

/** The retraining of a sliding window at `offset` (examples skipped), repeat s. */
export function windowRetrainStreams(seed: number, offset: number, repeat: number): TrainingStreams {
  return trainingStreams(RandomStream.root(seed).derive('retrain', { strategy: 'window', offset, repeat }));
}
