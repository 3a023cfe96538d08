import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCpu } from '../../helpers/tf';
import { injectLabelNoise } from '../../../../src/core/data/noise';
import {
  dataStreams,
  probedTrainingStreams,
  retrainStreams,
  scoreRunStreams,
  selectionStream,
  trainRunStreams,
  windowRetrainStreams,
  type SweepPoint,
} from '../../../../src/core/experiments/experimentStreams';
import { buildModel } from '../../../../src/core/models/registry';
import { makeRng, type Rng } from '../../../../src/core/random';
import type { RandomStream } from '../../../../src/core/randomStreams';
import { randomSubset } from '../../../../src/core/select/random';
import { select } from '../../../../src/core/select/selection';

/**
 * The statistical test that would have caught the shared-seed flaw. Over R root seeds, X_r = |corrupted ∩ kept| of
 * a random subset is hypergeometric given the corrupted count C_r: mean k C/N, variance k (C/N)(1 - C/N)(N - k)/(N - 1).
 * Standardized, z_r has mean 0 and variance 1 and the z_r are independent across seeds. Two tests, each with a
 * fixed false-alarm rate of 0.1% (not a tolerance tuned to pass): sqrt(R) mean(z) against N(0, 1), and sum z^2
 * against chi-square(R) (Wilson-Hilferty quantiles).
 */
const Z_999 = 3.2905; // two-sided 0.1%
function chiSquareQuantile(k: number, z: number): number {
  const a = 2 / (9 * k);
  return k * (1 - a + z * Math.sqrt(a)) ** 3;
}
function hypergeometricVerdict(samples: { overlap: number; corrupted: number; kept: number; n: number }[]): { meanZ: number; chi2: number; lo: number; hi: number; ok: boolean } {
  const z = samples.map(({ overlap, corrupted, kept, n }) => {
    const p = corrupted / n;
    const mean = kept * p;
    const variance = (kept * p * (1 - p) * (n - kept)) / (n - 1);
    return (overlap - mean) / Math.sqrt(variance);
  });
  const r = z.length;
  const meanZ = (z.reduce((a, v) => a + v, 0) / r) * Math.sqrt(r);
  const chi2 = z.reduce((a, v) => a + v * v, 0);
  const lo = chiSquareQuantile(r, -Z_999);
  const hi = chiSquareQuantile(r, Z_999);
  return { meanZ, chi2, lo, hi, ok: Math.abs(meanZ) < Z_999 && chi2 > lo && chi2 < hi };
}

const N = 1500;
const LABELS = (() => {
  const r = makeRng(12345);
  return Int32Array.from({ length: N }, () => r.int(10));
})();
const ROOTS = 256;

/** The noise study's overlap as the product draws it: noise from the data streams, the subset from the point's stream. */
function productOverlaps(point: Omit<SweepPoint, 'repeat'>, repeat: number, classBalanced: boolean) {
  const kept = Math.round((1 - point.fraction) * N);
  return Array.from({ length: ROOTS }, (_, seed) => {
    const noise = injectLabelNoise(LABELS, 0.1, dataStreams(seed).noise.rng());
    const keptIdx = select({ name: 'random', classBalanced }, new Float32Array(N), noise.labels, kept, { stream: selectionStream(seed, { ...point, repeat }) });
    let overlap = 0;
    for (const i of keptIdx) overlap += noise.corrupted[i];
    const corrupted = noise.corrupted.reduce((a, v) => a + v, 0);
    return { overlap, corrupted, kept, n: N };
  });
}

test('the random baseline keeps a hypergeometric share of the corrupted labels at every pruned fraction (256 root seeds)', () => {
  for (const fraction of [0.5, 0.9]) {
    for (const repeat of [0, 3]) {
      const v = hypergeometricVerdict(productOverlaps({ strategy: 'random', fraction }, repeat, false));
      assert.ok(v.ok, `random ${fraction * 100}% pruned, repeat ${repeat}: sqrt(R) mean z = ${v.meanZ.toFixed(2)} (|.| < ${Z_999}), sum z^2 = ${v.chi2.toFixed(1)} (in [${v.lo.toFixed(1)}, ${v.hi.toFixed(1)}])`);
    }
  }
});

