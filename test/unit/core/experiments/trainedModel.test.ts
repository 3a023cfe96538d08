import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runTraining } from '../../../../src/core/experiments/trainRun';
import { tempDir } from '../../helpers/paths';
import { writeGrayPng } from '../data/fixtures';

test('a ResNet run on 64 px images records the stem `auto` resolved to, in its model and its configuration', async () => {
  const data = tempDir('stem-data');
  for (const cls of ['a', 'b']) for (let i = 0; i < 12; i++) writeGrayPng(path.join(data, cls, `${i}.png`), 64, 64, (x, y) => (x * 3 + y * (cls === 'a' ? 1 : 2) + i) % 256);
  const root = tempDir('stem-run');
  const m = await runTraining({ dataset: `folder:${data}`, model: 'resnet18', width: 0.0625, steps: 2, batchSize: 4, validation: 0, backend: 'wasm' }, { root });
  assert.equal(m.status, 'done', m.error);
  assert.deepEqual(m.dataset?.shape, [64, 64, 1]);
  assert.equal(m.model?.stem, 'imagenet');
  assert.equal(m.config.stem, 'imagenet', 'the configuration says what auto became, never auto');

  const cifar = await runTraining({ dataset: `folder:${data}`, model: 'resnet18', width: 0.0625, steps: 1, batchSize: 4, validation: 0, backend: 'wasm', stem: 'cifar' }, { root });
  assert.equal(cifar.model?.stem, 'cifar');
  assert.ok(cifar.model!.params < m.model!.params, 'the 3x3 stem has fewer weights than the 7x7 one');
});
