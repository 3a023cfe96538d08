import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PURPOSES, RandomStream, SEED_SCHEME } from '../../../src/core/randomStreams';
import { rngFromState } from '../../../src/core/random';
import { repoRoot } from '../helpers/paths';

const draws = (s: RandomStream, n = 4) => {
  const r = s.rng();
  return Array.from({ length: n }, () => r.nextU32());
};

test('a stream is its path: same path same draws, each rng() starts over', () => {
  const a = RandomStream.root(3).derive('retrain', { strategy: 'random', fraction: 0.5, repeat: 1 }).derive('init');
  const b = RandomStream.root(3).derive('retrain', { repeat: 1, fraction: 0.5, strategy: 'random' }).derive('init');
  assert.equal(a.path, 'datadiet/2/seed=3/retrain[fraction=0.5,repeat=1,strategy=random]/init');
  assert.equal(a.path, b.path, 'the order indices are given in does not matter');
  assert.deepEqual(draws(a), draws(b));
  assert.deepEqual(draws(a), draws(a));
  const u = a.uniform();
  assert.ok(u() >= 0 && u() < 1);
});

test('the generator state is the SHA-256 of the path (checked against node:crypto), so the scheme is documented exactly', () => {
  const s = RandomStream.root(0).derive('noise', { draw: 0 });
  const h = createHash('sha256').update(s.path, 'utf8').digest();
  const expected = rngFromState([h.readUInt32LE(0), h.readUInt32LE(4), h.readUInt32LE(8), h.readUInt32LE(12)]);
  assert.deepEqual(draws(s, 8), Array.from({ length: 8 }, () => expected.nextU32()));
  // Pinned: a change here changes every run's numbers, which must come with a new SEED_SCHEME.
  assert.equal(SEED_SCHEME, 2);
  assert.equal(s.path, 'datadiet/2/seed=0/noise[draw=0]');
});

test('different purposes, indices or roots give different streams', () => {
  const root = RandomStream.root(0);
  const paths = new Set<string>();
  const firsts = new Set<string>();
  const add = (s: RandomStream) => {
    paths.add(s.path);
    firsts.add(draws(s, 2).join(','));
  };
  for (const p of PURPOSES) {
    add(root.derive(p));
    add(root.derive(p, { k: 1 }));
    add(RandomStream.root(1).derive(p));
  }
  assert.equal(paths.size, 3 * PURPOSES.length);
  assert.equal(firsts.size, paths.size, 'no two streams start with the same 64 bits');
  // Numbers name streams by value: 0.1 + 0.2 is not 0.3, -0 is 0, and a number is not its string.
  assert.notEqual(root.derive('select', { fraction: 0.1 + 0.2 }).path, root.derive('select', { fraction: 0.3 }).path);
  assert.equal(root.derive('select', { fraction: -0 }).path, root.derive('select', { fraction: 0 }).path);
  // Separators in string indices cannot forge another path.
  assert.notEqual(root.derive('select', { strategy: 'a,b=c' }).path, root.derive('select', { strategy: 'a', b: 'c' }).path);
});

test('bad seeds, purposes and indices are refused', () => {
  assert.throws(() => RandomStream.root(-1), /seed must be a non-negative integer, got -1/);
  assert.throws(() => RandomStream.root(0.5), /non-negative integer/);
  assert.throws(() => RandomStream.root(0).derive('nope' as never), /unknown random purpose "nope"/);
  assert.throws(() => RandomStream.root(0).derive('select', { fraction: NaN }), /index fraction must be finite/);
});

// Unique names (run ids, temp files, locks) may use Math.random; nothing that computes science may.
const SCIENCE = ['data', 'models', 'scores', 'select', 'train', 'experiments', 'analysis', 'dynamics', 'compute', 'charts'].map((d) => path.join('src', 'core', d));

test('product code draws randomness only through random streams: no makeRng, no Math.random in the science', () => {
  const root = repoRoot();
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const rel = path.relative(root, p);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && rel !== path.join('src', 'core', 'random.ts')) {
        const text = fs.readFileSync(p, 'utf8');
        if (/\bmakeRng\(/.test(text)) offenders.push(`${rel}: makeRng(`);
        if (SCIENCE.some((d) => rel.startsWith(d)) && /Math\.random\(/.test(text)) offenders.push(`${rel}: Math.random(`);
      }
    }
  };
  walk(path.join(root, 'src'));
  walk(path.join(root, 'bench'));
  assert.deepEqual(offenders, [], 'derive a RandomStream for the purpose instead (src/core/randomStreams.ts)');
});
