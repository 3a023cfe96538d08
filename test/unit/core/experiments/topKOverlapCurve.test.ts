import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../helpers/paths';
import { alignScores, runTopKOverlap, type TopKOverlapTable } from '../../../../src/core/experiments/topKOverlapCurve';
import { makeRng } from '../../../../src/core/random';
import { fakeScoreRun } from './fakeScoreRun';

/** Slow reference (no ties): the two top-k sets as Sets, their intersection counted. */
function refOverlap(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  const top = (s: ArrayLike<number>) => new Set(Array.from({ length: s.length }, (_, i) => i).sort((x, y) => s[y] - s[x]).slice(0, k));
  const sa = top(a);
  let c = 0;
  for (const i of top(b)) if (sa.has(i)) c++;
  return c / k;
}

const n = 1000;
const rng = makeRng(9);
const signal = Float32Array.from({ length: n }, () => rng.next());
// Three runs share the signal plus independent noise: they agree more than chance.
const runs = [0, 1, 2].map(() => Float32Array.from(signal, (s) => s + 0.3 * rng.next()));
const index = Int32Array.from({ length: n }, (_, i) => i);
const label = Int32Array.from({ length: n }, (_, i) => i % 10);

test('per-run pairs of one score run: every pair, against the set-intersection reference, above k/N', async () => {
  const root = tempDir('overlap');
  const id = fakeScoreRun(root, [{ name: 'el2n', index, label, perRun: runs }]);
  const m = await runTopKOverlap({ scoresFrom: id, ks: [10, 100, 500, 1000] }, { root });
  assert.equal(m.status, 'done', m.error);
  const t = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', m.id, 'topk-overlap.json'), 'utf8')) as TopKOverlapTable;
  assert.deepEqual(t.series.map((s) => s.name), ['run 0 vs run 1', 'run 0 vs run 2', 'run 1 vs run 2']);
  assert.deepEqual(t.baseline, [0.01, 0.1, 0.5, 1]);
  const pairs = [[0, 1], [0, 2], [1, 2]];
  t.series.forEach((s, p) => t.ks.forEach((k, j) => assert.ok(Math.abs(s.overlap[j] - refOverlap(runs[pairs[p][0]], runs[pairs[p][1]], k)) < 1e-12)));
  for (const s of t.series) {
    assert.ok(s.overlap[1] > 2 * t.baseline[1], `${s.name}: ${s.overlap[1]}`);
    assert.equal(s.overlap[3], 1);
  }
});

test('two score runs (rows in different order) or two scores of one run; clear errors', async () => {
  const root = tempDir('overlap2');
  const a = fakeScoreRun(root, [{ name: 'el2n', index, label, perRun: [runs[0]] }, { name: 'grand', index, label, perRun: [runs[2]] }]);
  // The second run lists the same examples shifted by 7 rows.
  const perm = Int32Array.from(index, (i) => (i + 7) % n).sort();
  const b = fakeScoreRun(root, [{ name: 'el2n', index: perm, label, perRun: [Float32Array.from(perm, (i) => runs[1][i])] }]);
  const m = await runTopKOverlap({ scoresFrom: a, against: b, ks: [100] }, { root });
  const t = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', m.id, 'topk-overlap.json'), 'utf8')) as TopKOverlapTable;
  assert.equal(t.series.length, 1);
  assert.ok(Math.abs(t.series[0].overlap[0] - refOverlap(runs[0], runs[1], 100)) < 1e-12);
  const same = await runTopKOverlap({ scoresFrom: a, againstScore: 'grand', ks: [100] }, { root });
  const t2 = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', same.id, 'topk-overlap.json'), 'utf8')) as TopKOverlapTable;
  assert.equal(t2.series[0].name, 'el2n vs grand');
  assert.ok(Math.abs(t2.series[0].overlap[0] - refOverlap(runs[0], runs[2], 100)) < 1e-12);
  await assert.rejects(runTopKOverlap({ scoresFrom: a }, { root }), /kept 1 run of "el2n"; score with --runs 2 or more, or compare two score runs/);
  const short = fakeScoreRun(root, [{ name: 'el2n', index: index.slice(0, 10), label: label.slice(0, 10), perRun: [runs[0].slice(0, 10)] }]);
  await assert.rejects(runTopKOverlap({ scoresFrom: a, against: short }, { root }), /scores 1000 examples but "el2n" scores 10/);
  assert.throws(() => alignScores({ name: 'a', index: Int32Array.of(1, 2) }, { name: 'b', index: Int32Array.of(1, 3), score: Float32Array.of(0, 0) }), /example 2 is scored in "a" but not in "b"/);
});
