import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runScores } from '../../../../src/core/experiments/scoreRun';
import { readPredictions } from '../../../../src/core/annotations/predictions';
import { readNpy } from '../../../../src/core/store/scoreFiles';
import { exactNeighbours } from '../../../../src/core/similarity/exactNeighbours';
import { tempDir } from '../../helpers/paths';

const base = { dataset: 'mnist', model: 'cnn-small' as const, width: 0.25, trainSubset: 600, validation: 0.1, batchSize: 50, backend: 'wasm' as const, epochs: 6, scoreEpoch: 6, scores: ['el2n' as const] };

async function embeddingsOf(root: string, id: string): Promise<{ shape: number[]; data: Float32Array }> {
  const a = readNpy(path.join(root, '.datadiet', 'runs', id, 'predictions', 'embeddings.npy'));
  assert.equal(a.dtype, 'float32');
  return { shape: a.shape, data: a.data as Float32Array };
}

test("a score run records run 0's penultimate activations, one row per row of the predictions table", async () => {
  const root = tempDir('score-emb');
  const two = await runScores({ ...base, runs: 2 }, { root });
  assert.equal(two.status, 'done', two.error);
  const e2 = await embeddingsOf(root, two.id);
  const p = readPredictions(path.join(root, '.datadiet', 'runs', two.id))!;
  // cnn-small's dense layer at width 0.25: 32 units; 540 trained examples (600 less 10% validation).
  assert.deepEqual(e2.shape, [p.index.length, 32]);
  assert.equal(p.index.length, 540);
  assert.deepEqual((two.results as { embeddings?: unknown }).embeddings, { from: 'run 0 penultimate layer', dim: 32 });
  // ReLU features: non-negative, and not all zero.
  assert.ok(e2.data.every((x) => x >= 0) && e2.data.some((x) => x > 0));
  // Run 0's space, not an average over runs: one run with the same seed trains the same model 0.
  const one = await runScores({ ...base, runs: 1 }, { root });
  assert.deepEqual((await embeddingsOf(root, one.id)).data, e2.data);
  // The rows follow the table: in this space most examples' nearest neighbour has their label.
  const lists = await exactNeighbours({ values: e2.data, dim: 32 }, 1);
  let same = 0;
  for (let r = 0; r < p.index.length; r++) if (p.label[lists.indices[r]] === p.label[r]) same++;
  assert.ok(same / p.index.length > 0.7, `1-NN label agreement ${same / p.index.length}`);
  // Shuffling the rows against the labels breaks that: the agreement is a property of the alignment.
  let shifted = 0;
  for (let r = 0; r < p.index.length; r++) if (p.label[(lists.indices[r] + 1) % p.index.length] === p.label[r]) shifted++;
  assert.ok(shifted / p.index.length < 0.3, `misaligned agreement ${shifted / p.index.length}`);
});

test('a linear model has no hidden layer: no embeddings are recorded', async () => {
  const root = tempDir('score-emb-linear');
  const m = await runScores({ ...base, model: 'linear', runs: 1 }, { root });
  assert.equal(m.status, 'done', m.error);
  assert.equal(fs.existsSync(path.join(root, '.datadiet', 'runs', m.id, 'predictions', 'embeddings.npy')), false);
  assert.equal((m.results as { embeddings?: unknown }).embeddings, undefined);
});

test('--no-predictions: the scores only, without probabilities or embeddings (a sweep keeps K x N x classes floats less)', async () => {
  const root = tempDir('score-nopred');
  const m = await runScores({ ...base, runs: 2, predictions: false }, { root });
  assert.equal(m.status, 'done', m.error);
  const dir = path.join(root, '.datadiet', 'runs', m.id);
  assert.equal(fs.existsSync(path.join(dir, 'predictions')), false);
  for (const unit of ['run-0', 'run-1']) assert.deepEqual(fs.readdirSync(path.join(dir, 'units', unit)).filter((f) => f.endsWith('.f32')), ['el2n.f32']);
  assert.equal((m.results as { embeddings?: unknown }).embeddings, undefined);
  // The same scores as a run that keeps its predictions: the option changes what is kept, not what is computed.
  const withPredictions = await runScores({ ...base, runs: 2 }, { root });
  const a = readNpy(path.join(dir, 'scores', 'el2n.npy')).data as Float32Array;
  const b = readNpy(path.join(root, '.datadiet', 'runs', withPredictions.id, 'scores', 'el2n.npy')).data as Float32Array;
  assert.deepEqual(Array.from(a), Array.from(b));
});
