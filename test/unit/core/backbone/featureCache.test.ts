import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cachedFeatures, featureCacheFiles, featureCacheKey, type FeatureMatrix } from '../../../../src/core/backbone/featureCache';
import { tempDir } from '../../helpers/paths';

function matrix(count: number, dim: number, salt: number): FeatureMatrix {
  return { values: Float32Array.from({ length: count * dim }, (_, i) => Math.sin(i + salt)), count, dim };
}

/** A compute function that counts its calls. */
function counted(m: FeatureMatrix): { compute: () => Promise<FeatureMatrix>; calls: () => number } {
  let n = 0;
  return {
    compute: async () => {
      n++;
      return m;
    },
    calls: () => n,
  };
}

const parts = { backboneFingerprint: 'b'.repeat(64), datasetFingerprint: 'd'.repeat(64), preprocessing: { height: 224, width: 224, channels: 3, range: '0-1' } };

test('the key changes with the backbone, the dataset and any preprocessing option, not with key order', () => {
  const key = featureCacheKey(parts);
  assert.match(key, /^[0-9a-f]{64}$/);
  assert.equal(featureCacheKey({ datasetFingerprint: parts.datasetFingerprint, preprocessing: { range: '0-1', channels: 3, width: 224, height: 224 }, backboneFingerprint: parts.backboneFingerprint }), key);
  const others = [
    { ...parts, backboneFingerprint: 'c'.repeat(64) },
    { ...parts, datasetFingerprint: 'e'.repeat(64) },
    { ...parts, preprocessing: { ...parts.preprocessing, range: '-1-1' } },
    { ...parts, preprocessing: { ...parts.preprocessing, height: 160 } },
  ];
  assert.equal(new Set([key, ...others.map(featureCacheKey)]).size, 5);
});

test('a miss computes and stores; the next call with the same key reads the file back without computing', async () => {
  const dir = path.join(tempDir('bb-cache'), '.datadiet', 'cache');
  const key = featureCacheKey(parts);
  const m = matrix(7, 5, 1);
  const c = counted(m);
  const first = await cachedFeatures(dir, key, c.compute);
  assert.equal(first.outcome, 'computed');
  assert.equal(first.file, path.join(dir, `features-${key}.f32`));
  const files = featureCacheFiles(dir, key);
  assert.equal(fs.statSync(files.data).size, 7 * 5 * 4);
  const header = JSON.parse(fs.readFileSync(files.header, 'utf8'));
  assert.deepEqual([header.count, header.dim, header.byteLength, header.dtype, header.key], [7, 5, 140, 'float32', key]);
  const second = await cachedFeatures(dir, key, c.compute);
  assert.equal(second.outcome, 'hit');
  assert.equal(c.calls(), 1);
  assert.deepEqual([second.count, second.dim], [7, 5]);
  assert.deepEqual(second.values, m.values);
  assert.deepEqual(fs.readdirSync(dir).sort(), [`features-${key}.f32`, `features-${key}.json`], 'no temp files left');
});

test('another key misses', async () => {
  const dir = tempDir('bb-cache-keys');
  const a = counted(matrix(3, 2, 1));
  const b = counted(matrix(3, 2, 2));
  await cachedFeatures(dir, featureCacheKey(parts), a.compute);
  const other = await cachedFeatures(dir, featureCacheKey({ ...parts, datasetFingerprint: 'x' }), b.compute);
  assert.equal(other.outcome, 'computed');
  assert.equal(b.calls(), 1);
  assert.deepEqual(other.values, matrix(3, 2, 2).values);
});

test('a damaged cache entry is recomputed and rewritten: flipped bits, a short file, a broken or mismatched header, a lost data file', async () => {
  const dir = tempDir('bb-cache-bad');
  const key = featureCacheKey(parts);
  const files = featureCacheFiles(dir, key);
  const m = matrix(4, 3, 3);
  const damages: [string, () => void, RegExp][] = [
    ['flipped bit', () => {
      const b = fs.readFileSync(files.data);
      b[5] ^= 0x10;
      fs.writeFileSync(files.data, b);
    }, /does not match its checksum/],
    ['truncated', () => fs.truncateSync(files.data, 20), /holds 20 bytes, the header says 48/],
    ['header not JSON', () => fs.writeFileSync(files.header, '{"count": 4, "dim"'), /is not valid JSON/],
    ['header count', () => {
      const h = JSON.parse(fs.readFileSync(files.header, 'utf8'));
      fs.writeFileSync(files.header, JSON.stringify({ ...h, count: 5 }));
    }, /count, dim and byteLength disagree/],
    ['header of another key', () => {
      const h = JSON.parse(fs.readFileSync(files.header, 'utf8'));
      fs.writeFileSync(files.header, JSON.stringify({ ...h, key: 'other' }));
    }, /another key/],
    ['data file gone', () => fs.rmSync(files.data), /is missing/],
  ];
  for (const [name, damage, why] of damages) {
    await cachedFeatures(dir, key, async () => m);
    damage();
    const c = counted(m);
    const again = await cachedFeatures(dir, key, c.compute);
    assert.equal(again.outcome, 'recomputed', name);
    assert.match(again.problem ?? '', why, name);
    assert.equal(c.calls(), 1, name);
    assert.deepEqual(again.values, m.values, name);
    assert.equal((await cachedFeatures(dir, key, c.compute)).outcome, 'hit', `${name}: rewritten`);
  }
});

test('a key that is not a plain name and a compute result of the wrong size are refused', async () => {
  const dir = tempDir('bb-cache-refuse');
  assert.throws(() => featureCacheFiles(dir, '../escape'), /letters, digits/);
  await assert.rejects(cachedFeatures(dir, 'k', async () => ({ values: new Float32Array(5), count: 2, dim: 3 })), /5 values, not count 2 x dim 3/);
  assert.deepEqual(fs.readdirSync(dir), []);
});
