/**
 * Gradient-CDF sampling (Vodrahalli et al. 2018, section 3.2 d): draw `keep` examples without replacement, each
 * draw picking a remaining example with probability proportional to its score (P(x_i) = g_i / sum g). A softer
 * Max-Gradient: high scores are favoured, but randomness keeps the subset from collapsing onto a few classes or
 * outliers. This is the same distribution as numpy.random.choice(N, keep, replace=False, p=g / g.sum()) and
 * torch.multinomial(g, keep, replacement=False).
 *
 * Method: Efraimidis & Spirakis (2006), "Weighted random sampling with a reservoir": give example i the key
 * u_i^(1 / w_i) with u_i uniform in (0, 1) and keep the `keep` largest keys; this provably equals successive
 * proportional draws, in one pass and one sort instead of `keep` renormalisations. Keys are compared in log space,
 * log(u_i) / w_i, because u^(1/w) underflows to 0 for small weights (u = 0.5, w = 1e-3 gives 2^-1000), which would
 * turn most keys into ties.
 *
 * Zero scores (e.g. forgetting's "unforgettable" examples, EL2N of a perfectly fit example) have probability 0: they
 * are never drawn while a positive-score example remains. If `keep` exceeds the number of positive scores, every
 * positive-score example is kept and the rest are filled uniformly at random from the zero-score ones; that is
 * the limit of giving all zeros the same tiny weight, where numpy would raise instead. Negative, infinite or NaN
 * scores are refused: a probability proportional to them is undefined.
 */
import type { Rng } from '../random';
import { checkKeep } from './order';

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

/** Uniform in (0, 1] with 53 random bits: with 32 bits, equal-weight examples in a large dataset would share keys. */
function uniform53(rng: Rng): number {
  const hi = rng.nextU32() >>> 5; // 27 bits
  const lo = rng.nextU32() >>> 6; // 26 bits
  return (hi * TWO_POW_26 + lo + 1) / TWO_POW_53;
}

/** Refuses scores that cannot be sampling weights (NaN, negative, infinite); zeros are allowed. */
export function checkWeights(scores: ArrayLike<number>): void {
  for (let i = 0; i < scores.length; i++) {
    const w = scores[i];
    if (Number.isNaN(w)) throw new RangeError(`gradientCdf: score of example ${i} is NaN; drop or impute NaN scores before sampling`);
    if (w < 0) {
      throw new RangeError(
        `gradientCdf: score of example ${i} is ${w}; sampling probability is proportional to the score, so scores must be >= 0 ` +
          `(shift or transform signed scores such as margins first)`,
      );
    }
    if (w === Infinity) throw new RangeError(`gradientCdf: score of example ${i} is Infinity; a probability proportional to it is undefined`);
  }
}

/** Indices (ascending) of `keep` examples sampled without replacement with probability proportional to the score. */
export function gradientCdf(scores: ArrayLike<number>, keep: number, rng: Rng): Int32Array {
  const n = scores.length;
  checkKeep('gradientCdf', keep, n);
  checkWeights(scores);
  const positive: number[] = [];
  const zero: number[] = [];
  for (let i = 0; i < n; i++) (scores[i] > 0 ? positive : zero).push(i);

  // One key per positive-score example, drawn in index order so the result depends only on scores and stream.
  const keys = new Float64Array(n);
  for (const i of positive) keys[i] = Math.log(uniform53(rng)) / scores[i];
  const out = new Int32Array(keep);
  if (keep <= positive.length) {
    const byKey = Int32Array.from(positive).sort((a, b) => keys[b] - keys[a] || a - b);
    out.set(byKey.subarray(0, keep));
  } else {
    out.set(positive);
    // Fill with a uniform sample of the zero-score examples (partial Fisher-Yates).
    const need = keep - positive.length;
    for (let j = 0; j < need; j++) {
      const r = j + rng.int(zero.length - j);
      const t = zero[j];
      zero[j] = zero[r];
      zero[r] = t;
      out[positive.length + j] = zero[j];
    }
  }
  return out.sort();
}
