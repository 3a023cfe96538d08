import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../../src/core/compute/backend';
import { fusedKernelsReady } from '../../../../src/core/compute/kernels/fused';
import { batchNorm, relu, residual, sequential, type Layer, type StateUpdate } from '../../../../src/core/models/layers';
import { buildModel } from '../../../../src/core/models/registry';
import { makeRng } from '../../../../src/core/random';
import { crossEntropy } from '../../../../src/core/train/loss';
import { relError } from '../../helpers/tf';

/**
 * The fused wasm paths of the layers (batch norm + ReLU on fused kernels, residual add + ReLU) against the same
 * layers composed from stock ops on the cpu backend: outputs, gradients and running statistics.
 */
function values(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale + offset);
}

/** Initializes wasm (our kernels) once, then makes cpu current: the layers below are built on cpu. */
async function setup(): Promise<void> {
  await initBackend('wasm', { threads: 1 });
  await tf.setBackend('cpu');
}

async function onBoth<T>(f: () => T): Promise<{ cpu: T; wasm: T }> {
  await tf.setBackend('cpu');
  const cpu = f();
  await initBackend('wasm', { threads: 1 });
  assert.ok(fusedKernelsReady(), 'fused kernels ready');
  const wasm = f();
  await tf.setBackend('cpu');
  return { cpu, wasm };
}

/** Output, input gradient, parameter gradients and state updates of `layer` for loss sum(out * w). */
function run(layer: Layer, xv: Float32Array, shape: number[], training: boolean): Record<string, Float32Array> {
  return tf.tidy(() => {
    const x = tf.tensor(xv, shape);
    const w = tf.tensor(values(xv.length, 99), shape);
    const updates: StateUpdate[] = [];
    const params = layer.params().map((p) => p.variable);
    const f = (xx: tf.Tensor) => tf.sum(tf.mul(layer.forward(xx, { training, stateUpdates: updates }), w)) as tf.Scalar;
    const out: Record<string, Float32Array> = {};
    out.y = layer.forward(x, { training }).dataSync() as Float32Array;
    out.dx = tf.grad(f)(x).dataSync() as Float32Array;
    const { grads } = tf.variableGrads(() => f(x), params);
    layer.params().forEach((p) => (out[p.name] = grads[p.variable.name].dataSync() as Float32Array));
    updates.forEach((u, i) => {
      out[`state${i % 2}`] = u.value.dataSync() as Float32Array;
      u.value.dispose();
    });
    return out;
  });
}

function assertClose(got: Record<string, Float32Array>, ref: Record<string, Float32Array>, label: string, tol = 1e-5): void {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(ref).sort(), `${label}: same outputs`);
  for (const k of Object.keys(ref)) {
    const err = relError(got[k], ref[k]);
    if (process.env.DBG) console.log(label, k, err.toExponential(2));
    assert.ok(err < tol, `${label}: ${k} relative error ${err.toExponential(2)}`);
  }
}

test('batch norm (+ ReLU) on the fused wasm kernels matches the stock-op version on cpu (train and inference)', async () => {
  await setup();
  const shape = [4, 6, 5, 8];
  const bn = batchNorm('bnf', 8);
  const [g, b] = bn.params();
  g.variable.assign(tf.tensor1d(values(8, 1, 0.5, 1)));
  b.variable.assign(tf.tensor1d(values(8, 2, 0.3)));
  bn.state()[0].assign(tf.tensor1d(values(8, 3, 0.2)));
  bn.state()[1].assign(tf.tensor1d(values(8, 4, 0.3, 1)));
  const withRelu = sequential('bnr', [bn, relu()]);
  for (const offset of [0, 20]) {
    const xv = values(4 * 6 * 5 * 8, 5, 2, offset);
    for (const training of [true, false]) {
      for (const [name, layer] of [['bn', bn], ['bn+relu', withRelu]] as const) {
        const r = await onBoth(() => run(layer, xv, shape, training));
        assertClose(r.wasm, r.cpu, `${name} training=${training} offset=${offset}`);
      }
    }
  }
});

test('residual add + ReLU on wasm matches cpu, and a conv-free block fuses nothing it should not', async () => {
  await setup();
  const bn1 = batchNorm('r1', 8);
  const bn2 = batchNorm('r2', 8);
  // (Not bn -> relu -> bn in one branch: the first gamma's gradient through the second batch norm is ~0, pure
  // rounding noise on both backends.)
  const block = residual('res', sequential('main', [bn1]), sequential('short', [bn2, relu()]));
  const xv = values(3 * 4 * 4 * 8, 7, 1.5);
  for (const training of [true, false]) {
    const r = await onBoth(() => run(block, xv, [3, 4, 4, 8], training));
    assertClose(r.wasm, r.cpu, `residual training=${training}`);
    const id = residual('id', sequential('m2', [bn1, relu()]), undefined);
    const r2 = await onBoth(() => run(id, xv, [3, 4, 4, 8], training));
    assertClose(r2.wasm, r2.cpu, `identity residual training=${training}`);
  }
  // Channel counts the fused kernels do not take (not a multiple of 4) run the stock ops on wasm too.
  const odd = sequential('odd', [batchNorm('o', 3), relu()]);
  const r = await onBoth(() => run(odd, values(2 * 3 * 3 * 3, 8), [2, 3, 3, 3], true));
  assertClose(r.wasm, r.cpu, 'odd channels');
});

test('a ResNet-18 training step (loss, every gradient) on wasm matches cpu', async () => {
  await setup();
  const model = buildModel({ arch: 'resnet18', width: 0.125, inputShape: [8, 8, 3], numClasses: 10 }, makeRng(3).next);
  const xv = values(4 * 8 * 8 * 3, 11);
  const labels = Int32Array.from([1, 5, 7, 2]);
  const step = () =>
    tf.tidy(() => {
      const x = tf.tensor4d(xv, [4, 8, 8, 3]);
      const y = tf.tensor1d(labels, 'int32');
      const updates: StateUpdate[] = [];
      const vars = model.params.map((p) => p.variable);
      const { value, grads } = tf.variableGrads(() => crossEntropy(model.forward(x, { training: true, stateUpdates: updates }), y), vars);
      const out: Record<string, Float32Array> = { loss: value.dataSync() as Float32Array };
      model.params.forEach((p) => (out[p.name] = grads[p.variable.name].dataSync() as Float32Array));
      updates.forEach((u, i) => {
        out[`state${i}`] = u.value.dataSync() as Float32Array;
        u.value.dispose();
      });
      out.infer = model.forward(x, { training: false }).dataSync() as Float32Array;
      return out;
    });
  const r = await onBoth(step);
  // Twenty layers of float32 convolutions summed in different orders: 1e-4.
  assertClose(r.wasm, r.cpu, 'resnet18 step', 1e-4);
  model.dispose();
});
