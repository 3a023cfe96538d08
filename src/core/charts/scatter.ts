import type { TopLevelSpec } from 'vega-lite';
import { spearman } from '../analysis/spearman';
import { RandomStream } from '../randomStreams';
import { randomSubset } from '../select/random';
import { DEFAULT_HEIGHT, titleOf } from './common';

/**
 * Two scores against each other (Data Diet appendix Fig. 12: GraNd vs EL2N vs forgetting, with their Spearman
 * rank correlation; Fig. 16: EL2N vs memorization). At most `maxPoints` examples are drawn, a seeded uniform
 * subsample of the pairs where both scores are finite, so the same input always gives the same picture.
 */
export interface ScatterInput {
  x: { name: string; values: ArrayLike<number> };
  y: { name: string; values: ArrayLike<number> };
  /** Color the examples with a truthy `member[i]` as `name`, the others as `rest` (default "other"). */
  groups?: { name: string; member: ArrayLike<boolean | number>; rest?: string };
  /**
   * Spearman rank correlation for the title: a value computed by the caller, or 'auto' to compute it here over all
   * finite pairs (not only the drawn ones). Left out: no correlation in the title.
   */
  spearman?: number | 'auto';
  /** Most points drawn (default 5,000). */
  maxPoints?: number;
  /** Seed of the subsample (default 0). */
  seed?: number;
  xScale?: 'linear' | 'log';
  yScale?: 'linear' | 'log';
  title?: string;
  width?: number;
  height?: number;
}

export const DEFAULT_MAX_POINTS = 5000;

export interface ScatterRow {
  /** Position of the example in the input arrays. */
  index: number;
  x: number;
  y: number;
  group?: string;
}

export interface ScatterSample {
  rows: ScatterRow[];
  /** Pairs with both scores finite (the population sampled from). */
  finite: number;
  total: number;
}

/**
 * Seeded subsample without replacement of the finite pairs, ascending by index (the named group last, so it is
 * drawn on top).
 */
export function scatterSample(input: ScatterInput): ScatterSample {
  const fn = 'scatter';
  const xs = input.x.values;
  const ys = input.y.values;
  const n = xs.length;
  if (ys.length !== n) throw new RangeError(`${fn}: x has ${n} values, y has ${ys.length}`);
  const g = input.groups;
  if (g && g.member.length !== n) throw new RangeError(`${fn}: groups.member has ${g.member.length} entries for ${n} values`);
  const rest = g ? g.rest ?? 'other' : undefined;
  if (g && rest === g.name) throw new RangeError(`${fn}: the two groups need different names, both are ${JSON.stringify(rest)}`);
  const maxPoints = input.maxPoints ?? DEFAULT_MAX_POINTS;
  if (!(Number.isInteger(maxPoints) && maxPoints >= 1)) throw new RangeError(`${fn}: maxPoints must be a positive integer, got ${maxPoints}`);
  const logX = input.xScale === 'log';
  const logY = input.yScale === 'log';
  const ok = (i: number) => Number.isFinite(xs[i]) && Number.isFinite(ys[i]) && (!logX || xs[i] > 0) && (!logY || ys[i] > 0);

  const candidates: number[] = [];
  for (let i = 0; i < n; i++) if (ok(i)) candidates.push(i);
  const finite = candidates.length;
  let chosen = candidates;
  if (finite > maxPoints) {
    const rng = RandomStream.root(input.seed ?? 0).derive('chart-sample').rng();
    chosen = Array.from(randomSubset(finite, maxPoints, rng), (p) => candidates[p]);
  }
  const inGroup = (i: number) => (g && g.member[i] ? 1 : 0);
  chosen = [...chosen].sort((a, b) => inGroup(a) - inGroup(b) || a - b);
  const rows = chosen.map((i): ScatterRow => (g ? { index: i, x: xs[i], y: ys[i], group: g.member[i] ? g.name : rest } : { index: i, x: xs[i], y: ys[i] }));
  return { rows, finite, total: n };
}

function spearmanText(input: ScatterInput): string | undefined {
  if (input.spearman === undefined) return undefined;
  let rho = input.spearman;
  if (rho === 'auto') {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < input.x.values.length; i++) {
      if (Number.isFinite(input.x.values[i]) && Number.isFinite(input.y.values[i])) {
        xs.push(input.x.values[i]);
        ys.push(input.y.values[i]);
      }
    }
    rho = xs.length >= 2 ? spearman(xs, ys) : NaN;
  }
  return Number.isNaN(rho) ? 'Spearman ρ undefined' : `Spearman ρ = ${rho.toFixed(3)}`;
}

export function scatter(input: ScatterInput): TopLevelSpec {
  const { rows, finite, total } = scatterSample(input);
  const rho = spearmanText(input);
  const base = input.title ?? `${input.y.name} vs ${input.x.name}`;
  const title = rho === undefined ? base : `${base} (${rho})`;
  const fmt = (v: number) => v.toLocaleString('en-US');
  const notes = [rows.length < finite ? `${fmt(rows.length)} of ${fmt(finite)} examples shown` : `${fmt(rows.length)} examples`];
  if (finite < total) notes.push(`${fmt(total - finite)} left out (non-finite${input.xScale === 'log' || input.yScale === 'log' ? ' or not positive on a log axis' : ''})`);
  const g = input.groups;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(title, notes.join('; ')),
    width: input.width ?? DEFAULT_HEIGHT + 40,
    height: input.height ?? DEFAULT_HEIGHT,
    data: { values: rows },
    mark: { type: 'circle', size: 10, opacity: 0.5 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: input.x.name, scale: input.xScale === 'log' ? { type: 'log' } : { zero: false } },
      y: { field: 'y', type: 'quantitative', title: input.y.name, scale: input.yScale === 'log' ? { type: 'log' } : { zero: false } },
      ...(g ? { color: { field: 'group', type: 'nominal' as const, title: null, scale: { domain: [g.rest ?? 'other', g.name] } } } : {}),
      tooltip: [
        { field: 'index', type: 'quantitative', title: 'example' },
        { field: 'x', type: 'quantitative', title: input.x.name, format: '.4~g' },
        { field: 'y', type: 'quantitative', title: input.y.name, format: '.4~g' },
        ...(g ? [{ field: 'group', type: 'nominal' as const }] : []),
      ],
    },
  };
}
