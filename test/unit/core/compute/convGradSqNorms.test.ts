import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { CONV_GRAD_SQ_NORMS } from '../../../../src/core/compute/kernels/convGradSqNorms';
import { simdRuntime } from '../../../../src/core/compute/simd';
import { relError } from '../../helpers/tf';
import { nativeCalls } from '../../../../src/core/compute/kernels/nativeConv';
import { assertNoLeak, randomValues, runOn, size, useNative, useWasm } from './kernelHarness';

type Shape4 = [number, number, number, number];
interface Case {
  x: Shape4;
  k: number;
  co: number;
  stride: number;
  pad: 'same' | 'valid' | number;
}

const CASES: Case[] = [
  { x: [3, 8, 8, 1], k: 3, co: 8, stride: 1, pad: 'same' }, // first layer of cnn-small: Ci 1 padded to 4
  { x: [2, 9, 9, 3], k: 3, co: 5, stride: 2, pad: 'same' }, // Ci 3 -> 4, Co 5 -> 8
  { x: [3, 8, 8, 8], k: 3, co: 16, stride: 1, pad: 'same' },
  { x: [2, 9, 7, 8], k: 3, co: 8, stride: 2, pad: 'valid' },
  { x: [5, 6, 6, 12], k: 1, co: 24, stride: 2, pad: 'same' }, // 1x1 shortcut
  { x: [2, 10, 10, 4], k: 3, co: 8, stride: 2, pad: 'same' },
  { x: [2, 16, 16, 3], k: 7, co: 16, stride: 2, pad: 3 }, // the ImageNet stem (even side: a padding row unread)
  { x: [2, 17, 15, 3], k: 7, co: 8, stride: 2, pad: 3 },
  // Channels in oneDNN's blocks of 16: the native path sums dW in oneDNN's own (blocked) layout, no reorder.
  { x: [3, 6, 6, 32], k: 3, co: 32, stride: 1, pad: 'same' },
  { x: [2, 8, 8, 16], k: 1, co: 32, stride: 2, pad: 'same' },
];

/**
 * Reference on cpu: each example's weight gradient from the stock Conv2DBackpropFilter over that example
 * alone, squared and summed in double precision.
 */
async function reference(c: Case, xv: Float32Array, dyv: Float32Array, dyShape: number[]): Promise<Float32Array> {
  const [n] = c.x;
  const out = new Float32Array(n);
  const xPer = size(c.x) / n;
  const dyPer = size(dyShape) / n;
  for (let i = 0; i < n; i++) {
    const [g] = await runOn(
      'cpu',
      'Conv2DBackpropFilter',
      {
        x: { values: xv.subarray(i * xPer, (i + 1) * xPer), shape: [1, ...c.x.slice(1)] },
        dy: { values: dyv.subarray(i * dyPer, (i + 1) * dyPer), shape: [1, ...dyShape.slice(1)] },
      },
      { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k, c.k, c.x[3], c.co] },
    );
    let s = 0;
    for (const v of g.values) s += v * v;
    out[i] = s;
  }
  return out;
}

async function check(threads: number, native = false): Promise<void> {
  for (const c of CASES) {
    const info = tf.backend_util.computeConv2DInfo(c.x, [c.k, c.k, c.x[3], c.co], c.stride, 1, c.pad);
    const xv = randomValues(size(c.x), 1);
    const dyv = randomValues(size(info.outShape), 2);
    const ref = await reference(c, xv, dyv, info.outShape);
    await useWasm(threads, native);
    const calls = nativeCalls.conv;
    const [got] = await runOn(
      'wasm',
      CONV_GRAD_SQ_NORMS,
      { x: { values: xv, shape: c.x }, dy: { values: dyv, shape: info.outShape } },
      { filterSize: [c.k, c.k], strides: [c.stride, c.stride], pad: c.pad },
    );
    const label = `${threads} thread(s)${native ? ', native' : ''} ${JSON.stringify(c)}`;
    assert.equal(nativeCalls.conv, calls + (native ? 1 : 0), `${label}: ran ${native ? 'on oneDNN' : 'on the wasm loops'}`);
    assert.deepEqual(got.shape, [c.x[0]], label);
    assert.ok(ref.every((v) => v > 0), `${label}: non-trivial reference`);
    const err = relError(got.values as Float32Array, ref);
    assert.ok(err < 1e-5, `${label}: relative error ${err}`);
  }
}

test('per-example conv weight-gradient squared norms match the per-example cpu weight gradient', async () => {
  await check(1);
});

test('per-example conv weight-gradient squared norms on two threads match too, and nothing leaks', async () => {
  await useWasm(2);
  const rt = simdRuntime(tf.backend() as never);
  assert.ok(rt, 'SIMD runtime');
  const t0 = Date.now();
  while (rt.threads < 2 && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 10));
  assert.equal(rt.threads, 2, 'worker thread started');
  await check(2);
  const x = tf.tensor(randomValues(4 * 8 * 8 * 3, 3), [4, 8, 8, 3]);
  const dy = tf.tensor(randomValues(4 * 8 * 8 * 8, 4), [4, 8, 8, 8]);
  await assertNoLeak(() => tf.engine().runKernel(CONV_GRAD_SQ_NORMS, { x, dy }, { filterSize: [3, 3], strides: [1, 1], pad: 'same' }) as tf.Tensor, 'conv grad sq norms');
  tf.dispose([x, dy]);
});

test('per-example conv weight-gradient squared norms on the native kernels (oneDNN) match too', async (t) => {
  if (!(await useNative(t))) return;
  await check(2, true);
});
