import { test } from 'node:test';
import assert from 'node:assert/strict';
import { augmentBatch, cropFlip, drawCropFlip } from '../../../../src/core/data/augment';
import { makeRng } from '../../../../src/core/random';

// 3x3 single-channel image with values 1..9.
const img = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
const shape: [number, number, number] = [3, 3, 1];

function apply(dy: number, dx: number, flip: boolean, pad = 1): number[] {
  const out = new Float32Array(9);
  cropFlip(img, 0, out, 0, shape, pad, { dy, dx, flip });
  return Array.from(out);
}

test('crop offsets shift the image with zero padding (hand-computed)', () => {
  assert.deepEqual(apply(1, 1, false), [1, 2, 3, 4, 5, 6, 7, 8, 9]); // centred crop = identity
  assert.deepEqual(apply(0, 0, false), [0, 0, 0, 0, 1, 2, 0, 4, 5]); // top-left of the padded image
  assert.deepEqual(apply(2, 2, false), [5, 6, 0, 8, 9, 0, 0, 0, 0]); // bottom-right
  assert.deepEqual(apply(1, 0, false), [0, 1, 2, 0, 4, 5, 0, 7, 8]);
});

test('flip mirrors the cropped image horizontally (hand-computed)', () => {
  assert.deepEqual(apply(1, 1, true), [3, 2, 1, 6, 5, 4, 9, 8, 7]);
  // Crop at (0,0) -> [[0,0,0],[0,1,2],[0,4,5]], then mirrored.
  assert.deepEqual(apply(0, 0, true), [0, 0, 0, 2, 1, 0, 5, 4, 0]);
});

test('channels move together and the fill value is used for padding', () => {
  const rgb = Float32Array.from([1, 10, 100, 2, 20, 200]); // 1x2x3
  const out = new Float32Array(6);
  cropFlip(rgb, 0, out, 0, [1, 2, 3], 1, { dy: 1, dx: 1, flip: true }, -5);
  assert.deepEqual(Array.from(out), [2, 20, 200, 1, 10, 100]);
  cropFlip(rgb, 0, out, 0, [1, 2, 3], 1, { dy: 0, dx: 1, flip: false }, -5);
  assert.deepEqual(Array.from(out), [-5, -5, -5, -5, -5, -5]);
});

function randomBatch(n: number, size: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n * size }, () => rng.next() * 2 - 1);
}

test('augmentBatch is deterministic for a seed and differs across seeds', () => {
  const s: [number, number, number] = [8, 8, 3];
  const base = randomBatch(16, 192, 1);
  const a = augmentBatch(base.slice(), 16, s, makeRng(5));
  const b = augmentBatch(base.slice(), 16, s, makeRng(5));
  const c = augmentBatch(base.slice(), 16, s, makeRng(6));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('each augmented image is exactly one crop+flip of its original; all offsets and both flips occur', () => {
  const s: [number, number, number] = [6, 5, 2];
  const size = 60;
  const n = 400;
  const base = randomBatch(n, size, 2);
  const out = new Float32Array(n * size);
  const res = augmentBatch(base, n, s, makeRng(9), { out });
  assert.equal(res, out);
  // Replaying the draws reproduces the output, and the input was left untouched.
  const rng = makeRng(9);
  const seen = new Set<string>();
  const expected = new Float32Array(size);
  for (let i = 0; i < n; i++) {
    const t = drawCropFlip(rng, 4, true);
    assert.ok(t.dy >= 0 && t.dy <= 8 && t.dx >= 0 && t.dx <= 8);
    seen.add(`${t.dy},${t.dx},${t.flip}`);
    cropFlip(base, i * size, expected, 0, s, 4, t);
    assert.deepEqual(out.subarray(i * size, (i + 1) * size), expected);
  }
  assert.ok(seen.size > 120, `only ${seen.size} of 162 transforms seen`);
  assert.deepEqual(base, randomBatch(n, size, 2));
  // In place gives the same result as out-of-place.
  const inPlace = augmentBatch(randomBatch(n, size, 2), n, s, makeRng(9));
  assert.deepEqual(inPlace, out);
});

test('pad 0 without flips is the identity; bad arguments are refused', () => {
  const base = randomBatch(3, 12, 3);
  assert.deepEqual(augmentBatch(base.slice(), 3, [2, 2, 3], makeRng(1), { pad: 0, flip: false }), base);
  assert.throws(() => augmentBatch(base, 4, [2, 2, 3], makeRng(1)), RangeError);
  assert.throws(() => augmentBatch(base, 3, [2, 2, 3], makeRng(1), { pad: -1 }), RangeError);
  assert.throws(() => augmentBatch(base, 3, [2, 2, 3], makeRng(1), { out: new Float32Array(5) }), RangeError);
});
