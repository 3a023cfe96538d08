import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../../helpers/tf';
import { checkParams } from '../../../../src/contract/jobOptions';
import { configStem } from '../../../../src/contract/runManifest';
import { cifarStemOnLargeImages, estimateMemory, measureActivationBytes, memoryProblem } from '../../../../src/core/experiments/memoryEstimate';
import { modelRecord } from '../../../../src/core/experiments/trainedModel';
import type { ModelSpec } from '../../../../src/core/models/model';
import { buildModel } from '../../../../src/core/models/registry';
import { resolveStem } from '../../../../src/core/models/stem';
import { makeRng } from '../../../../src/core/random';

/**
 * The ResNets' ImageNet stem (src/core/models/resnet.ts): torchvision's parameter counts, PyTorch's feature-map sizes
 * for even and odd sides, and how `auto` resolves. resnetStemTorch.test.ts checks the values against PyTorch.
 */

test("with the ImageNet stem the parameter counts are torchvision's: resnet18 (3 channels, 10 classes) 11,181,642, resnet50 (1000 classes) 25,557,032", async () => {
  await useCpu();
  // torchvision publishes 11,689,512 for resnet18 with 1000 classes: 512 x 990 weights and 990 biases more.
  const r18 = buildModel({ arch: 'resnet18', width: 1, inputShape: [224, 224, 3], numClasses: 10, stem: 'imagenet' }, makeRng(0).next);
  assert.equal(r18.numParams(), 11_181_642);
  assert.deepEqual(r18.params[0].variable.shape, [7, 7, 3, 64], 'the stem conv is 7x7, 3 -> 64, no bias');
  assert.equal(r18.params[1].name, 'stem.bn/gamma');
  r18.dispose();
  const r50 = buildModel({ arch: 'resnet50', width: 1, inputShape: [224, 224, 3], numClasses: 1000, stem: 'imagenet' }, makeRng(0).next);
  assert.equal(r50.numParams(), 25_557_032);
  r50.dispose();
});

/** Sides of the stem conv's output, of the stem's (after the max-pool), of the last stage's, and the logits' shape. */
function featureSides(spec: ModelSpec): { conv: number[]; stem: number[]; last: number[]; logits: number[] } {
  const m = buildModel(spec, makeRng(1).next);
  try {
    return tf.tidy(() => {
      const outs = new Map<string, { input: number[]; output: number[] }>();
      const logits = m.forward(tf.zeros([1, ...spec.inputShape]) as tf.Tensor4D, {
        training: false,
        onLinear: (info, input, output) => {
          outs.set(info.name, { input: input.shape.slice(1, 3), output: output.shape.slice(1, 3) });
          return output;
        },
      });
      return { conv: outs.get('stem')!.output, stem: outs.get('stage1.block0.conv1')!.input, last: outs.get('stage4.block1.conv2')!.output, logits: logits.shape };
    });
  } finally {
    m.dispose();
  }
}

test("feature-map sides are PyTorch's for even and odd inputs: conv floor((n-1)/2)+1, then the pool the same again", async () => {
  await useCpu();
  // [input side, stem conv, after the max-pool, last stage] as torchvision's resnet18 gives them
  // (torch_resnet_stem.py prints its sides; resnetStemTorch.test.ts compares).
  const cases: [number, number, number, number][] = [
    [64, 32, 16, 2],
    [65, 33, 17, 3],
    [96, 48, 24, 3],
    [224, 112, 56, 7],
  ];
  for (const [side, conv, stem, last] of cases) {
    const got = featureSides({ arch: 'resnet18', width: 0.125, inputShape: [side, side, 3], numClasses: 7, stem: 'imagenet' });
    assert.deepEqual(got, { conv: [conv, conv], stem: [stem, stem], last: [last, last], logits: [1, 7] }, `${side} px`);
  }
  const rect = featureSides({ arch: 'resnet50', width: 0.0625, inputShape: [96, 65, 1], numClasses: 3, stem: 'imagenet' });
  assert.deepEqual(rect.conv, [48, 33]);
  assert.deepEqual(rect.stem, [24, 17]);
  assert.deepEqual(rect.logits, [1, 3]);
});

