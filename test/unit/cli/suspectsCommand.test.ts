import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suspectsHeadline, suspectsTable } from '../../../src/cli/suspectsCommand';

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

test('suspects headline: the method, its setting and the estimate; a split column when test rows are listed', () => {
  assert.equal(
    suspectsHeadline({ count: 25, method: 'confident-learning', threshold: 0.5, filter: 'both', estimatedIssues: 31 }, 1000, 'label-quality'),
    '25 of 1000 examples suspected by confident learning (filter both; estimated 31 label issues); tie-break label-quality',
  );
  assert.equal(suspectsHeadline({ count: 7, method: 'threshold', threshold: 0.5 }, 1000), '7 of 1000 examples suspected by threshold 0.5; tie-break none');
  const lines = suspectsTable([{ index: 60003, split: 'test', label: 7, predicted: 1, confidence: 0.9, suspicion: 0.8 }]);
  assert.match(lines[0], /^RANK +SUSPICION +INDEX +SPLIT +LABEL/);
  assert.match(lines[1], /^1 +0\.800 +60003 +test +7 +1 /);
});
