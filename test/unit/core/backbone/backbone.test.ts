import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadBackbone } from '../../../../src/core/backbone/backbone';
import { extractFeatures } from '../../../../src/core/backbone/extractFeatures';
import { DataFormatError } from '../../../../src/core/data/dataset';
import { InputError } from '../../../../src/core/inputError';
import { relError, useCpu } from '../../helpers/tf';
import { tempDir } from '../../helpers/paths';
import { node, pattern, saveLayersModel, writeConvMeanGraph, writeGraphModel } from './modelFiles';

/** Deterministic uint8 images. */
function images(count: number, h: number, w: number, c: number, salt = 0): Uint8Array {
  return Uint8Array.from({ length: count * h * w * c }, (_, i) => (i * 37 + salt * 101 + ((i * i) % 17)) % 256);
}

function scaled(px: Uint8Array, f: (v: number) => number): Float32Array {
  return Float32Array.from(px, f);
}

async function rejectsWith(f: () => Promise<unknown>, cls: abstract new (...args: never[]) => InputError, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(f, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    assert.doesNotMatch(e.message, /\n\s+at |File an issue|tfjs\/issues/);
    return true;
  });
}

test('a layers model (conv, global average pooling, dense) loads from its folder and its features equal predict()', async () => {
  await useCpu();
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'glorotUniform', biasInitializer: 'ones' }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 5 }),
    ],
  });
  const dir = tempDir('bb-layers');
  await saveLayersModel(model, dir);
  const bb = await loadBackbone(dir);
  try {
    assert.equal(bb.format, 'layers-model');
    assert.deepEqual([bb.input.height, bb.input.width, bb.input.channels, bb.input.sizeChosen], [8, 8, 3, false]);
    assert.equal(bb.featureDim, 5);
    assert.equal(bb.weightCount, model.countParams());
    assert.equal(bb.description, `layers model, ${model.countParams()} parameters, input 8x8x3, 5 features`);
    assert.ok(bb.bytesPerExample > 8 * 8 * 6 * 4, `bytes per example ${bb.bytesPerExample}`);
    const px = images(7, 8, 8, 3);
    const got = await extractFeatures(bb, px, [8, 8, 3], 7);
    const want = tf.tidy(() => (model.predict(tf.tensor4d(scaled(px, (v) => v / 255), [7, 8, 8, 3])) as tf.Tensor).dataSync());
    assert.ok(relError(got, want) < 1e-5, `relative error ${relError(got, want)}`);
  } finally {
    bb.dispose();
    model.dispose();
  }
});

test('a functional layers model with two outputs, saved in several shards, gives its first output flattened and says so', async () => {
  await useCpu();
  const input = tfl.input({ shape: [4, 4, 1] });
  const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 2, activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  const first = tfl.layers.dense({ units: 3, name: 'embedding' }).apply(conv) as tfl.SymbolicTensor; // [3, 3, 3]: flattened to 27
  const second = tfl.layers.dense({ units: 2, name: 'logits' }).apply(tfl.layers.flatten().apply(conv) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: [first, second] });
  const dir = tempDir('bb-two-outputs');
  const shards = await saveLayersModel(model, dir, 40);
  assert.ok(shards.length > 3);
  const bb = await loadBackbone(dir);
  try {
    assert.equal(bb.featureDim, 27);
    assert.equal(bb.notes.length, 1);
    assert.match(bb.notes[0], /2 outputs; using the first \(embedding/);
    assert.match(bb.description, /27 features; the model has 2 outputs/);
    const px = images(3, 4, 4, 1, 1);
    const got = await extractFeatures(bb, px, [4, 4, 1], 3);
    const want = tf.tidy(() => ((model.predict(tf.tensor4d(scaled(px, (v) => v / 255), [3, 4, 4, 1])) as tf.Tensor[])[0]).dataSync());
    assert.ok(relError(got, want) < 1e-5);
  } finally {
    bb.dispose();
    model.dispose();
  }
});

test('a hand-written graph model (Conv2D, BiasAdd, Relu, Mean) gives the features computed by hand', async () => {
  await useCpu();
  const dir = tempDir('bb-graph');
  const g = writeConvMeanGraph(dir, { height: 5, width: 6, channels: 3, filters: 4, shardBytes: 16 });
  const bb = await loadBackbone(dir);
  try {
    assert.equal(bb.format, 'graph-model');
    assert.deepEqual([bb.input.height, bb.input.width, bb.input.channels], [5, 6, 3]);
    assert.equal(bb.featureDim, 4);
    assert.equal(bb.weightCount, 3 * 4 + 4 + 2);
    assert.equal(bb.description, 'graph model, 18 weights, input 5x6x3, 4 features');
    const px = images(9, 5, 6, 3, 2);
    const got = await extractFeatures(bb, px, [5, 6, 3], 9);
    const want = g.reference(scaled(px, (v) => v / 255), 9);
    assert.ok(relError(got, want) < 1e-5, `relative error ${relError(got, want)}`);
    assert.ok(want.some((v) => v > 0.05), 'the fixture gives non-trivial features');
  } finally {
    bb.dispose();
  }
});

