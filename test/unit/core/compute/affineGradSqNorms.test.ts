import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { AFFINE_GRAD_SQ_NORMS } from '../../../../src/core/compute/kernels/affineGradSqNorms';
import { relError } from '../../helpers/tf';
import { assertNoLeak, randomValues, runOn, size, useWasm } from './kernelHarness';

/** Reference: per example, dgamma_c = sum_p dy*xhat and dbeta_c = sum_p dy in double precision, squared and summed. */
function reference(shape: number[], dy: Float32Array, xhat: Float32Array): Float32Array {
  const n = shape[0];
  const c = shape[shape.length - 1];
  const p = size(shape) / n / c;
  const out = new Float32Array(n);
  for (let e = 0; e < n; e++) {
    let s = 0;
    for (let k = 0; k < c; k++) {
      let g = 0;
      let b = 0;
      for (let q = 0; q < p; q++) {
        const i = (e * p + q) * c + k;
        g += dy[i] * xhat[i];
        b += dy[i];
      }
      s += g * g + b * b;
    }
    out[e] = s;
  }
  return out;
}

for (const threads of [1, 2]) {
  test(`per-example batch-norm affine gradient squared norms match a double-precision reference (${threads} thread(s))`, async () => {
    await useWasm(threads);
    for (const shape of [[3, 5, 5, 4], [6, 8, 8, 16], [2, 70, 3, 8], [5, 12]]) {
      const dy = randomValues(size(shape), 1);
      // xhat with an offset, like normalized activations with a non-zero running mean.
      const xhat = randomValues(size(shape), 2).map((v) => v + 0.5);
      const [got] = await runOn('wasm', AFFINE_GRAD_SQ_NORMS, { dy: { values: dy, shape }, xhat: { values: xhat, shape } }, {});
      assert.deepEqual(got.shape, [shape[0]]);
      const err = relError(got.values as Float32Array, reference(shape, dy, xhat));
      assert.ok(err < 1e-5, `${JSON.stringify(shape)}: relative error ${err}`);
    }
  });
}

test('per-example batch-norm affine gradient norms leak nothing and reject channels not a multiple of 4', async () => {
  await useWasm(1);
  const dy = tf.tensor(randomValues(4 * 6 * 6 * 8, 3), [4, 6, 6, 8]);
  const xhat = tf.tensor(randomValues(4 * 6 * 6 * 8, 4), [4, 6, 6, 8]);
  await assertNoLeak(() => tf.engine().runKernel(AFFINE_GRAD_SQ_NORMS, { dy, xhat }) as tf.Tensor, 'affine grad sq norms');
  const bad = tf.zeros([2, 3, 3, 6]);
  assert.throws(() => tf.engine().runKernel(AFFINE_GRAD_SQ_NORMS, { dy: bad, xhat: bad }), /C % 4 == 0/);
  tf.dispose([dy, xhat, bad]);
});
