/**
 * Turns a batch of uint8 HWC examples into what a backbone takes: float pixels, the model's channel count, its
 * input size, and the value range it was trained on. Run it inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../inputError';
import type { BackboneInput } from './inputSignature';

/**
 * Pixel range the model expects. '0-1' is what TF Hub / Kaggle image feature vectors document; '-1-1' suits models
 * exported with their own `x / 127.5 - 1` step removed; '0-255' raw pixels (models that normalize inside).
 */
export type InputRange = '0-1' | '-1-1' | '0-255';
export const INPUT_RANGES: readonly InputRange[] = ['0-1', '-1-1', '0-255'];

/** Channels a source image can have: gray, RGB, RGBA (alpha is dropped). */
const SOURCE_CHANNELS = [1, 3, 4];

/** tf.image.rgb_to_grayscale's weights (ITU-R BT.601 luma), so gray features match TensorFlow's conversion. */
const LUMA = [0.2989, 0.587, 0.114];

/** Everything that changes a backbone's input besides the pixels; part of the feature cache key. */
export interface Preprocessing {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly range: InputRange;
  readonly dtype: 'float32' | 'int32';
  /** Names the methods, so that changing one changes every cache key. */
  readonly resize: 'bilinear-half-pixel-centers';
  readonly toGray: 'bt601-luma';
}

export function preprocessingFor(input: BackboneInput, range: InputRange): Preprocessing {
  if (!INPUT_RANGES.includes(range)) throw new InputError(`input range "${String(range)}" is not one of ${INPUT_RANGES.join(', ')}`);
  if (input.dtype === 'int32' && range !== '0-255') {
    throw new InputError(`this backbone takes integer pixels, so its input range must be 0-255, not ${range}`);
  }
  return { height: input.height, width: input.width, channels: input.channels, range, dtype: input.dtype, resize: 'bilinear-half-pixel-centers', toGray: 'bt601-luma' };
}

export function checkSourceShape(shape: readonly [number, number, number]): void {
  const [h, w, c] = shape;
  if (!(h > 0 && w > 0 && Number.isInteger(h) && Number.isInteger(w))) throw new InputError(`image shape ${shape.join('x')} is not a valid height x width x channels`);
  if (!SOURCE_CHANNELS.includes(c)) throw new InputError(`images with ${c} channels cannot be fed to a backbone; expected 1 (gray), 3 (RGB) or 4 (RGBA)`);
}

/** `pixels` holds `count` examples of `shape`, example-major. */
export function toModelInput(pixels: Uint8Array, shape: readonly [number, number, number], count: number, p: Preprocessing): tf.Tensor4D {
  const [h, w, c] = shape;
  let x: tf.Tensor4D = tf.tensor4d(Float32Array.from(pixels), [count, h, w, c]);
  if (c === 4) x = tf.slice(x, [0, 0, 0, 0], [count, h, w, 3]);
  const rgb = c !== 1;
  // Reduce to gray before resizing and expand after it: both commute with the (linear) resize, and the resize then
  // runs on one channel.
  if (rgb && p.channels === 1) x = tf.sum(tf.mul(x, tf.tensor1d(LUMA)), -1, true);
  if (h !== p.height || w !== p.width) x = tf.image.resizeBilinear(x, [p.height, p.width], false, true);
  if (!rgb && p.channels === 3) x = tf.tile(x, [1, 1, 1, 3]);
  x = scale(x, p.range);
  return p.dtype === 'int32' ? tf.cast(tf.round(x), 'int32') : x;
}

function scale(x: tf.Tensor4D, range: InputRange): tf.Tensor4D {
  switch (range) {
    case '0-1':
      return tf.div(x, 255);
    case '-1-1':
      return tf.sub(tf.div(x, 127.5), 1);
    case '0-255':
      return x;
  }
}