test('class-balanced random keeps its share too, given the per-class quotas (256 root seeds)', () => {
  // Class-balanced sampling fixes each class's count, which lowers the variance below the plain hypergeometric one:
  // so only the mean is tested here (the variance test would be the wrong null).
  const v = hypergeometricVerdict(productOverlaps({ strategy: 'random', fraction: 0.9 }, 0, true));
  assert.ok(Math.abs(v.meanZ) < Z_999, `sqrt(R) mean z = ${v.meanZ.toFixed(2)}`);
});

test('the same test rejects the old scheme, where noise and random subset drew from one seed (the test has power)', () => {
  const kept = Math.round(0.1 * N);
  const old = Array.from({ length: ROOTS }, (_, seed) => {
    const noise = injectLabelNoise(LABELS, 0.1, makeRng(seed));
    const keptIdx = randomSubset(N, kept, makeRng(seed));
    let overlap = 0;
    for (const i of keptIdx) overlap += noise.corrupted[i];
    return { overlap, corrupted: noise.corrupted.reduce((a, v) => a + v, 0), kept, n: N };
  });
  const v = hypergeometricVerdict(old);
  assert.ok(!v.ok, 'the shared-seed flaw must be detected');
  assert.ok(old.every((o) => o.overlap === o.corrupted), 'under the old scheme every corrupted label was kept');
});

/** Every stream one root seed's experiments use: data, a train run, 10 score runs, a 4-repeat sweep, windows, probes. */
function experimentStreams(seed: number): Map<string, RandomStream> {
  const out = new Map<string, RandomStream>();
  const add = (s: RandomStream) => out.set(s.path, s);
  const training = (t: { init: RandomStream; data: RandomStream }) => {
    add(t.init);
    add(t.data.derive('data-order'));
    add(t.data.derive('augment'));
  };
  const d = dataStreams(seed);
  [d.validationSplit, d.subset, d.noise, dataStreams(seed, 1).noise].forEach(add);
  training(trainRunStreams(seed));
  training(probedTrainingStreams(seed));
  for (let k = 0; k < 10; k++) training(scoreRunStreams(seed, k));
  for (let repeat = 0; repeat < 4; repeat++) {
    training(retrainStreams(seed, { strategy: 'full data', fraction: 0, repeat }));
    for (const fraction of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      for (const strategy of ['random', 'keep-top', 'gradient-cdf', 'non-extreme']) {
        training(retrainStreams(seed, { strategy, fraction, repeat }));
        const sel = selectionStream(seed, { strategy, fraction, repeat });
        add(sel);
        for (let label = 0; label < 10; label++) add(sel.derive('class', { label }));
      }
    }
    for (const offset of [0, 150, 300]) training(windowRetrainStreams(seed, offset, repeat));
  }
  return out;
}

test('no two purposes in one experiment, or across root seeds 0-3, start with the same draws', () => {
  const all = new Map<string, RandomStream>();
  for (let seed = 0; seed < 4; seed++) for (const [p, s] of experimentStreams(seed)) all.set(p, s);
  const first = new Map<string, string>();
  for (const [p, s] of all) {
    const r: Rng = s.rng();
    const key = `${r.nextU32()},${r.nextU32()}`;
    assert.equal(first.get(key), undefined, `${p} starts like ${first.get(key)}`);
    first.set(key, p);
  }
  assert.ok(all.size > 4 * 500, `${all.size} streams`);
});

test('a retraining never starts from a scoring run\'s initialization (weights differ, not only the first draw)', async () => {
  await useCpu();
  const spec = { arch: 'linear' as const, width: 1, inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 };
  const weights = (s: RandomStream) => {
    const m = buildModel(spec, s.uniform());
    const w = m.params.map((p) => Array.from(p.variable.dataSync()));
    m.dispose();
    return w.flat();
  };
  for (let k = 0; k < 4; k++) {
    const scoring = weights(scoreRunStreams(0, k).init);
    // Under the old scheme, repeat s of a sweep with --seed 0 had exactly scoring run k = s's initialization.
    for (const strategy of ['random', 'keep-top', 'full data']) {
      const retrained = weights(retrainStreams(0, { strategy, fraction: strategy === 'full data' ? 0 : 0.5, repeat: k }).init);
      assert.notDeepEqual(retrained, scoring, `retrain ${strategy} repeat ${k} vs score run ${k}`);
    }
  }
});
