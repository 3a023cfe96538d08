/**
 * Class-conditional (asymmetric) label noise, the kind real annotators make: a fraction of one class is labelled as a
 * look-alike class (a 7 written as 1, a shirt filed as a T-shirt). Patrini et al. (CVPR 2017) and the confident-
 * learning paper (Northcutt et al., JAIR 2021) measure detection under it next to uniform noise (noise.ts), because
 * a detector that only finds labels that look random can fail here. For each pair `from -> to`, exactly
 * round(fraction x |from|) examples of `from`, drawn at random, get label `to`; classes without a pair stay clean.
 */
import type { Rng } from '../random';
import { randomSubset } from '../select/random';
import type { LabelNoise } from './noise';

/** Source class -> the class its flipped examples are labelled as. */
export type NoisePairs = readonly (readonly [from: number, to: number])[];

/** MNIST's look-alike digits (Patrini et al. 2017): 2->7, 3->8, 5<->6, 7->1. */
export const MNIST_NOISE_PAIRS: NoisePairs = [
  [2, 7],
  [3, 8],
  [5, 6],
  [6, 5],
  [7, 1],
];

/** Fashion-MNIST's look-alike garments: shirt<->T-shirt, pullover<->coat, sandal<->sneaker. */
export const FASHION_MNIST_NOISE_PAIRS: NoisePairs = [
  [6, 0],
  [0, 6],
  [2, 4],
  [4, 2],
  [5, 7],
  [7, 5],
];

export function injectPairNoise(labels: ArrayLike<number>, fraction: number, pairs: NoisePairs, rng: Rng): LabelNoise {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`injectPairNoise: fraction must be in [0, 1], got ${fraction}`);
  const sources = new Set<number>();
  for (const [from, to] of pairs) {
    if (from === to) throw new RangeError(`injectPairNoise: pair ${from} -> ${to} does not change the label`);
    if (sources.has(from)) throw new RangeError(`injectPairNoise: class ${from} has two pairs`);
    sources.add(from);
  }
  const out = Int32Array.from(labels);
  const corrupted = new Uint8Array(labels.length);
  const chosen: number[] = [];
  // Pairs in the given order, each drawing from the one noise stream: the same pairs and stream give the same noise.
  for (const [from, to] of pairs) {
    const members: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === from) members.push(i);
    const pick = randomSubset(members.length, Math.round(fraction * members.length), rng);
    for (const r of pick) {
      const i = members[r];
      out[i] = to;
      corrupted[i] = 1;
      chosen.push(i);
    }
  }
  return { labels: out, corrupted, indices: Int32Array.from(chosen).sort() };
}