test('a graph model with Reshape and MatMul (flatten + dense) gives the features computed by hand', async () => {
  await useCpu();
  const dir = tempDir('bb-graph-dense');
  const w = pattern(12 * 5, 3);
  const b = Float32Array.from([0.1, -0.2, 0.3, 0, 0.05]);
  writeGraphModel(
    dir,
    [
      node.placeholder('x', -1, 2, 2, 3),
      node.constant('flat/shape', [2], 'DT_INT32'),
      node.reshape('flat', 'x', 'flat/shape'),
      node.constant('dense/w', [12, 5]),
      node.matMul('dense', 'flat', 'dense/w'),
      node.constant('dense/b', [5]),
      node.biasAdd('dense/out', 'dense', 'dense/b'),
      node.relu('features', 'dense/out'),
    ],
    [
      { name: 'flat/shape', shape: [2], values: Int32Array.from([-1, 12]) },
      { name: 'dense/w', shape: [12, 5], values: w },
      { name: 'dense/b', shape: [5], values: b },
    ],
  );
  const bb = await loadBackbone(dir);
  try {
    const px = images(4, 2, 2, 3, 5);
    const got = await extractFeatures(bb, px, [2, 2, 3], 4, { inputRange: '-1-1' });
    const want = new Float32Array(4 * 5);
    for (let e = 0; e < 4; e++) {
      for (let j = 0; j < 5; j++) {
        let z = b[j];
        for (let i = 0; i < 12; i++) z += (px[e * 12 + i] / 127.5 - 1) * w[i * 5 + j];
        want[e * 5 + j] = Math.max(0, z);
      }
    }
    assert.ok(relError(got, want) < 1e-5, `relative error ${relError(got, want)}`);
  } finally {
    bb.dispose();
  }
});

test('a model that takes any size is fed 224x224 unless told otherwise; a fixed-size model refuses another size', async () => {
  await useCpu();
  const free = tempDir('bb-free');
  const g = writeConvMeanGraph(free, { height: -1, width: -1, channels: 3, filters: 2 });
  const bb = await loadBackbone(free);
  try {
    assert.deepEqual([bb.input.height, bb.input.width, bb.input.sizeChosen], [224, 224, true]);
    assert.match(bb.description, /input 224x224x3 \(the model takes any size\)/);
    // A constant image stays constant through the resize: its features are those of one pixel.
    const px = new Uint8Array(2 * 10 * 10 * 3).fill(200);
    const got = await extractFeatures(bb, px, [10, 10, 3], 2);
    const one = g.reference(new Float32Array(3).fill(200 / 255), 1);
    assert.ok(relError(got, [...one, ...one]) < 1e-5);
  } finally {
    bb.dispose();
  }
  const small = await loadBackbone(free, { inputSize: [32, 48] });
  assert.deepEqual([small.input.height, small.input.width], [32, 48]);
  small.dispose();
  const fixed = tempDir('bb-fixed');
  writeConvMeanGraph(fixed, { height: 6, width: 6, channels: 3, filters: 2 });
  await rejectsWith(() => loadBackbone(fixed, { inputSize: 224 }), InputError, /input size 224x224 does not fit the backbone .*model\.json: it takes \[\?, 6, 6, 3\]/);
});

test('a graph model with several outputs uses the first and says so', async () => {
  await useCpu();
  const dir = tempDir('bb-graph-outputs');
  writeGraphModel(
    dir,
    [node.placeholder('x', -1, 2, 2, 1), node.relu('positive', 'x'), node.op('negative', 'Neg', 'x')],
    [],
  );
  const bb = await loadBackbone(dir);
  try {
    assert.equal(bb.featureDim, 4);
    assert.match(bb.notes[0], /the graph has 2 outputs \(positive, negative\); using the first \(positive\)/);
    const got = await extractFeatures(bb, Uint8Array.from([0, 51, 102, 255]), [2, 2, 1], 1);
    assert.ok(relError(got, [0, 0.2, 0.4, 1]) < 1e-6);
  } finally {
    bb.dispose();
  }
});

