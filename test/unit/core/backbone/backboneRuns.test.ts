import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type sharpFunction from 'sharp';
import { runJob } from '../../../../src/core/jobs/runner';
import { runSummaryLines } from '../../../../src/cli/runSummary';
import { readNpy, readScoreTable, scoresDir } from '../../../../src/core/store/scoreFiles';
import { tempDir } from '../../helpers/paths';
import { saveLayersModel } from './modelFiles';

const sharp = createRequire(__filename)('sharp') as typeof sharpFunction;

/** Two classes told apart by colour, 12 photos each, of two sizes (so --image-size is needed). */
async function photoFolder(root: string): Promise<void> {
  for (const [c, rgb] of [['rouge', [220, 40, 40]], ['bleu', [40, 40, 220]]] as const) {
    for (let i = 0; i < 12; i++) {
      const [w, h] = i % 3 ? [18, 16] : [20, 24];
      const px = Buffer.alloc(w * h * 3);
      for (let p = 0; p < w * h; p++) for (let k = 0; k < 3; k++) px[p * 3 + k] = Math.max(0, Math.min(255, rgb[k] + ((p * 37 + i * 11 + k * 5) % 41) - 20));
      const file = path.join(root, c, `${i}.${i % 2 ? 'png' : 'jpg'}`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await sharp(px, { raw: { width: w, height: h, channels: 3 } }).toFile(file);
    }
  }
}

async function backboneFolder(dir: string): Promise<void> {
  await tf.setBackend('cpu');
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'glorotUniform', seed: 7 } as never),
      tfl.layers.globalAveragePooling2d({}),
    ],
  });
  await saveLayersModel(model, dir);
  model.dispose();
}

test('--backbone: a score run trains linear heads on cached features of a mixed-size photo folder; prune needs the same backbone', async () => {
  const root = tempDir('backbone-runs');
  const data = path.join(root, 'photos');
  const bb = path.join(root, 'backbone');
  await photoFolder(data);
  await backboneFolder(bb);
  const params = { dataset: `folder:${data}`, backbone: bb, imageSize: 16, scores: ['el2n', 'grand', 'forgetting'], epochs: 3, scoreEpoch: 3, runs: 2, batchSize: 8, validation: 0, backend: 'cpu' };

  const m = await runJob('score', params, { root });
  assert.equal(m.status, 'done', m.error);
  assert.equal(m.config.model, 'linear', 'the head defaults to linear');
  assert.equal(m.config.augment, false);
  assert.equal(m.dataset?.backbone?.featureDim, 6);
  assert.equal(m.dataset?.imageSize, 16);
  assert.deepEqual(m.dataset?.shape, [16, 16, 3]);
  assert.deepEqual(m.dataset?.classNames, ['bleu', 'rouge']);
  // The head: 6 features x 2 classes + 2 biases.
  assert.equal(m.model?.params, 14);
  const dir = path.join(root, '.datadiet', 'runs', m.id);
  const n = m.dataset!.trainSize;
  for (const s of ['el2n', 'grand', 'forgetting']) {
    const t = readScoreTable(scoresDir(dir), s);
    assert.equal(t.index.length, n, s);
    assert.ok(t.score.every(Number.isFinite), s);
  }
  const summary = runSummaryLines(m, []).join('\n');
  assert.match(summary, /--image-size 16, crop/);
  assert.match(summary, /backbone\s+.*layers model.*6 features.*input 0-1/);
  // The scored examples' features, in the tables' row order, for numpy users and similarity search.
  const emb = readNpy(path.join(dir, 'predictions', 'embeddings.npy'));
  assert.deepEqual(emb.shape, [n, 6]);
  const grand = readScoreTable(scoresDir(dir), 'grand');
  assert.ok(grand.score.some((v) => v > 0), 'GraNd over the head is not all zero');

  const cache = path.join(root, '.datadiet', 'cache');
  const featureFiles = () => fs.readdirSync(cache).filter((f) => f.startsWith('features-') && f.endsWith('.f32'));
  assert.equal(featureFiles().length, 2, 'train and test features cached');
  const stamp = featureFiles().map((f) => fs.statSync(path.join(cache, f)).mtimeMs);
  const again = await runJob('score', { ...params, runs: 1 }, { root });
  assert.equal(again.status, 'done', again.error);
  assert.deepEqual(featureFiles().map((f) => fs.statSync(path.join(cache, f)).mtimeMs), stamp, 'features read from the cache, not recomputed');
  assert.equal(again.dataset?.fingerprint, m.dataset?.fingerprint);

  // Retraining from these scores without the backbone would train another model on other inputs.
  await assert.rejects(runJob('prune', { dataset: `folder:${data}`, scoresFrom: m.id, fractions: [0.5], seeds: 1, steps: 2, backend: 'cpu' }, { root }), /give --backbone/);
  const pruned = await runJob('prune', { dataset: `folder:${data}`, scoresFrom: m.id, backbone: bb, fractions: [0.5], strategies: ['keep-top'], seeds: 1, steps: 4, batchSize: 8, validation: 0, backend: 'cpu' }, { root });
  assert.equal(pruned.status, 'done', pruned.error);
  assert.equal(pruned.dataset?.imageSize, 16, '--image-size inherited from the score run');
});

test('--backbone refuses image models and augmentation, with the fix', async () => {
  const root = tempDir('backbone-refusals');
  const bb = path.join(root, 'backbone');
  await backboneFolder(bb);
  await assert.rejects(runJob('train', { dataset: 'mnist', backbone: bb, model: 'resnet18', steps: 1, backend: 'cpu' }, { root }), /--model linear or mlp, not resnet18/);
  await assert.rejects(runJob('train', { dataset: 'mnist', backbone: bb, augment: true, trainSubset: 50, steps: 1, backend: 'cpu' }, { root }), /leave --augment out/);
  const mlp = await runJob('train', { dataset: 'mnist', backbone: bb, model: 'mlp', width: 0.125, trainSubset: 60, validation: 0, steps: 3, batchSize: 16, backend: 'cpu' }, { root });
  assert.equal(mlp.status, 'done', mlp.error);
  // MNIST is gray: the backbone wants RGB, so pixels are replicated; 6 features -> 32 hidden -> 10 classes.
  assert.equal(mlp.model?.params, 6 * 32 + 32 + 32 * 10 + 10);
});
