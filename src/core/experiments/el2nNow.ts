import { readSync } from '../compute/read';
import { el2nFromLogits } from '../scores/el2n';
import type { Model } from '../models/model';
import { forEachLogitsBatch } from '../train/evaluate';
import type { ExperimentData } from './experimentData';

/**
 * EL2N of every trained example (in data.trainIndices order) under the model's current weights: the ordering the
 * training-dynamics experiments use when scores and dynamics are taken at the same time, as in the paper.
 */
export function el2nNow(model: Model, data: ExperimentData): Float32Array {
  const k = data.train.numClasses;
  const out = new Float32Array(data.trainIndices.length);
  let at = 0;
  forEachLogitsBatch(
    model,
    data.train,
    data.stats,
    (logits, labels) => {
      const v = el2nFromLogits(readSync(logits, 'EL2N during training'), readSync<Int32Array>(labels, 'EL2N during training'), k);
      out.set(v, at);
      at += v.length;
    },
    data.trainIndices,
  );
  return out;
}
