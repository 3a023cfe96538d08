import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tempDir } from '../helpers/paths';

function cli(args: string[], cwd = repoRoot()) {
  const r = spawnSync(process.execPath, [path.join(repoRoot(), 'bin', 'datadiet.js'), ...args], { cwd, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const fast = ['--model', 'linear', '--subset', '200', '--backend', 'wasm'];

test('velocity, barrier and el2n-grid have --help and refuse bad values naming the option', () => {
  for (const c of ['velocity', 'barrier', 'el2n-grid']) {
    const r = cli([c, '--help']);
    assert.equal(r.code, 0, c);
    assert.match(r.out, /Usage: datadiet/);
  }
  assert.match(cli(['velocity', '--help']).out, /--window-size <m>/);
  assert.match(cli(['barrier', '--spawn', '0,1.5']).err, /--spawn must be less than 1, got "0,1\.5"/);
  assert.match(cli(['el2n-grid', '--lrs', '0.1,-1']).err, /--lrs must be more than 0, got "0\.1,-1"/);
});

test('datadiet velocity on real MNIST writes its table and chart', () => {
  const root = tempDir('cli-kv');
  // A linear model's logit Jacobian does not depend on its weights (its kernel never moves): use the CNN.
  const r = cli(['velocity', '--model', 'cnn-small', '--width', '0.25', '--subset', '200', '--backend', 'wasm', '--epochs', '1', '--batch-size', '50', '--windows', '3', '--window-size', '5', '--root', root]);
  assert.equal(r.code, 0, r.err);
  // Windows start at 0, 49% and 98% (= (200 - 5) / 200) of the sorted scores; velocities are positive.
  assert.match(r.out, /epoch 0 -> 1: 0%:0\.\d{3} 49%:0\.\d{3} 98%:0\.\d{3}/);
  assert.doesNotMatch(r.out, /:0\.000/);
  const svg = /chart +(\S+kernel-velocity\.svg)/.exec(r.out)![1];
  assert.match(fs.readFileSync(svg, 'utf8'), /mark-line role-mark/);
  assert.ok(fs.existsSync(path.join(path.dirname(svg), 'kernel-velocity.json')));
});

test('datadiet barrier on real MNIST writes its table and chart', () => {
  const root = tempDir('cli-lmc');
  const r = cli(['barrier', ...fast, '--epochs', '1', '--batch-size', '20', '--subset-size', '50', '--spawn', '0,0.5', '--alphas', '2', '--test-examples', '200', '--root', root]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /spawn at step +0: highest \d+\.\d\d%, lowest \d+\.\d\d%, random \d+\.\d\d%, test \d+\.\d\d%/);
  assert.match(r.out, /spawn at step +5:/);
  const svg = /chart +(\S+error-barrier\.svg)/.exec(r.out)![1];
  assert.match(fs.readFileSync(svg, 'utf8'), /mark-area role-mark/);
});

test('datadiet el2n-grid on real MNIST, then prune with the grid mean for another model (transfer)', () => {
  const root = tempDir('cli-grid');
  const r = cli(['el2n-grid', ...fast, '--epochs', '1', '--epoch', '1', '--lrs', '0.05', '--batch-sizes', '50,100', '--widths', '1', '--root', root]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /lr 0\.05, wd 0\.0005, batch 50, width 1 +-?\d\.\d{3}/);
  const id = /prune with --scores (\S+)\)/.exec(r.out)![1];
  assert.match(fs.readFileSync(/chart +(\S+el2n-grid\.svg)/.exec(r.out)![1], 'utf8'), /mark-rect role-mark/);
  const p = cli(['prune', '--model', 'cnn-small', '--width', '0.25', '--subset', '200', '--backend', 'wasm', '--epochs', '1', '--batch-size', '50', '--scores', id, '--fractions', '0.5', '--strategies', 'keep-top', '--seeds', '1', '--root', root]);
  assert.equal(p.code, 0, p.err);
  assert.match(p.out, /transfer: scores from linear x1, retrained cnn-small x0.25/);
});
