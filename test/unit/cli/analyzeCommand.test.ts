import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tempDir } from '../helpers/paths';
import { makeRng } from '../../../src/core/random';
import { fakeScoreRun } from '../core/experiments/fakeScoreRun';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repoRoot(), 'bin', 'datadiet.js'), ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const n = 500;
const rng = makeRng(2);
const index = Int32Array.from({ length: n }, (_, i) => i);
const label = Int32Array.from({ length: n }, (_, i) => i % 10);
const base = Float32Array.from(label, (y) => (y === 1 ? 1 : 0) + rng.next());
const runs = [0, 1].map(() => Float32Array.from(base, (b) => b + 0.2 * rng.next()));

test('analyze lists its analyses', () => {
  const r = cli(['analyze', '--help']);
  assert.equal(r.code, 0);
  for (const c of ['entropy', 'overlap', 'heatmap', 'gradsum', 'strategies', 'noise']) assert.match(r.out, new RegExp(`\\b${c}\\b`));
  assert.match(cli(['analyze', 'strategies', '--help']).out, /--drop-fraction <p>[\s\S]*default: 0\.05/);
});

test('analyze entropy and overlap: table printed, JSON table, Vega-Lite spec and SVG in the run folder', () => {
  const root = tempDir('cli-analyze');
  const id = fakeScoreRun(root, [{ name: 'el2n', index, label, perRun: runs }]);
  const e = cli(['analyze', 'entropy', '--scores', id, '--ks', '10,100,500', '--root', root]);
  assert.equal(e.code, 0, e.err);
  assert.match(e.out, /uniform ln 10 = 2\.303/);
  assert.match(e.out, /^ +10 +0\.000 +\d\.\d{3}$/m, 'the top 10 are all class 1: entropy 0');
  const dir = e.out.match(/table +(\S+)label-entropy\.json/)![1];
  for (const f of ['label-entropy.json', 'label-entropy.vl.json', 'label-entropy.svg']) assert.ok(fs.existsSync(path.join(dir, f)), f);
  assert.match(fs.readFileSync(path.join(dir, 'label-entropy.svg'), 'utf8'), /<g class="mark-line role-mark/);

  const o = cli(['analyze', 'overlap', '--scores', id, '--ks', '50,0.5', '--root', root]);
  assert.equal(o.code, 0, o.err);
  assert.match(o.out, /run 0 vs run 1 +random k\/N/);
  assert.match(o.out, /^ +250 +\d\.\d{3} +0\.500$/m);
  assert.ok(fs.existsSync(path.join(o.out.match(/table +(\S+)topk-overlap\.json/)![1], 'topk-overlap.svg')));
});

test('analyze refuses bad input with a message naming the problem', () => {
  const root = tempDir('cli-analyze-bad');
  const id = fakeScoreRun(root, [{ name: 'el2n', index, label, perRun: [runs[0]] }]);
  const r = cli(['analyze', 'overlap', '--scores', id, '--root', root]);
  assert.equal(r.code, 1);
  assert.match(r.err, /kept 1 run of "el2n"; score with --runs 2 or more/);
  assert.match(cli(['analyze', 'entropy', '--scores', id, '--score', 'forgetting', '--root', root]).err, /has no "forgetting" table/);
  assert.match(cli(['analyze', 'entropy', '--scores', id, '--ks', '10,-1', '--root', root]).err, /--ks must be more than 0, got "10,-1"/);
  assert.match(cli(['analyze', 'strategies', '--scores', id, '--strategies', 'best', '--root', root]).err, /--strategies: unknown "best"; choose from keep-top/);
});

test('analyze noise: detection per score and a clean-vs-corrupted histogram per score', () => {
  const root = tempDir('cli-noise');
  const corrupted = Float32Array.from(index, (i) => (i % 10 === 3 ? 1 : 0));
  const el2n = Float32Array.from(corrupted, (c, i) => c + ((i * 13) % 97) / 100);
  const id = fakeScoreRun(root, [{ name: 'el2n', index, label, perRun: [el2n], extra: { corrupted } }], 10, { labelNoise: 0.1 });
  const r = cli(['analyze', 'noise', '--scores', id, '--root', root]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /50 of 500 examples have a corrupted label \(10% permuted\)/);
  assert.match(r.out, /el2n +AUROC 1\.000, AP 1\.000, P@50 1\.000, P@100 0\.500/);
  const svg = fs.readFileSync(r.out.match(/chart +(\S+noise-el2n\.svg)/)![1], 'utf8');
  assert.match(svg, /<g class="mark-rect role-mark/);
  assert.match(svg, />corrupted</);
});
