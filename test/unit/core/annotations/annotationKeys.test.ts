import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { checkAnnotationKeys, knownExamples } from '../../../../src/core/annotations/annotationKeys';
import { InputError } from '../../../../src/core/inputError';

const file = path.resolve('/data/shoes/annotations.jsonl');
const known = knownExamples({ labels: new Int32Array(5), sources: ['/data/shoes/images/a.png', '/data/shoes/images/b.png'] }, file, 'dataset shoes');

test('annotation keys the dataset has pass; others are refused naming them and the valid range', () => {
  checkAnnotationKeys([{ index: 0 }, { index: 4 }, { path: 'images/a.png' }, { path: './images/b.png' }], known);
  assert.throws(() => checkAnnotationKeys([{ index: 5 }, { index: -1 }], known), (e: Error) => e instanceof InputError && /not in dataset shoes \(indices run from 0 to 4\): index 5, index -1/.test(e.message));
  assert.throws(() => checkAnnotationKeys([{ path: 'images/zzz.png' }], known), /not in dataset shoes \(paths are relative to the annotations file.*\): path images\/zzz\.png/);
  const noPaths = knownExamples({ labels: new Int32Array(3) }, file, 'dataset mnist');
  assert.throws(() => checkAnnotationKeys([{ path: 'a.png' }], noPaths), /names examples by --index/);
});

test('many unknown keys: the first 10 and how many more', () => {
  const keys = Array.from({ length: 15 }, (_, i) => ({ index: 100 + i }));
  assert.throws(() => checkAnnotationKeys(keys, known), /index 109 … and 5 more$/);
});

test('keys of the test split: its paths always; its rows by index only where the dataset has splits of its own', () => {
  const train = { labels: new Int32Array(3), sources: ['/data/shoes/images/a.png', '/data/shoes/images/b.png', '/data/shoes/images/c.png'] };
  const test = { labels: new Int32Array(2), sources: ['/data/shoes/images/t.png', '/data/shoes/images/u.png'] };
  const heldOut = knownExamples(train, file, 'dataset shoes', { ...test, indexed: false });
  checkAnnotationKeys([{ path: 'images/u.png' }, { index: 2 }], heldOut);
  assert.throws(() => checkAnnotationKeys([{ index: 3 }], heldOut), /indices run from 0 to 2\): index 3/);
  const binary = knownExamples({ labels: new Int32Array(3) }, file, 'dataset mnist', { labels: new Int32Array(2), indexed: true });
  checkAnnotationKeys([{ index: 4 }], binary);
  assert.throws(() => checkAnnotationKeys([{ index: 5 }], binary), /indices run from 0 to 4\): index 5/);
});
