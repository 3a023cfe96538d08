import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadBackbone } from '../../../../src/core/backbone/backbone';
import { extractFeatures } from '../../../../src/core/backbone/extractFeatures';
import { initBackend } from '../../../../src/core/compute/backend';
import { relError } from '../../helpers/tf';
import { tempDir } from '../../helpers/paths';
import { saveLayersModel, writeConvMeanGraph } from './modelFiles';

/** The backend experiments run on: wasm with the project's kernels registered. Native kernels off: see native.test.ts. */
test('on the wasm backend, both formats load, resize and give the features the cpu backend gives', async () => {
  await initBackend('wasm', { threads: 1, native: false });
  const px = Uint8Array.from({ length: 4 * 10 * 10 * 3 }, (_, i) => (i * 29 + ((i * i) % 13)) % 256);

  const graphDir = tempDir('bb-wasm-graph');
  const g = writeConvMeanGraph(graphDir, { height: -1, width: -1, channels: 3, filters: 4 });
  const graph = await loadBackbone(graphDir, { inputSize: 10 });
  const got = await extractFeatures(graph, px, [10, 10, 3], 4);
  graph.dispose();
  assert.ok(relError(got, g.reference(Float32Array.from(px, (v) => v / 255), 4)) < 1e-5);

  const model = tfl.sequential({
    layers: [tfl.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, activation: 'relu' }), tfl.layers.globalAveragePooling2d({}), tfl.layers.dense({ units: 3 })],
  });
  const layersDir = tempDir('bb-wasm-layers');
  await saveLayersModel(model, layersDir);
  model.dispose();
  const layers = await loadBackbone(layersDir);
  const onWasm = await extractFeatures(layers, px, [10, 10, 3], 4);
  layers.dispose();
  await initBackend('cpu');
  const cpu = await loadBackbone(layersDir);
  const onCpu = await extractFeatures(cpu, px, [10, 10, 3], 4);
  cpu.dispose();
  assert.equal(tf.getBackend(), 'cpu');
  assert.ok(relError(onWasm, onCpu) < 1e-5, `wasm vs cpu ${relError(onWasm, onCpu)}`);
});