test('auto takes the ImageNet stem when the smaller input side is 64 px or more; cifar and imagenet are taken as given', async () => {
  await useCpu();
  assert.equal(resolveStem('auto', [32, 32, 3]), 'cifar');
  assert.equal(resolveStem('auto', [63, 63, 3]), 'cifar');
  assert.equal(resolveStem('auto', [64, 64, 3]), 'imagenet');
  assert.equal(resolveStem('auto', [64, 63, 3]), 'cifar', 'the smaller side decides');
  assert.equal(resolveStem('auto', [300, 224, 1]), 'imagenet');
  assert.equal(resolveStem(undefined, [224, 224, 3]), 'imagenet', 'absent is auto');
  assert.equal(resolveStem('cifar', [224, 224, 3]), 'cifar');
  assert.equal(resolveStem('imagenet', [32, 32, 3]), 'imagenet');

  const stemKernel = (inputShape: [number, number, number], stem?: 'auto' | 'cifar' | 'imagenet') => {
    const m = buildModel({ arch: 'resnet18', width: 0.125, inputShape, numClasses: 10, ...(stem ? { stem } : {}) }, makeRng(0).next);
    const got = { kernel: m.params[0].variable.shape[0], stem: modelRecord(m).stem };
    m.dispose();
    return got;
  };
  assert.deepEqual(stemKernel([64, 64, 3]), { kernel: 7, stem: 'imagenet' });
  assert.deepEqual(stemKernel([63, 64, 3]), { kernel: 3, stem: 'cifar' });
  assert.deepEqual(stemKernel([64, 64, 3], 'cifar'), { kernel: 3, stem: 'cifar' });
  assert.deepEqual(stemKernel([32, 32, 3], 'imagenet'), { kernel: 7, stem: 'imagenet' });

  // Other architectures have no stem: the option changes nothing and the record names none.
  const cnn = (stem: 'cifar' | 'imagenet') => buildModel({ arch: 'cnn-small', width: 0.25, inputShape: [64, 64, 3], numClasses: 10, stem }, makeRng(0).next);
  const [a, b] = [cnn('cifar'), cnn('imagenet')];
  assert.equal(a.numParams(), b.numParams());
  assert.equal(modelRecord(a).stem, undefined);
  a.dispose();
  b.dispose();
});

test('the stem option: checked as a choice; a recorded configuration without one (made before it existed) reruns with the CIFAR stem', () => {
  assert.equal(checkParams('train', { dataset: 'mnist', stem: 'imagenet' }).stem, 'imagenet');
  assert.throws(() => checkParams('train', { dataset: 'mnist', stem: 'resnet' }), /stem/);
  assert.equal(configStem({ model: 'resnet18' }), 'cifar');
  assert.equal(configStem({ model: 'resnet18', stem: 'imagenet' }), 'imagenet');
  assert.equal(configStem({ model: 'resnet18', stem: 'auto' }), 'auto');
});

test('the memory estimate measures the stem as built: the ImageNet stem needs far fewer activation bytes at 64 px; a forced CIFAR stem there is named', async () => {
  await useCpu();
  const bytes = async (stem: 'cifar' | 'imagenet') => {
    const m = buildModel({ arch: 'resnet18', width: 0.125, inputShape: [64, 64, 3], numClasses: 10, stem }, makeRng(0).next);
    try {
      return { perExample: await measureActivationBytes(m), hint: cifarStemOnLargeImages(m.spec) };
    } finally {
      m.dispose();
    }
  };
  const [cifar, imagenet] = [await bytes('cifar'), await bytes('imagenet')];
  // Everything after the stem has a sixteenth of the positions; the stem conv's output a quarter.
  assert.ok(imagenet.perExample * 8 < cifar.perExample, `activation bytes per example: cifar ${cifar.perExample}, imagenet ${imagenet.perExample}`);
  assert.deepEqual([cifar.hint, imagenet.hint], [true, false]);
  const small = buildModel({ arch: 'resnet18', width: 0.125, inputShape: [32, 32, 3], numClasses: 10, stem: 'cifar' }, makeRng(0).next);
  assert.equal(cifarStemOnLargeImages(small.spec), false, 'below 64 px the CIFAR stem is the right one');
  small.dispose();
  const job = { batchSize: 512, width: 0.125, datasetBytes: 0, cifarStemOnLargeImages: true };
  const msg = memoryProblem(estimateMemory(1e6, cifar.perExample, job, 64 * 64 * 3), { bytes: 64 * 1024 ** 2, what: 'a test budget' }, job);
  assert.match(msg ?? '', /--stem imagenet/);
});
