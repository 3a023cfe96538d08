import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tempDir } from '../helpers/paths';
import { plantedDataset } from '../helpers/plantedDuplicates';

function cli(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [path.join(repoRoot(), 'bin', 'datadiet.js'), ...args], { encoding: 'utf8', timeout: 300_000, cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('datadiet duplicates prints the groups, leakage first, and records the table in a duplicates run', async () => {
  const root = tempDir('cli-duplicates');
  await plantedDataset(path.join(root, 'photos'));
  const r = cli(['duplicates', '--dataset', 'folder:photos', '--image-size', '32', '--backend', 'cpu', '--root', root], root);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /5 duplicate groups among 45 images \(33 train, 12 test\): 2 exact, 3 near/);
  assert.match(r.out, /3 groups span train and test \(3 test images with a copy in train\); 2 groups with conflicting labels/);
  assert.match(r.out, /compared 16x16 gray thumbnails: cosine >= 0\.99 among 10 nearest neighbours \(exact search, 43 rows <= 120,000\)/);
  const heads = [...r.out.matchAll(/^group \d+ +(.*)$/gm)].map((m) => m[1]);
  assert.equal(heads.length, 5);
  assert.deepEqual(heads.map((h) => h.includes('LEAKAGE')), [true, true, true, false, false]);
  assert.match(r.out, /^ +test +\d+ +apple +0\.99\d +photos\/test\/apple\/cloud2-q70\.jpg$/m);
  const table = r.out.match(/table +(\S+duplicates\.json)/)![1];
  assert.equal((JSON.parse(fs.readFileSync(table, 'utf8')) as { groups: unknown[] }).groups.length, 5);

  const top = cli(['duplicates', '--dataset', 'folder:photos', '--image-size', '32', '--backend', 'cpu', '--top', '1', '--root', root], root);
  assert.equal((top.out.match(/^group /gm) ?? []).length, 1);
  assert.match(top.out, /4 more groups in the table \(--top 5 prints all\)/);
  const json = cli(['duplicates', '--dataset', 'folder:photos', '--image-size', '32', '--backend', 'cpu', '--json', '--root', root], root);
  const m = JSON.parse(json.out) as { kind: string; results: { counts: { leakage: number } } };
  assert.equal(m.kind, 'duplicates');
  assert.equal(m.results.counts.leakage, 3);
});

test('datadiet duplicates refuses what it cannot run, saying what to give', () => {
  const root = tempDir('cli-duplicates-bad');
  const none = cli(['duplicates', '--root', root]);
  assert.equal(none.code, 1);
  assert.match(none.err, /needs --dataset <spec>, or --run <run>/);
  assert.match(cli(['duplicates', '--dataset', 'mnist', '--threshold', '1.5', '--root', root]).err, /--threshold must be at most 1/);
  assert.match(cli(['duplicates', '--dataset', 'mnist', '--knn', 'annoy', '--root', root]).err, /--knn.*(exact|auto)/);
});
