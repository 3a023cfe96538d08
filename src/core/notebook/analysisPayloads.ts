import { topKLabelEntropy } from '../analysis/entropy';
import { topKOverlap } from '../analysis/overlap';
import { spearman } from '../analysis/spearman';
import { scatterSample } from '../charts/scatter';
import type { CurvesPayload, HeatmapPayload, PayloadSource, ScatterPayload } from './mime';

/** Payloads of the score analyses: score vs score, top-k label entropy and overlap, values over epochs. */

const nullIfNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);

export interface ScatterPayloadInput {
  x: { name: string; values: ArrayLike<number>; scale?: 'linear' | 'log' };
  y: { name: string; values: ArrayLike<number>; scale?: 'linear' | 'log' };
  /** Dataset index of each row (default: the row number). */
  index?: ArrayLike<number>;
  groups?: { name: string; member: ArrayLike<boolean | number>; rest?: string };
  maxPoints?: number;
  seed?: number;
  title?: string;
  source?: PayloadSource;
}

/** Scatter of two scores: a seeded subsample to draw, and Spearman over all finite pairs. */
export function scatterPayload(input: ScatterPayloadInput): ScatterPayload {
  const s = scatterSample({ x: input.x, y: input.y, groups: input.groups, maxPoints: input.maxPoints, seed: input.seed, xScale: input.x.scale, yScale: input.y.scale });
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < input.x.values.length; i++) {
    if (Number.isFinite(input.x.values[i]) && Number.isFinite(input.y.values[i])) {
      xs.push(input.x.values[i]);
      ys.push(input.y.values[i]);
    }
  }
  const rho = xs.length >= 2 ? spearman(xs, ys) : NaN;
  const axis = (a: ScatterPayloadInput['x']) => (a.scale ? { name: a.name, scale: a.scale } : { name: a.name });
  const out: ScatterPayload = {
    version: 1,
    x: axis(input.x),
    y: axis(input.y),
    points: s.rows.map((r) => {
      const p: ScatterPayload['points'][number] = { index: input.index ? input.index[r.index] : r.index, x: r.x, y: r.y };
      if (r.group !== undefined) p.group = r.group;
      return p;
    }),
    spearman: nullIfNaN(rho),
    finite: s.finite,
    total: s.total,
  };
  if (input.groups) out.groups = { name: input.groups.name, rest: input.groups.rest ?? 'other' };
  if (input.title !== undefined) out.title = input.title;
  if (input.source) out.source = input.source;
  return out;
}

/** Label entropy of the top-k examples of one or more scores, against k, with the dataset's entropy as reference. */
export function entropyPayload(
  scores: readonly { name: string; values: ArrayLike<number> }[],
  labels: ArrayLike<number>,
  ks: readonly number[],
  opts: { numClasses?: number; title?: string; source?: PayloadSource } = {},
): CurvesPayload {
  if (scores.length === 0) throw new RangeError('entropy curves: no scores');
  const results = scores.map((s) => ({ name: s.name, r: topKLabelEntropy(s.values, labels, ks, { numClasses: opts.numClasses }) }));
  const out: CurvesPayload = {
    version: 1,
    title: opts.title ?? 'Label entropy of the top-k examples',
    xTitle: 'k (examples with the highest scores)',
    yTitle: 'Label entropy (nats)',
    series: results.map(({ name, r }) => ({ name, x: [...r.ks], y: r.entropy.map(nullIfNaN) })),
    baseline: { name: `all examples (${results[0].r.dataset.toFixed(3)})`, y: results[0].r.dataset },
  };
  if (opts.source) out.source = opts.source;
  return out;
}

/** Overlap of the top-k sets of pairs of scores against k, with the k/N expected by chance. */
export function overlapPayload(
  pairs: readonly { a: { name: string; values: ArrayLike<number> }; b: { name: string; values: ArrayLike<number> } }[],
  ks: readonly number[],
  opts: { title?: string; source?: PayloadSource } = {},
): CurvesPayload {
  if (pairs.length === 0) throw new RangeError('overlap curves: no pairs of scores');
  const results = pairs.map((p) => ({ name: `${p.a.name} vs ${p.b.name}`, r: topKOverlap(p.a.values, p.b.values, ks) }));
  const out: CurvesPayload = {
    version: 1,
    title: opts.title ?? 'Overlap of the top-k examples',
    xTitle: 'k (examples with the highest scores)',
    yTitle: 'Overlap of the top-k sets',
    yFormat: '.0%',
    series: results.map(({ name, r }) => ({ name, x: [...r.ks], y: r.overlap.map(nullIfNaN) })),
    baseline: { name: 'chance (k/N)', y: [...results[0].r.baseline], x: [...results[0].r.ks] },
  };
  if (opts.source) out.source = opts.source;
  return out;
}

/** Value per example and epoch (NaN: not measured). */
export function heatmapPayload(input: { examples: readonly number[]; epochs: readonly number[]; values: readonly ArrayLike<number>[]; valueTitle?: string; logColor?: boolean; title?: string; source?: PayloadSource }): HeatmapPayload {
  if (input.values.length !== input.examples.length) throw new RangeError(`heatmap: values has ${input.values.length} rows for ${input.examples.length} examples`);
  const out: HeatmapPayload = {
    version: 1,
    examples: [...input.examples],
    epochs: [...input.epochs],
    values: input.values.map((row) => Array.from(row, nullIfNaN)),
  };
  if (input.valueTitle !== undefined) out.valueTitle = input.valueTitle;
  if (input.logColor) out.logColor = true;
  if (input.title !== undefined) out.title = input.title;
  if (input.source) out.source = input.source;
  return out;
}
