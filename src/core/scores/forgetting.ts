/**
 * Forgetting scores (Toneva et al. 2019, as used by Paul et al. 2021 section 2.3): a "forgetting event" is a
 * presentation of an example in a minibatch at which it is classified incorrectly although it was classified
 * correctly at its previous presentation. The score is the number of such events over training. Examples that
 * are learned and never forgotten ("unforgettable") score 0 and are the first to be pruned.
 *
 * Correctness is recorded only when an example is presented (on the training forward pass, augmentation
 * included), not by re-evaluating the whole set, which is what makes the score nearly free to collect.
 * The first presentation can never be an event: there is no earlier correct prediction to forget (the Data
 * Diet reference starts every example at "previously incorrect").
 *
 * Never-learned examples (never correct at any presentation) have zero events, yet they are the hardest
 * examples, and both reference implementations rank them above every learned one: Toneva et al. give them
 * the number of presentations, the Data Diet code gives them +Infinity. We give them
 *   (max count over learned examples) + 1
 * which ranks them exactly like both (strictly above every learned example, tied among themselves) while
 * staying finite, so averaging over runs, .npy/.parquet/.csv files and rank correlations behave. The price: a
 * mean over runs is not the Data Diet's (there one never-learned run makes the mean Infinity); `everLearned`
 * is returned so a caller can apply another convention. If nothing was learned at all, every example scores 1.
 * Examples never presented count as never learned too (as in the Data Diet code); `presentations` tells them apart.
 */

export interface ForgettingResult {
  /** Forgetting events per example; never-learned (or never-presented) examples get (max over learned examples) + 1. */
  counts: Float32Array;
  /** Epoch of the first correct presentation; -1 if never learned. */
  firstLearnedEpoch: Int32Array;
  /** 1 if the example was correct at some presentation. */
  everLearned: Uint8Array;
  /** How many times each example was presented. */
  presentations: Int32Array;
}

export class ForgettingTracker {
  private readonly events: Int32Array;
  private readonly prevCorrect: Uint8Array;
  private readonly firstLearned: Int32Array;
  private readonly presented: Int32Array;

  constructor(readonly numExamples: number) {
    if (!Number.isInteger(numExamples) || numExamples < 0) {
      throw new RangeError(`ForgettingTracker: numExamples must be a non-negative integer, got ${numExamples}`);
    }
    this.events = new Int32Array(numExamples);
    this.prevCorrect = new Uint8Array(numExamples);
    this.firstLearned = new Int32Array(numExamples).fill(-1);
    this.presented = new Int32Array(numExamples);
  }

  /**
   * Records one minibatch: `indices[j]` (dataset index) was classified correctly iff `correct[j]`. An index
   * repeated within a batch counts as consecutive presentations, in order.
   */
  update(indices: Int32Array, correct: Uint8Array | boolean[], epoch: number): void {
    if (indices.length !== correct.length) {
      throw new RangeError(`ForgettingTracker.update: ${indices.length} indices but ${correct.length} correctness flags`);
    }
    if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`ForgettingTracker.update: epoch must be a non-negative integer, got ${epoch}`);
    // Validate everything first so a bad batch leaves the tracker untouched.
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j];
      if (i < 0 || i >= this.numExamples) throw new RangeError(`ForgettingTracker.update: index ${i} at batch position ${j} is outside [0, ${this.numExamples})`);
    }
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j];
      const now = correct[j] ? 1 : 0;
      if (this.prevCorrect[i] === 1 && now === 0) this.events[i]++;
      if (now === 1 && this.firstLearned[i] < 0) this.firstLearned[i] = epoch;
      this.prevCorrect[i] = now;
      this.presented[i]++;
    }
  }

  result(): ForgettingResult {
    const n = this.numExamples;
    const everLearned = new Uint8Array(n);
    let maxLearned = 0;
    for (let i = 0; i < n; i++) {
      if (this.firstLearned[i] >= 0) {
        everLearned[i] = 1;
        if (this.events[i] > maxLearned) maxLearned = this.events[i];
      }
    }
    const counts = new Float32Array(n);
    for (let i = 0; i < n; i++) counts[i] = everLearned[i] ? this.events[i] : maxLearned + 1;
    return { counts, firstLearnedEpoch: this.firstLearned.slice(), everLearned, presentations: this.presented.slice() };
  }
}
