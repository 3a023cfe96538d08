import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { loadBackbone, type Backbone } from '../../../../src/core/backbone/backbone';
import { chooseBatchSize, extractFeatures, MAX_BATCH } from '../../../../src/core/backbone/extractFeatures';
import { InputError } from '../../../../src/core/inputError';
import { relError, useCpu } from '../../helpers/tf';
import { tempDir } from '../../helpers/paths';
import { writeConvMeanGraph, type ConvMeanGraph } from './modelFiles';

function images(count: number, h: number, w: number, c: number, salt = 0): Uint8Array {
  return Uint8Array.from({ length: count * h * w * c }, (_, i) => (i * 53 + salt * 31 + ((i * i) % 23)) % 256);
}

async function convMean(height: number, width: number, channels: number): Promise<{ bb: Backbone; g: ConvMeanGraph }> {
  await useCpu();
  const dir = tempDir('bb-extract');
  const g = writeConvMeanGraph(dir, { height, width, channels, filters: 5 });
  return { bb: await loadBackbone(dir), g };
}

test('gray images are fed to an RGB model as three equal channels', async () => {
  const { bb, g } = await convMean(6, 6, 3);
  try {
    const px = images(3, 6, 6, 1);
    const got = await extractFeatures(bb, px, [6, 6, 1], 3);
    const rgb = Float32Array.from({ length: px.length * 3 }, (_, i) => px[Math.floor(i / 3)] / 255);
    assert.ok(relError(got, g.reference(rgb, 3)) < 1e-5);
  } finally {
    bb.dispose();
  }
});

test('RGB images are fed to a gray model as their luma', async () => {
  const { bb, g } = await convMean(4, 4, 1);
  try {
    const px = images(2, 4, 4, 3, 1);
    const got = await extractFeatures(bb, px, [4, 4, 3], 2);
    const luma = Float32Array.from({ length: px.length / 3 }, (_, i) => (0.2989 * px[3 * i] + 0.587 * px[3 * i + 1] + 0.114 * px[3 * i + 2]) / 255);
    assert.ok(relError(got, g.reference(luma, 2)) < 1e-5);
  } finally {
    bb.dispose();
  }
});

test('smaller gray images are resized to the model size: a constant image gives the features of its one value', async () => {
  const { bb, g } = await convMean(12, 9, 3);
  try {
    const values = [0, 90, 255];
    const px = Uint8Array.from(values.flatMap((v) => new Array(5 * 5).fill(v)));
    const got = await extractFeatures(bb, px, [5, 5, 1], values.length);
    const want = values.flatMap((v) => Array.from(g.reference(new Float32Array(3).fill(v / 255), 1)));
    assert.ok(relError(got, want) < 1e-5);
  } finally {
    bb.dispose();
  }
});

test('features do not depend on the batch size; progress rises to 1 once per batch; nothing leaks', async () => {
  const { bb, g } = await convMean(5, 5, 3);
  try {
    const px = images(10, 5, 5, 3, 2);
    const want = g.reference(Float32Array.from(px, (v) => v / 255), 10);
    const tensorsBefore = tf.memory().numTensors;
    for (const batchSize of [1, 3, 10, 64]) {
      const progress: number[] = [];
      const got = await extractFeatures(bb, px, [5, 5, 3], 10, { batchSize, onProgress: (f) => progress.push(f) });
      assert.ok(relError(got, want) < 1e-5, `batch ${batchSize}`);
      assert.equal(progress.length, Math.ceil(10 / batchSize));
      assert.equal(progress.at(-1), 1);
      assert.ok(progress.every((f, i) => i === 0 || f > progress[i - 1]));
    }
    assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor left behind');
    assert.equal((await extractFeatures(bb, new Uint8Array(0), [5, 5, 3], 0)).length, 0);
  } finally {
    bb.dispose();
  }
});

test('aborting stops before the next batch and rejects with the abort reason, leaving no tensors', async () => {
  const { bb } = await convMean(4, 4, 3);
  try {
    const tensorsBefore = tf.memory().numTensors;
    const controller = new AbortController();
    let batches = 0;
    await assert.rejects(
      extractFeatures(bb, images(20, 4, 4, 3), [4, 4, 3], 20, {
        batchSize: 2,
        signal: controller.signal,
        onProgress: () => {
          batches++;
          if (batches === 2) controller.abort();
        },
      }),
      (e: unknown) => e instanceof Error && e.name === 'AbortError',
    );
    assert.equal(batches, 2);
    assert.equal(tf.memory().numTensors, tensorsBefore);
  } finally {
    bb.dispose();
  }
});

test('the batch size follows the memory budget, within [1, MAX_BATCH]', async () => {
  const { bb } = await convMean(8, 8, 3);
  try {
    const perExample = bb.bytesPerExample + 8 * 8 * 3 * 9;
    assert.equal(chooseBatchSize(bb, [8, 8, 3], { memoryBudgetBytes: 1 }), 1);
    assert.equal(chooseBatchSize(bb, [8, 8, 3], { memoryBudgetBytes: perExample * 5.5 }), 5);
    assert.equal(chooseBatchSize(bb, [8, 8, 3], { memoryBudgetBytes: 2 ** 40 }), MAX_BATCH);
    assert.equal(chooseBatchSize(bb, [8, 8, 3], { batchSize: 7 }), 7);
    assert.throws(() => chooseBatchSize(bb, [8, 8, 3], { batchSize: 0 }), InputError);
  } finally {
    bb.dispose();
  }
});

test('images that do not match their shape or count, or have 2 channels, are refused', async () => {
  const { bb } = await convMean(4, 4, 3);
  try {
    await assert.rejects(extractFeatures(bb, new Uint8Array(40), [4, 4, 3], 1), (e: unknown) => e instanceof InputError && /need 48 bytes, but 40/.test(e.message));
    await assert.rejects(extractFeatures(bb, new Uint8Array(32), [4, 4, 2], 1), (e: unknown) => e instanceof InputError && /2 channels/.test(e.message));
  } finally {
    bb.dispose();
  }
});
