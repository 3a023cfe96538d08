import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scatter, scatterSample } from '../../../../src/core/charts/scatter';
import { spearman } from '../../../../src/core/analysis/spearman';
import { makeRng } from '../../../../src/core/random';
import { assertInert, dataMarks, hasLabel, HOSTILE, itemCount, render, texts } from './svg';

function pair(n: number): { a: Float32Array; b: Float32Array; noisy: Uint8Array } {
  const rng = makeRng(5);
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  const noisy = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = rng.next();
    b[i] = a[i] * a[i] + 0.3 * rng.next();
    noisy[i] = rng.next() < 0.1 ? 1 : 0;
  }
  return { a, b, noisy };
}

test('subsample: at most maxPoints distinct examples, the same for the same seed, another for another seed', () => {
  const { a, b } = pair(60000);
  const s1 = scatterSample({ x: { name: 'EL2N', values: a }, y: { name: 'GraNd', values: b } });
  const s2 = scatterSample({ x: { name: 'EL2N', values: a }, y: { name: 'GraNd', values: b } });
  const s3 = scatterSample({ x: { name: 'EL2N', values: a }, y: { name: 'GraNd', values: b }, seed: 1 });
  assert.equal(s1.rows.length, 5000);
  assert.equal(s1.finite, 60000);
  assert.deepEqual(s1.rows, s2.rows);
  assert.notDeepEqual(s1.rows.map((r) => r.index), s3.rows.map((r) => r.index));
  const idx = s1.rows.map((r) => r.index);
  assert.equal(new Set(idx).size, 5000);
  for (let i = 1; i < idx.length; i++) assert.ok(idx[i] > idx[i - 1], 'ascending');
  for (const r of s1.rows) assert.ok(r.x === a[r.index] && r.y === b[r.index]);
  // Roughly uniform: about a twelfth of the sample from each twelfth of the indices.
  for (let k = 0; k < 12; k++) {
    const c = idx.filter((i) => i >= k * 5000 && i < (k + 1) * 5000).length;
    assert.ok(c > 330 && c < 500, `block ${k}: ${c}`);
  }
  // Small inputs are drawn whole; non-finite pairs are left out.
  const small = scatterSample({ x: { name: 'x', values: [1, NaN, 3, 4] }, y: { name: 'y', values: [1, 2, Infinity, 4] } });
  assert.deepEqual(small.rows.map((r) => r.index), [0, 3]);
  assert.equal(small.finite, 2);
});

test('groups: the named group is drawn last (on top) and keeps its share of the sample', () => {
  const { a, b, noisy } = pair(20000);
  const s = scatterSample({ x: { name: 'x', values: a }, y: { name: 'y', values: b }, groups: { name: 'corrupted', member: noisy, rest: 'clean' }, maxPoints: 2000 });
  const groups = s.rows.map((r) => r.group);
  const first = groups.indexOf('corrupted');
  assert.ok(first > 0 && groups.slice(first).every((g) => g === 'corrupted'));
  const share = (groups.length - first) / groups.length;
  assert.ok(share > 0.07 && share < 0.13, `share ${share}`);
});

test('renders one circle per drawn point, with the Spearman correlation in the title', async () => {
  const { a, b, noisy } = pair(8000);
  const svg = await render(scatter({ x: { name: 'EL2N', values: a }, y: { name: 'GraNd', values: b }, spearman: 'auto', groups: { name: 'corrupted', member: noisy } }));
  assert.deepEqual(dataMarks(svg), ['symbol']);
  assert.equal(itemCount(svg, 'symbol'), 5000);
  const rho = spearman(a, b).toFixed(3);
  const t = texts(svg);
  assert.ok(t.includes(`GraNd vs EL2N (Spearman ρ = ${rho})`), t.join('|'));
  assert.ok(t.includes('5,000 of 8,000 examples shown'));
  assert.ok(t.includes('corrupted') && t.includes('other'));
  const given = texts(await render(scatter({ x: { name: 'a', values: [1, 2, 3] }, y: { name: 'b', values: [3, 1, 2] }, spearman: 0.25, title: 'Scores' })));
  assert.ok(given.includes('Scores (Spearman ρ = 0.250)'), given.join('|'));
  const none = texts(await render(scatter({ x: { name: 'a', values: [1, 2, 3] }, y: { name: 'b', values: [3, 1, 2] } })));
  assert.ok(none.includes('b vs a'));
});

test('log axes leave out non-positive values and say so', async () => {
  const svg = await render(scatter({ x: { name: 'a', values: [0, 1, 10, 100] }, y: { name: 'b', values: [1, 2, 3, 4] }, xScale: 'log' }));
  assert.equal(itemCount(svg, 'symbol'), 3);
  assert.ok(texts(svg).some((s) => s.includes('1 left out (non-finite or not positive on a log axis)')));
});

test('hostile score and group names are escaped and inert', async () => {
  const svg = await render(scatter({ x: { name: HOSTILE[0], values: [1, 2, 3] }, y: { name: HOSTILE[3], values: [2, 1, 3] }, groups: { name: HOSTILE[4], member: [1, 0, 1], rest: HOSTILE[5] }, spearman: 'auto' }));
  assertInert(svg);
  assert.ok(hasLabel(svg, HOSTILE[0]) && hasLabel(svg, HOSTILE[4]));
});

test('refuses mismatched input', () => {
  assert.throws(() => scatter({ x: { name: 'a', values: [1, 2] }, y: { name: 'b', values: [1] } }), /x has 2 values, y has 1/);
  assert.throws(() => scatter({ x: { name: 'a', values: [1, 2] }, y: { name: 'b', values: [1, 2] }, maxPoints: 0 }), /maxPoints must be a positive integer/);
  assert.throws(() => scatter({ x: { name: 'a', values: [1, 2] }, y: { name: 'b', values: [1, 2] }, groups: { name: 'g', member: [1] } }), /groups.member has 1 entries for 2 values/);
});