test('a model whose signature fixes the batch size is run in batches of exactly that size, the last one padded', async () => {
  await useCpu();
  const input = tfl.input({ batchShape: [2, 4, 4, 3] });
  const out = tfl.layers.dense({ units: 2 }).apply(tfl.layers.flatten().apply(input) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  const dir = tempDir('bb-fixed-batch');
  await saveLayersModel(model, dir);
  const bb = await loadBackbone(dir);
  try {
    assert.equal(bb.input.fixedBatch, 2);
    const px = images(3, 4, 4, 3, 7);
    const got = await extractFeatures(bb, px, [4, 4, 3], 3, { batchSize: 64 });
    assert.equal(got.length, 3 * 2);
    const padded = new Float32Array(4 * 48);
    padded.set(scaled(px, (v) => v / 255));
    const want = tf.tidy(() => (model.predict(tf.tensor4d(padded, [4, 4, 4, 3]), { batchSize: 2 }) as tf.Tensor).dataSync().slice(0, 6));
    assert.ok(relError(got, want) < 1e-5);
  } finally {
    bb.dispose();
    model.dispose();
  }
});

test('an op TensorFlow.js cannot run is named, with model.json, at load time', async () => {
  await useCpu();
  const dir = tempDir('bb-unknown-op');
  writeGraphModel(dir, [node.placeholder('x', -1, 2, 2, 1), node.op('fancy', 'ImageProjectiveTransformV9', 'x'), node.relu('out', 'fancy')], []);
  const tensorsBefore = tf.memory().numTensors;
  await rejectsWith(() => loadBackbone(dir), DataFormatError, new RegExp(`${path.join(dir, 'model.json')}: the graph uses the TensorFlow op ImageProjectiveTransformV9, which TensorFlow.js cannot run`));
  assert.equal(tf.memory().numTensors, tensorsBefore, 'the refused model and its test batch are disposed');
});

test('a Keras layer tfjs does not know, and weights that do not fit the layers, are rephrased', async () => {
  await useCpu();
  const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [2, 2, 1] }), tfl.layers.dense({ units: 2 })] });
  const dir = tempDir('bb-bad-layers');
  await saveLayersModel(model, dir);
  model.dispose();
  const file = path.join(dir, 'model.json');
  const original = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, original.replace('"class_name":"Dense"', '"class_name":"MyAttentionPool"'));
  await rejectsWith(() => loadBackbone(dir), DataFormatError, /uses the Keras layer MyAttentionPool, which TensorFlow.js layers cannot build/, /--input_format=tf_saved_model/);
  fs.writeFileSync(file, original.replace(/"name":"dense_Dense\d+\/kernel"/, '"name":"other/kernel"'));
  await rejectsWith(() => loadBackbone(dir), DataFormatError, /the weights in weightsManifest do not match the model's layers/);
});

test('a layers model converted from Keras 3 (batch_shape instead of batch_input_shape) is told to take the SavedModel route', async () => {
  await useCpu();
  const input = tfl.input({ shape: [2, 2, 1] });
  const model = tfl.model({ inputs: input, outputs: tfl.layers.flatten().apply(input) as tfl.SymbolicTensor });
  const dir = tempDir('bb-keras3');
  await saveLayersModel(model, dir);
  model.dispose();
  const file = path.join(dir, 'model.json');
  const text = fs.readFileSync(file, 'utf8');
  assert.match(text, /"batch_input_shape"/);
  fs.writeFileSync(file, text.replace(/"batch_input_shape"/g, '"batch_shape"'));
  await rejectsWith(() => loadBackbone(dir), DataFormatError, /converted from Keras 3/, /--input_format=tf_saved_model/);
});

test('a model that does not take an image batch is refused with its input shape', async () => {
  await useCpu();
  const dir = tempDir('bb-flat-input');
  writeGraphModel(dir, [node.placeholder('x', -1, 784), node.relu('out', 'x')], []);
  await rejectsWith(() => loadBackbone(dir), DataFormatError, /takes input of shape \[\?, 784\], not an image batch/);
  const nchw = tempDir('bb-nchw');
  writeGraphModel(nchw, [node.placeholder('x', -1, 3, 32, 32), node.relu('out', 'x')], []);
  await rejectsWith(() => loadBackbone(nchw), DataFormatError, /channels-first/);
  const tensorsBefore = tf.memory().numTensors;
  await assert.rejects(() => loadBackbone(nchw));
  assert.equal(tf.memory().numTensors, tensorsBefore, 'a refused model leaves no tensors behind');
});
