import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tempDir } from '../helpers/paths';
import { numpyOrSkip, saveNpys } from '../helpers/numpy';
import { tinyIdxDataset } from '../core/data/fixtures';

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [path.join(repoRoot(), 'bin', 'datadiet.js'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The tiny IDX dataset in the current folder, named relative to it. */
function idxDataset(root: string): string {
  tinyIdxDataset(root);
  return 'idx:idx';
}

test('datadiet import-predictions and import-scores: files relative to the current folder, the run id and the next steps', (t) => {
  if (!numpyOrSkip(t)) return;
  const root = tempDir('cli-import');
  const spec = idxDataset(root);
  // Row 3 is labelled 0 but predicted 2 with confidence: the one label issue.
  saveNpys({
    [path.join(root, 'probs.npy')]: 'np.array([[.9,.05,.05],[.05,.9,.05],[.05,.05,.9],[.05,.05,.9],[.05,.9,.05],[.05,.05,.9]], dtype=np.float32)',
    [path.join(root, 'el2n.npy')]: 'np.array([.1, .2, .3, .9, .2, .1, 5, 5, 5], dtype=np.float32)',
  });
  const p = cli(['import-predictions', '--dataset', spec, '--probs', 'probs.npy', '--name', 'resnet'], root);
  assert.equal(p.code, 0, p.err);
  const id = /^run (\S+): done$/m.exec(p.out)?.[1];
  assert.ok(id, p.out);
  assert.match(p.out, /imported +6 predictions \(the training split\), 3 classes, out-of-sample/);
  assert.match(p.out, /label issues +1 flagged by confident learning/);
  assert.ok(p.out.includes(`datadiet suspects --run ${id}`), p.out);
  const s = cli(['suspects', '--run', id!, '--top', '1'], root);
  assert.equal(s.code, 0, s.err);
  assert.match(s.out, /^1 of 6 examples suspected by confident learning/);
  assert.match(s.out, /^ +1 +\S+ +3 +0 +2 +90\.0%$/m, 'row 3: labelled 0, predicted 2');

  const sc = cli(['import-scores', '-d', spec, '--score', 'el2n=el2n.npy', '--score', 'copy=el2n.npy'], root);
  assert.equal(sc.code, 0, sc.err);
  const sid = /^run (\S+): done$/m.exec(sc.out)?.[1];
  assert.match(sc.out, /imported +el2n, copy for the 6 training examples/);
  assert.match(sc.out, /el2n: its 3 test-split rows are not kept/);
  assert.ok(sc.out.includes(`datadiet prune --scores ${sid} --score el2n --dataset idx:idx`), sc.out);

  const runs = cli(['runs'], root);
  assert.match(runs.out, /imported predictions \(resnet\) +1 label issue in 6 imported predictions \(confident learning\)/);
  assert.match(runs.out, /imported scores +el2n, copy of 6 examples, 1 run/);
  const show = cli(['runs', 'show', sid!], root);
  assert.ok(show.out.includes(`el2n: ${path.join(root, 'el2n.npy')} (sha256 `), show.out);
});

test('a refused import exits non-zero with the file and the problem, and leaves no run', (t) => {
  if (!numpyOrSkip(t)) return;
  const root = tempDir('cli-import-bad');
  const spec = idxDataset(root);
  saveNpys({ [path.join(root, 'wide.npy')]: 'np.zeros((6, 2), dtype=np.float32)' });
  const r = cli(['import-scores', '-d', spec, '--score', 'x=wide.npy'], root);
  assert.equal(r.code, 1);
  assert.match(r.err, /datadiet: .*wide\.npy: shape \(6, 2\) has 2 columns/);
  const q = cli(['import-predictions', '-d', spec, '--probs', 'nothing.npy'], root);
  assert.equal(q.code, 1);
  assert.match(q.err, /nothing\.npy: file not found/);
  assert.ok(!fs.existsSync(path.join(root, '.datadiet', 'runs')) || fs.readdirSync(path.join(root, '.datadiet', 'runs')).length === 0);
});
