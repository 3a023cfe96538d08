import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { preprocessingFor, toModelInput, type InputRange } from '../../../../src/core/backbone/preprocess';
import type { BackboneInput } from '../../../../src/core/backbone/inputSignature';
import { InputError } from '../../../../src/core/inputError';
import { relError, useCpu } from '../../helpers/tf';

function input(height: number, width: number, channels: number, dtype: 'float32' | 'int32' = 'float32'): BackboneInput {
  return { height, width, channels, sizeChosen: false, dtype };
}

function run(pixels: number[], shape: [number, number, number], count: number, target: BackboneInput, range: InputRange): { values: number[]; shape: number[]; dtype: string } {
  return tf.tidy(() => {
    const x = toModelInput(Uint8Array.from(pixels), shape, count, preprocessingFor(target, range));
    return { values: Array.from(x.dataSync()), shape: x.shape, dtype: x.dtype };
  });
}

test('pixels are scaled to the range the model expects', async () => {
  await useCpu();
  const px = [0, 51, 255, 127];
  assert.ok(relError(run(px, [2, 2, 1], 1, input(2, 2, 1), '0-1').values, [0, 0.2, 1, 127 / 255]) < 1e-6);
  assert.ok(relError(run(px, [2, 2, 1], 1, input(2, 2, 1), '-1-1').values, [-1, 51 / 127.5 - 1, 1, 127 / 127.5 - 1]) < 1e-6);
  assert.deepEqual(run(px, [2, 2, 1], 1, input(2, 2, 1), '0-255').values, px);
});

test('gray becomes RGB by repeating the channel, RGB becomes gray by BT.601 luma, RGBA loses its alpha', async () => {
  await useCpu();
  const gray = run([10, 200], [1, 2, 1], 1, input(1, 2, 3), '0-255');
  assert.deepEqual(gray.shape, [1, 1, 2, 3]);
  assert.deepEqual(gray.values, [10, 10, 10, 200, 200, 200]);
  const luma = run([255, 0, 0, 10, 20, 30], [1, 2, 3], 1, input(1, 2, 1), '0-255');
  assert.deepEqual(luma.shape, [1, 1, 2, 1]);
  assert.ok(relError(luma.values, [0.2989 * 255, 0.2989 * 10 + 0.587 * 20 + 0.114 * 30]) < 1e-6);
  const rgba = run([1, 2, 3, 255, 4, 5, 6, 0], [1, 2, 4], 1, input(1, 2, 3), '0-255');
  assert.deepEqual(rgba.values, [1, 2, 3, 4, 5, 6]);
});

test('resizing is bilinear with half-pixel centers, as TensorFlow 2 resizes', async () => {
  await useCpu();
  // Two pixels [0, 255] stretched to four: sample points at 0.25, 0.75, 1.25, 1.75 source pixels (clamped at the ends).
  const wide = run([0, 255], [1, 2, 1], 1, input(1, 4, 1), '0-255');
  assert.ok(relError(wide.values, [0, 63.75, 191.25, 255]) < 1e-6, JSON.stringify(wide.values));
  // A batch of two 2x2 RGB images shrunk to 1x1: the mean of each image's four pixels per channel.
  const px = [0, 10, 20, 40, 50, 60, 80, 90, 100, 120, 130, 140, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
  const small = run(px, [2, 2, 3], 2, input(1, 1, 3), '0-255');
  assert.deepEqual(small.shape, [2, 1, 1, 3]);
  assert.ok(relError(small.values, [60, 70, 80, 1, 1, 1]) < 1e-6);
});

test('a model with integer pixels gets rounded int32 values and must use the 0-255 range', async () => {
  await useCpu();
  const up = run([0, 255], [1, 2, 1], 1, input(1, 4, 1, 'int32'), '0-255');
  assert.equal(up.dtype, 'int32');
  assert.deepEqual(up.values, [0, 64, 191, 255]);
  assert.throws(() => preprocessingFor(input(4, 4, 3, 'int32'), '0-1'), (e: unknown) => e instanceof InputError && /must be 0-255/.test(e.message));
  assert.throws(() => preprocessingFor(input(4, 4, 3), '0-100' as InputRange), InputError);
});
