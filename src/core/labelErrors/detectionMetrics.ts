/**
 * How well a label-error detector did against known corruption, as the detection table reports it (cleanlab's
 * benchmarks, Northcutt et al. 2021 Table 2): precision, recall and F1 of the examples it flags, and the AUROC and
 * average precision of its ranking (analysis/auroc.ts). A detector is a flagged set plus a suspicion score (higher =
 * more likely mislabeled); methods that only rank (EL2N, forgetting) flag as many as there are corrupted examples,
 * which is the flagging an oracle of the noise rate would choose, and the table says so.
 */
import { auroc, averagePrecision } from '../analysis/auroc';

export interface DetectionMetrics {
  readonly flagged: number;
  readonly corrupted: number;
  /** Of the flagged, the fraction corrupted (NaN when none are flagged). */
  readonly precision: number;
  /** Of the corrupted, the fraction flagged (NaN when none are corrupted). */
  readonly recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0, NaN when either is undefined). */
  readonly f1: number;
  readonly auroc: number;
  readonly averagePrecision: number;
}

export function detectionMetrics(flagged: ArrayLike<number>, suspicion: ArrayLike<number>, corrupted: ArrayLike<number>): DetectionMetrics {
  const n = corrupted.length;
  if (flagged.length !== n || suspicion.length !== n) throw new RangeError(`detectionMetrics: ${flagged.length} flags and ${suspicion.length} scores for ${n} examples`);
  let tp = 0;
  let f = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (flagged[i] !== 0 && flagged[i] !== 1) throw new RangeError(`detectionMetrics: flag of example ${i} is ${flagged[i]}; flags must be 0 or 1`);
    f += flagged[i];
    c += corrupted[i];
    if (flagged[i] === 1 && corrupted[i] === 1) tp++;
  }
  const precision = f ? tp / f : NaN;
  const recall = c ? tp / c : NaN;
  const f1 = Number.isNaN(precision) || Number.isNaN(recall) ? NaN : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { flagged: f, corrupted: c, precision, recall, f1, auroc: auroc(suspicion, corrupted), averagePrecision: averagePrecision(suspicion, corrupted) };
}

/**
 * The flags of a method that only ranks: its `count` most suspicious examples (ties broken by index, so the set is
 * reproducible). With `count` = the number corrupted, precision equals recall.
 */
export function flagTop(suspicion: ArrayLike<number>, count: number): Uint8Array {
  if (!(Number.isInteger(count) && count >= 0 && count <= suspicion.length)) throw new RangeError(`flagTop: count ${count} for ${suspicion.length} examples`);
  const order = Array.from({ length: suspicion.length }, (_, i) => i).sort((a, b) => suspicion[b] - suspicion[a] || a - b);
  const out = new Uint8Array(suspicion.length);
  for (let k = 0; k < count; k++) out[order[k]] = 1;
  return out;
}
