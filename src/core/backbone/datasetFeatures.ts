/**
 * --backbone applied to a dataset: the frozen model's features of every train and test example, computed once per
 * (backbone, images, preprocessing) and read from `.datadiet/cache` afterwards, attached to the splits so that every
 * experiment trains and scores a head on them (data/normalize.ts standardizes them per feature).
 */
import * as path from 'node:path';
import type { BackboneInputRange } from '../../contract/choices';
import type { BackboneRecord } from '../../contract/runManifest';
import type { DatasetSplits, ImageDataset } from '../data/dataset';
import { fingerprint } from '../data/fingerprint';
import { loadBackbone, type Backbone } from './backbone';
import { extractFeatures, extractionPreprocessing } from './extractFeatures';
import { cachedFeatures, featureCacheKey, type FeatureMatrix } from './featureCache';

export interface BackboneUse {
  readonly dir: string;
  readonly inputRange?: BackboneInputRange;
}

export interface FeatureOptions {
  readonly cacheDir?: string;
  /** Examples done of the split being embedded. */
  readonly onProgress?: (split: 'train' | 'test', done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export async function withBackboneFeatures(splits: DatasetSplits, use: BackboneUse, opts: FeatureOptions = {}): Promise<{ splits: DatasetSplits; record: BackboneRecord }> {
  const backbone = await loadBackbone(path.resolve(use.dir));
  try {
    const train = await embedSplit(backbone, splits.train, 'train', use, opts);
    const test = await embedSplit(backbone, splits.test, 'test', use, opts);
    const record: BackboneRecord = {
      dir: backbone.dir,
      fingerprint: backbone.fingerprint,
      description: backbone.description,
      featureDim: backbone.featureDim,
      inputRange: extractionPreprocessing(backbone, { inputRange: use.inputRange }).range,
    };
    return { splits: { train, test }, record };
  } finally {
    backbone.dispose();
  }
}

async function embedSplit(backbone: Backbone, ds: ImageDataset, split: 'train' | 'test', use: BackboneUse, opts: FeatureOptions): Promise<ImageDataset> {
  const count = ds.labels.length;
  const compute = async (): Promise<FeatureMatrix> => {
    const values = await extractFeatures(backbone, ds.images, ds.shape, count, {
      inputRange: use.inputRange,
      signal: opts.signal,
      onProgress: (f) => opts.onProgress?.(split, Math.round(f * count), count),
    });
    return { values, count, dim: backbone.featureDim };
  };
  let features: FeatureMatrix;
  if (opts.cacheDir) {
    const key = featureCacheKey({
      backboneFingerprint: backbone.fingerprint,
      datasetFingerprint: fingerprint(ds),
      preprocessing: extractionPreprocessing(backbone, { inputRange: use.inputRange }),
    });
    features = await cachedFeatures(opts.cacheDir, key, compute);
  } else {
    features = await compute();
  }
  return { ...ds, features: { values: features.values, dim: features.dim } };
}
