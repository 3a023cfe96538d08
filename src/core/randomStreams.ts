/**
 * Where every random draw in Data Diet comes from: a tree of named streams under one root seed, in the spirit of
 * numpy's SeedSequence.spawn and JAX's random.split. A stream is named by its path from the root (the purpose and
 * the indices of each step, e.g. `datadiet/2/seed=0/retrain[fraction=0.5,rep=1,strategy=random]/init`); its
 * generator's 128-bit state is the SHA-256 of that path. Two purposes therefore share a stream only if they share
 * a path, which the closed list of purposes below makes a deliberate act, never an accident of arithmetic such as
 * `seed + 1000` (seed 0's data order was then seed 1000's initialization).
 *
 * The version is recorded in every run's manifest (`seedScheme`): a run made under another version drew other
 * numbers from the same seeds. See docs/randomness.md for what is independent of what.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { rngFromState, type Rng } from './random';

/** Version of the derivation; bump it when any path or the hash changes (old runs then say which they used). */
export const SEED_SCHEME = 2;

/**
 * Every purpose randomness serves. Adding one here is how a new use of randomness starts; a purpose is a name,
 * what distinguishes its streams (which run, which fraction) goes in the indices.
 */
export const PURPOSES = [
  // Data: which examples are tested, validated, trained on, and which labels are corrupted.
  'test-split',
  'validation-split',
  'subset',
  'noise',
  // Trainings, each the parent of its own init / data-order / augment streams.
  'train',
  'score-run',
  'retrain',
  'probed-train',
  'barrier-child',
  'resume',
  // A label audit: which fold each audited row is in, and the training of each fold's model.
  'audit-folds',
  'audit-fold',
  // Inside one training.
  'init',
  'data-order',
  'augment',
  // Selection of kept subsets (random baseline, Gradient-CDF), per class when class-balanced.
  'select',
  'class',
  // Analyses.
  'heatmap-sample',
  'gradsum-batches',
  'barrier-random-set',
  'barrier-bn-batches',
  'entropy-baseline',
  'chart-sample',
  // The 2-D map of a run: which rows are drawn (a seeded order; any prefix is a uniform sample), and UMAP's own draws.
  'map-sample',
  'map-umap',
  // Similarity search: the HNSW index's level draws; the nearest-neighbour bench's synthetic vectors.
  'neighbour-index',
  'bench-vectors',
] as const;
export type Purpose = (typeof PURPOSES)[number];

/** What tells apart the streams of one purpose (run k, fraction f, repeat s, ...). */
export type StreamIndices = Readonly<Record<string, number | string | boolean>>;

const ENCODER = new TextEncoder();

/** One node of the tree: its name, children by purpose, and its generator. Immutable; cheap to create. */
export class RandomStream {
  private constructor(readonly path: string) {}

  /** The root of an experiment's tree: everything it draws derives from `seed` (any non-negative safe integer). */
  static root(seed: number): RandomStream {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    return new RandomStream(`datadiet/${SEED_SCHEME}/seed=${seed}`);
  }

  /** The child stream for `purpose` (with its indices); the same arguments always give the same stream. */
  derive(purpose: Purpose, indices: StreamIndices = {}): RandomStream {
    if (!(PURPOSES as readonly string[]).includes(purpose)) throw new RangeError(`unknown random purpose "${purpose}"`);
    const keys = Object.keys(indices).sort();
    const parts = keys.map((k) => `${encodeURIComponent(k)}=${indexText(k, indices[k])}`);
    return new RandomStream(`${this.path}/${purpose}${parts.length ? `[${parts.join(',')}]` : ''}`);
  }

  /** A fresh generator at the start of this stream (each call starts over: same draws). */
  rng(): Rng {
    const h = sha256(ENCODER.encode(this.path));
    const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
    return rngFromState([v.getUint32(0, true), v.getUint32(4, true), v.getUint32(8, true), v.getUint32(12, true)]);
  }

  /** Uniform [0, 1) draws of a fresh generator: the source model initialization takes. */
  uniform(): () => number {
    return this.rng().next;
  }

  toString(): string {
    return this.path;
  }
}

function indexText(key: string, value: number | string | boolean): string {
  if (typeof value === 'number') {
    // Shortest round-trip text: 0.1 is "0.1" and -0 is "0", so equal numbers always name the same stream.
    if (!Number.isFinite(value)) throw new RangeError(`random stream index ${key} must be finite, got ${value}`);
    return String(value === 0 ? 0 : value);
  }
  return encodeURIComponent(String(value));
}
