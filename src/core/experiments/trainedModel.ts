import type { TrainParams } from '../../contract/jobParams';
import { modelInputShape, type ImageDataset } from '../data/dataset';
import type { Model, ModelSpec } from '../models/model';
import { hasStem, resolveStem, type Stem } from '../models/stem';
import type { ModelRecord } from '../store/runManifest';

/**
 * The model a training job's options describe, for its dataset, and how a run records it: every experiment that
 * trains builds it here, so the options (architecture, width, stem) reach each of them alike.
 */
type ModelOptions = Pick<TrainParams, 'model' | 'width' | 'stem'>;
type Split = Pick<ImageDataset, 'shape' | 'numClasses' | 'features'>;

export function trainedModelSpec(cfg: ModelOptions, train: Split): ModelSpec {
  return { arch: cfg.model, width: cfg.width, stem: cfg.stem, inputShape: modelInputShape(train), numClasses: train.numClasses };
}

/** The stem as this dataset resolves `auto`, for the recorded configuration (a rerun then builds the same model). */
export function recordedStem(cfg: ModelOptions, train: Split): Stem {
  return resolveStem(cfg.stem, train.shape);
}

/** What the options make of the model on this dataset: `stem` only for the architectures that have one. */
export function modelChoice(cfg: ModelOptions, train: Split): Omit<ModelRecord, 'params'> {
  return { arch: cfg.model, width: cfg.width, ...(hasStem(cfg.model) ? { stem: recordedStem(cfg, train) } : {}) };
}

/** The manifest's model record of a built model. */
export function modelRecord(model: Model): ModelRecord {
  const { arch, width, stem, inputShape, numClasses } = model.spec;
  return { ...modelChoice({ model: arch, width, stem: stem ?? 'auto' }, { shape: inputShape, numClasses }), params: model.numParams() };
}
