/**
 * Seeded pseudo-random numbers. Experiments must be repeatable (same seed -> same shuffles, splits and
 * augmentations), and Math.random cannot be seeded, so everything random in Data Diet draws from here.
 *
 * Generator: xoshiro128** (Blackman & Vigna). 128 bits of state, 32-bit outputs, passes BigCrush, and
 * only needs 32-bit integer ops, which JavaScript does exactly via `| 0`, `>>> 0` and Math.imul.
 */

export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n), unbiased, for 1 <= n <= 2^32. */
  int(n: number): number;
  /** Uniform unsigned 32-bit integer. */
  nextU32(): number;
  /** Fisher-Yates shuffle in place; returns the same array for chaining. */
  shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T;
}

const TWO_POW_32 = 4294967296;

/**
 * SplitMix32 step: expands one seed into well-mixed state words. Seeding xoshiro directly with small
 * numbers (0, 1, 2...) would leave most state bits zero and give correlated first outputs.
 */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Make a generator from a numeric seed. Any finite number works; seeds above 2^32 keep their high bits
 * (mixed in) so 2^32 and 0 give different streams.
 */
export function makeRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`makeRng: seed must be a finite number, got ${seed}`);
  const lo = Math.trunc(seed) >>> 0;
  const hi = Math.floor(Math.abs(seed) / TWO_POW_32) >>> 0;
  const sm = { s: lo ^ Math.imul(hi, 0x27d4eb2d) ^ (seed < 0 ? 0x5bd1e995 : 0) };
  return rngFromState([splitmix32(sm), splitmix32(sm), splitmix32(sm), splitmix32(sm)]);
}

/**
 * A generator from a full 128-bit state (four 32-bit words), as randomStreams.ts derives it by hashing a stream's
 * name. Product code gets its generators from there, never from a number: see docs/randomness.md.
 */
export function rngFromState(words: readonly [number, number, number, number]): Rng {
  let [s0, s1, s2, s3] = words.map((w) => w | 0);
  // The all-zero state is a fixed point of xoshiro; a hash essentially never produces it, but guard anyway.
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

  function nextU32(): number {
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  function int(n: number): number {
    if (!(n >= 1 && n <= TWO_POW_32) || !Number.isInteger(n)) {
      throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    // Rejection sampling removes the modulo bias of `u % n` (tiny for small n, but free to avoid).
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const u = nextU32();
      if (u < limit) return u % n;
    }
  }

  return {
    nextU32,
    next: () => nextU32() / TWO_POW_32,
    int,
    shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = int(i + 1);
        const tmp = arr[i];
        arr[i] = arr[j];
        arr[j] = tmp;
      }
      return arr;
    },
  };
}

/** A uniformly random permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`permutation: n must be a non-negative integer, got ${n}`);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return rng.shuffle(p);
}
