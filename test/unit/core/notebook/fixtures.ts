// Realistic inputs for the notebook payload builders: a small score table over synthetic 28x28 "digits" (each class
// a bar at its own position, so thumbnails are checkable pixel by pixel), a 10% noise flag, and sweep results in
// the shapes the experiments record.
import { makeRng } from '../../../../src/core/random';
import type { ThumbSource } from '../../../../src/core/notebook/thumbnail';

export const CLASSES = 10;

export interface Table {
  index: Int32Array;
  labels: Int32Array;
  values: Float32Array;
  predicted: Int32Array;
  corrupted: Uint8Array;
  images: ThumbSource;
}

/** n examples; dataset index = 3 * row + 1 (a subset), so rows and dataset indices differ. */
export function table(n = 2000, seed = 1): Table {
  const rng = makeRng(seed);
  const rows = n;
  const total = 3 * n + 1;
  const pixels = new Uint8Array(total * 28 * 28);
  const index = new Int32Array(rows);
  const labels = new Int32Array(rows);
  const values = new Float32Array(rows);
  const predicted = new Int32Array(rows);
  const corrupted = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const i = 3 * r + 1;
    index[r] = i;
    const y = r % CLASSES;
    labels[r] = y;
    corrupted[r] = rng.next() < 0.1 ? 1 : 0;
    const u = rng.next() * rng.next();
    values[r] = corrupted[r] ? 1.4 - 0.6 * u : 0.05 + 1.2 * u;
    predicted[r] = corrupted[r] ? (y + 1) % CLASSES : y;
    // Class y: a bright vertical bar in columns 2y..2y+3, brightness varying with the example.
    for (let yy = 4; yy < 24; yy++) for (let x = 2 * y; x < 2 * y + 4; x++) pixels[i * 784 + yy * 28 + x] = 128 + (i % 128);
  }
  return { index, labels, values, predicted, corrupted, images: { images: pixels, shape: [28, 28, 1] } };
}

export const PRUNE_RESULTS = {
  score: 'el2n',
  rows: [0, 1, 2].flatMap((s) => [
    { strategy: 'full data', fractionPruned: 0, kept: 1000, seed: s, testAccuracy: 0.95 + 0.002 * s },
    ...[0.3, 0.5, 0.7].flatMap((f) => [
      { strategy: 'keep-top', fractionPruned: f, kept: Math.round(1000 * (1 - f)), seed: s, testAccuracy: 0.95 - 0.05 * f * f + 0.001 * s },
      { strategy: 'random', fractionPruned: f, kept: Math.round(1000 * (1 - f)), seed: s, testAccuracy: 0.95 - 0.1 * f + 0.002 * s },
    ]),
  ]),
};

export const WINDOW_RESULTS = {
  score: 'el2n',
  size: 400,
  examples: 1000,
  steps: 100,
  points: [0, 100, 200, 300, 400, 500, 600].map((offset) => ({
    offset,
    offsetFraction: offset / 1000,
    test: [0.8 + offset / 5000, 0.81 + offset / 5000],
    val: [0.79 + offset / 6000, 0.8 + offset / 6000],
    testMean: 0,
    testLo: 0,
    testHi: 0,
    valMean: 0,
  })),
  best: { offset: 600, offsetFraction: 0.6, valAccuracy: 0.9, testAccuracy: 0.92 },
};
