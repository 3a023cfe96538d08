import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keptClassTable } from '../../../src/cli/keptClasses';
import { pruneKeptSets, pruneReport, windowReport } from '../../../src/cli/sweepReport';
import type { RetrainRow } from '../../../src/core/experiments/pruneSweep';
import { tempDir } from '../helpers/paths';

const row = (strategy: string, fractionPruned: number, repeat: number, keptPerClass: number[], testAccuracy = 0.9): RetrainRow => ({ strategy, fractionPruned, repeat, kept: keptPerClass.reduce((a, b) => a + b, 0), testAccuracy, keptPerClass });

test('kept counts per class: one column per class, a warning for each class a kept set lost', () => {
  const sets = pruneKeptSets([row('keep-top', 0.5, 0, [0, 30, 20]), row('full data', 0, 0, [40, 40, 40]), row('keep-top', 0.5, 1, [2, 30, 18]), row('random', 0.5, 0, [20, 20, 20])]);
  assert.deepEqual(sets.map((s) => s.label), ['full data', 'keep-top 50% pruned', 'random 50% pruned']);
  const { lines, warnings } = keptClassTable(sets, ['cat', 'dog', 'cow']);
  assert.match(lines[0], /^KEPT SET +cat +dog +cow$/);
  assert.match(lines[2], /^keep-top 50% pruned +1 +30 +19$/, 'mean over the repeats');
  assert.deepEqual(warnings, ['keep-top 50% pruned: class "cat" has no example left in the kept set (in 1 of 2 repeats)']);
});

test('many classes are summarized by the fewest, median and most kept', () => {
  const counts = Array.from({ length: 100 }, (_, k) => k + 1);
  const { lines } = keptClassTable([{ label: 'w', perClass: [counts] }], counts.map((_, k) => `c${k}`));
  assert.match(lines[0], /^KEPT SET +FEWEST +MEDIAN +MOST$/);
  assert.match(lines[1], /^w +1 \(c0\) +51 +100 \(c99\)$/);
});

test('prune and window runs get their chart (spec and SVG) in the run folder, and the class table', async () => {
  const dir = tempDir('sweep-report');
  const rows = [row('full data', 0, 0, [5, 5]), row('keep-top', 0.5, 0, [5, 0], 0.6), row('random', 0.5, 0, [3, 2], 0.8)];
  fs.writeFileSync(path.join(dir, 'prune-sweep.json'), JSON.stringify({ score: 'el2n', rows }));
  const p = await pruneReport(dir, ['a', 'b']);
  assert.ok(p.lines.some((l) => l.endsWith(path.join(dir, 'prune-sweep.svg'))), p.lines.join('\n'));
  assert.match(fs.readFileSync(path.join(dir, 'prune-sweep.svg'), 'utf8'), /<svg/);
  assert.ok(fs.existsSync(path.join(dir, 'prune-sweep.vl.json')));
  assert.ok(p.lines.some((l) => /keep-top 50% pruned +5 +0$/.test(l)));
  assert.deepEqual(p.warnings, ['keep-top 50% pruned: class "b" has no example left in the kept set']);
  const points = [{ offset: 0, offsetFraction: 0, test: [0.9], val: [0.9], testMean: 0.9, testLo: 0.9, testHi: 0.9, valMean: 0.9, keptPerClass: [4, 1] }];
  fs.writeFileSync(path.join(dir, 'window-sweep.json'), JSON.stringify({ score: 'el2n', size: 5, examples: 10, steps: 4, points, best: { offset: 0 } }));
  const w = await windowReport(dir, ['a', 'b']);
  assert.ok(w.lines.some((l) => l.endsWith('window-sweep.svg')));
  assert.ok(w.lines.some((l) => /window at 0% +4 +1$/.test(l)));
});
