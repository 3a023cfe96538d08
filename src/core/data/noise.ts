/**
 * Synthetic label noise, as in the Data Diet random-label experiments (Paul et al. 2021, section 4 and appendix B):
 * "pick 10% of the examples randomly and permute their labels (to keep overall label statistics fixed)". Permuting
 * rather than drawing fresh random labels keeps every class's size unchanged, so a change in accuracy or in the
 * score distribution comes from the wrong labels, not from a shifted class balance. The known corrupted set is
 * then the ground truth for detecting noisy labels from a score (analysis/auroc.ts).
 *
 * A permuted label can land back on its own example, or on an example of the same class, so not every chosen
 * example ends up with a wrong label (with 10 balanced classes about 1 in 10 keep theirs). `corrupted` flags only
 * the examples whose label actually differs from the original, which is what a detector can and should find;
 * `indices` lists every chosen example, changed or not, to reproduce the protocol.
 */
import type { Rng } from '../random';
import { randomSubset } from '../select/random';

export interface LabelNoise {
  /** The new labels (a copy; the input is not modified). */
  readonly labels: Int32Array;
  /** 1 where the new label differs from the original, else 0. */
  readonly corrupted: Uint8Array;
  /** The examples whose labels were permuted among themselves, ascending (a superset of the corrupted ones). */
  readonly indices: Int32Array;
}

/**
 * Choose round(fraction * N) examples uniformly at random and permute their labels among themselves. `rng` is the
 * noise's own stream (randomStreams.ts, purpose `noise`): same labels, fraction and stream give the same noise.
 */
export function injectLabelNoise(labels: ArrayLike<number>, fraction: number, rng: Rng): LabelNoise {
  const n = labels.length;
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`injectLabelNoise: fraction must be in [0, 1] (0.1 = 10% of examples), got ${fraction}`);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0) throw new RangeError(`injectLabelNoise: label of example ${i} is ${y}; labels must be non-negative integers`);
  }
  const m = Math.round(fraction * n);
  const indices = randomSubset(n, m, rng);
  // Shuffle the chosen examples' labels and give them back in index order.
  const moved = rng.shuffle(Int32Array.from(indices, (i) => labels[i]));
  const out = Int32Array.from(labels);
  const corrupted = new Uint8Array(n);
  for (let r = 0; r < m; r++) {
    const i = indices[r];
    out[i] = moved[r];
    corrupted[i] = moved[r] !== labels[i] ? 1 : 0;
  }
  return { labels: out, corrupted, indices };
}
