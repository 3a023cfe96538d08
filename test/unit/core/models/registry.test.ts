import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../../helpers/tf';
import { ARCHITECTURES, buildModel } from '../../../../src/core/models/registry';
import { makeRng } from '../../../../src/core/random';
import type { Architecture } from '../../../../src/core/models/model';

test('cnn-small on 28x28x1 has the papers-style layer sizes (421,642 parameters, as in PyTorch)', async () => {
  await useCpu();
  const m = buildModel({ arch: 'cnn-small', width: 1, inputShape: [28, 28, 1], numClasses: 10 }, makeRng(0).next);
  assert.equal(m.numParams(), 32 * 9 + 32 + 32 * 64 * 9 + 64 + 3136 * 128 + 128 + 128 * 10 + 10);
  m.dispose();
});

test('resnet18 at width 1 has the standard low-resolution ResNet-18 size (11.17M parameters)', async () => {
  await useCpu();
  const m = buildModel({ arch: 'resnet18', width: 1, inputShape: [32, 32, 3], numClasses: 10 }, makeRng(0).next);
  // torchvision-style CIFAR ResNet-18: 11,173,962 parameters (weights, biases, BN affine).
  assert.equal(m.numParams(), 11_173_962);
  assert.equal(m.state.length, 2 * 20); // 20 batch-norm layers, mean + variance each
  m.dispose();
});

test('every architecture builds at reduced width and maps a batch to logits of the right shape', async () => {
  await useCpu();
  const shapes: Record<Architecture, [number, number, number]> = {
    linear: [28, 28, 1],
    mlp: [28, 28, 1],
    'cnn-small': [28, 28, 1],
    vgg11: [32, 32, 3],
    vgg13: [32, 32, 3],
    vgg16: [28, 28, 1],
    resnet18: [32, 32, 3],
    resnet50: [32, 32, 3],
  };
  for (const arch of ARCHITECTURES) {
    const m = buildModel({ arch, width: 0.125, inputShape: shapes[arch], numClasses: 7 }, makeRng(1).next);
    const out = tf.tidy(() => {
      const x = tf.randomNormal([2, ...shapes[arch]]) as tf.Tensor4D;
      const y = m.forward(x, { training: false });
      return { shape: y.shape, finite: tf.all(tf.isFinite(y)).dataSync()[0] };
    });
    assert.deepEqual(out.shape, [2, 7], arch);
    assert.equal(out.finite, 1, `${arch} gives finite logits`);
    m.dispose();
  }
  assert.equal(tf.memory().numTensors, 0, 'models dispose all their variables');
});

test('the same seed gives the same initial weights; another seed gives others', async () => {
  await useCpu();
  const spec = { arch: 'cnn-small' as const, width: 0.25, inputShape: [28, 28, 1] as const, numClasses: 10 };
  const a = buildModel(spec, makeRng(5).next);
  const b = buildModel(spec, makeRng(5).next);
  const c = buildModel(spec, makeRng(6).next);
  const w = (m: typeof a) => Array.from(m.params[0].variable.dataSync());
  assert.deepEqual(w(a), w(b));
  assert.notDeepEqual(w(a), w(c));
  [a, b, c].forEach((m) => m.dispose());
});

test('an unknown architecture or a bad width is refused with a clear message', async () => {
  await useCpu();
  assert.throws(() => buildModel({ arch: 'alexnet' as Architecture, width: 1, inputShape: [28, 28, 1], numClasses: 10 }, Math.random), /unknown model "alexnet"/);
  assert.throws(() => buildModel({ arch: 'linear', width: 0, inputShape: [28, 28, 1], numClasses: 10 }, Math.random), /width must be > 0/);
});
