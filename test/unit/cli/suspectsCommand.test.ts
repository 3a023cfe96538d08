import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suspectsTable } from '../../../src/cli/suspectsCommand';

test('suspects table: named columns, rank order kept, classes by name', () => {
  const lines = suspectsTable(
    [
      { index: 17, label: 0, predicted: 2, confidence: 0.91, suspicion: 0.85, path: 'img/17.png' },
      { index: 3, label: 1, predicted: 0, confidence: 0.6, suspicion: 0.4, path: 'img/3.png' },
    ],
    ['cat', 'dog', 'cow'],
  );
  assert.match(lines[0], /^RANK +SUSPICION +INDEX +LABEL +PREDICTED +CONFIDENCE +PATH$/);
  assert.match(lines[1], /^1 +0\.850 +17 +0 cat +2 cow +91\.0% +img\/17\.png$/);
  assert.match(lines[2], /^2 +0\.400 +3 +1 dog +0 cat +60\.0% +img\/3\.png$/);
  assert.equal(lines[0].indexOf('LABEL'), lines[1].indexOf('0 cat'), 'aligned under its header');
  const noisy = suspectsTable([{ index: 1, label: 3, predicted: 4, confidence: 0.5, suspicion: 0.1, corrupted: true }], ['0', '1', '2', '3', '4']);
  assert.match(noisy[0], /CONFIDENCE +CORRUPTED$/);
  assert.match(noisy[1], /^1 +0\.100 +1 +3 +4 +50\.0% +yes$/, 'class names equal to their index are not repeated');
});
