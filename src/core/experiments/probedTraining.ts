import { buildModel } from '../models/registry';
import { modelRecord, trainedModelSpec } from './trainedModel';
import type { Model } from '../models/model';
import type { ModelRecord } from '../store/runManifest';
import { trainModel, type EpochMetrics } from '../train/trainLoop';
import { augmentFor, type ExperimentData } from './experimentData';
import type { TrainRunConfig } from './trainRun';
import { probedTrainingStreams } from './experimentStreams';

export interface ProbedTrainingResult {
  readonly epochs: readonly EpochMetrics[];
  readonly stepsDone: number;
  readonly cancelled: boolean;
  readonly params: number;
}

/**
 * Trains a fresh model (the `probed-train` stream of cfg.seed) on data.trainIndices for `steps` iterations and calls `probe` on the
 * model at initialization (epoch 0) and after every epoch: analyses of how per-example quantities evolve over
 * training (gradient-norm heatmap, ||sum of grads|| vs sum of ||grads||) look at the weights through it.
 */
export async function probedTraining(
  cfg: TrainRunConfig,
  data: ExperimentData,
  steps: number,
  probe: (model: Model, epoch: number, metrics?: EpochMetrics) => void | Promise<void>,
  hooks: { signal?: AbortSignal; onStep?: (step: number, epoch: number, loss: number) => void } = {},
): Promise<ProbedTrainingResult> {
  const streams = probedTrainingStreams(cfg.seed, cfg.dataSeed);
  const model = buildModel(trainedModelSpec(cfg, data.train), streams.init.uniform());
  try {
    await probe(model, 0);
    const augment = augmentFor(cfg.augment, data.train);
    const res = await trainModel(
      model,
      { train: data.train, trainIndices: data.trainIndices, test: data.test, stats: data.stats },
      { ...cfg, steps, dataStream: streams.data, augment },
      {
        signal: hooks.signal,
        onStep: (s) => hooks.onStep?.(s.step, s.epoch, s.loss),
        onEpoch: (m) => probe(model, m.epoch, m),
      },
    );
    return { epochs: res.epochs, stepsDone: res.stepsDone, cancelled: res.cancelled, params: model.numParams() };
  } finally {
    model.dispose();
  }
}

/** The manifest's model record of that training (built once to count its parameters, then dropped). */
export function probedModelRecord(cfg: TrainRunConfig, data: ExperimentData): ModelRecord {
  const model = buildModel(trainedModelSpec(cfg, data.train), probedTrainingStreams(cfg.seed, cfg.dataSeed).init.uniform());
  try {
    return modelRecord(model);
  } finally {
    model.dispose();
  }
}
