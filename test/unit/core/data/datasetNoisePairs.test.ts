import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetNoisePairs } from '../../../../src/core/data/datasetNoisePairs';
import { MNIST_NOISE_PAIRS } from '../../../../src/core/data/classConditionalNoise';
import { prepareData } from '../../../../src/core/experiments/experimentData';
import { tempDir } from './fixtures';

test('pair noise: the known pairs of mnist and fashion-mnist, refused elsewhere with the way out', () => {
  assert.equal(datasetNoisePairs('mnist'), MNIST_NOISE_PAIRS);
  assert.equal(datasetNoisePairs('fashion-mnist').length, 6);
  const csv = path.join(tempDir(), 'labels.csv');
  fs.writeFileSync(csv, 'path,label\n');
  assert.throws(() => datasetNoisePairs(`csv:${csv}`), { name: 'InputError', message: /known for mnist and fashion-mnist only .*; use --noise-kind uniform/ });
});

test('experiments with pair noise relabel a fraction of each source class as its look-alike, nothing else', async () => {
  const d = await prepareData({ dataset: 'mnist', validation: 0, seed: 0, trainSubset: 1000, labelNoise: 0.3, noiseSeed: 2, noiseKind: 'pairs' });
  const pairs = new Map(MNIST_NOISE_PAIRS.map(([from, to]) => [from, to]));
  let flipped = 0;
  for (const i of d.trainIndices) {
    if (!d.corrupted![i]) {
      assert.equal(d.train.labels[i], d.cleanLabels[i]);
      continue;
    }
    flipped++;
    assert.equal(d.train.labels[i], pairs.get(d.cleanLabels[i]), `example ${i}: ${d.cleanLabels[i]} -> its pair`);
  }
  const sources = Array.from(d.trainIndices).filter((i) => pairs.has(d.cleanLabels[i])).length;
  assert.ok(Math.abs(flipped - 0.3 * sources) <= pairs.size, `about 30% of the ${sources} examples of paired classes: ${flipped}`);
});
