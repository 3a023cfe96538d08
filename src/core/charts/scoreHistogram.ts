import type { TopLevelSpec } from 'vega-lite';
import { DEFAULT_HEIGHT, DEFAULT_WIDTH, titleOf } from './common';
import { axisFormat } from './tickFormat';

/**
 * Score distribution (Data Diet Fig. 14: EL2N of clean vs corrupted labels). Binned here, not in Vega: the spec
 * carries one row per non-empty bin and group (a few dozen rows for 60,000 scores). Two groups (e.g. clean vs
 * corrupted) are drawn over each other, translucent; more (one per class) as small multiples with a shared x axis,
 * where ten overlaid colours would be unreadable; or stacked.
 */
export interface ScoreHistogramInput {
  /** Score name, the x-axis title (e.g. "EL2N (epoch 10)"). */
  score: string;
  values: ArrayLike<number>;
  /**
   * Split the examples in two: those with a truthy `member[i]` are `name` (e.g. "corrupted"), the others `rest`
   * (default "other", e.g. "clean").
   */
  groups?: { name: string; member: ArrayLike<boolean | number>; rest?: string };
  /** Equal-width bins between the smallest and largest finite value (default 40). */
  bins?: number;
  /** y = fraction of each group's examples instead of counts, to compare groups of very different sizes. */
  normalize?: boolean;
  /** How groups share the plot (default: 'overlay' for two groups, 'facet' for more). */
  layout?: HistogramLayout;
  /**
   * Symmetric-log count axis: EL2N and GraNd pile up near zero with a long tail, whose bins of a few examples are
   * invisible next to a peak of thousands on a linear axis. Symlog keeps empty and one-example bins drawable.
   */
  logCount?: boolean;
  title?: string;
  /** Width of the whole chart in pixels (small multiples share it). */
  width?: number;
  height?: number;
}

export type HistogramLayout = 'overlay' | 'facet' | 'stack';

export interface HistogramRow {
  group: string;
  /** Bin [x0, x1); the last bin includes its upper edge. */
  x0: number;
  x1: number;
  count: number;
  /** count / examples in the group */
  fraction: number;
}

export interface Histogram {
  /** bins + 1 edges */
  edges: number[];
  /** Group names, in drawing order (the named group last, on top). */
  groups: string[];
  /** counts[g][b] */
  counts: number[][];
  /** NaN and infinite values, left out. */
  nonFinite: number;
}

export const DEFAULT_BINS = 40;

/** Equal-width histogram of the finite values, per group. */
export function histogram(values: ArrayLike<number>, bins = DEFAULT_BINS, groups?: ScoreHistogramInput['groups']): Histogram {
  const fn = 'scoreHistogram';
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`${fn}: bins must be a positive integer, got ${bins}`);
  const n = values.length;
  if (groups && groups.member.length !== n) throw new RangeError(`${fn}: groups.member has ${groups.member.length} entries for ${n} values`);
  const names = groups ? [groups.rest ?? 'other', groups.name] : ['all'];
  if (names[0] === names[1]) throw new RangeError(`${fn}: the two groups need different names, both are ${JSON.stringify(names[0])}`);
  let lo = Infinity;
  let hi = -Infinity;
  let nonFinite = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) throw new RangeError(`${fn}: no finite values among ${n}`);
  if (lo === hi) {
    // One distinct value: a single unit-wide bin around it.
    bins = 1;
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, b) => (b === bins ? hi : lo + b * width));
  const counts = names.map(() => new Array<number>(bins).fill(0));
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    let b = Math.floor((v - lo) / width);
    if (b >= bins) b = bins - 1;
    else if (b < 0) b = 0;
    // Rounding in (v - lo) / width can land a value one bin off its edges; move it to the bin that holds it.
    while (b > 0 && v < edges[b]) b--;
    while (b < bins - 1 && v >= edges[b + 1]) b++;
    const g = groups && groups.member[i] ? 1 : 0;
    counts[g][b]++;
  }
  return { edges, groups: names, counts, nonFinite };
}

export function histogramRows(h: Histogram): HistogramRow[] {
  const rows: HistogramRow[] = [];
  h.groups.forEach((group, g) => {
    const total = h.counts[g].reduce((a, c) => a + c, 0);
    h.counts[g].forEach((count, b) => {
      if (count > 0) rows.push({ group, x0: h.edges[b], x1: h.edges[b + 1], count, fraction: count / total });
    });
  });
  return rows;
}

export function scoreHistogram(input: ScoreHistogramInput): TopLevelSpec {
  const h = histogram(input.values, input.bins ?? DEFAULT_BINS, input.groups);
  return histogramChart(h, input);
}

/** The layout used for `groups` groups when none is asked for. */
export function defaultLayout(groups: number): HistogramLayout {
  return groups > 2 ? 'facet' : 'overlay';
}

/** Columns of small multiples that fit `width` pixels with panels at least `minPanel` wide. */
export function facetColumns(groups: number, width: number, minPanel = 150): number {
  const most = Math.max(1, Math.min(groups, Math.floor(width / minPanel)));
  // As few rows as the width allows, then spread evenly over them: 10 groups in 6 columns leave two empty panels
  // with bare axes; in 5 columns they fill two rows.
  const rows = Math.ceil(groups / most);
  return Math.ceil(groups / rows);
}

/** Room the y axis (labels and title, left of the first column) and the gap between panels take, in pixels. */
const Y_AXIS_ROOM = 70;
const PANEL_GAP = 20;
const PANEL_HEIGHT = 90;

/** The chart of an already binned histogram (e.g. one saved in a notebook output); one group or several. */
export function histogramChart(h: Histogram, input: Omit<ScoreHistogramInput, 'values' | 'groups' | 'bins'>): TopLevelSpec {
  const rows = histogramRows(h);
  const grouped = h.groups.length > 1;
  const layout = grouped ? (input.layout ?? defaultLayout(h.groups.length)) : 'overlay';
  const yField = input.normalize ? 'fraction' : 'count';
  const notes: string[] = [];
  if (grouped) {
    h.groups.forEach((g, i) => notes.push(`${g}: ${h.counts[i].reduce((a, c) => a + c, 0).toLocaleString('en-US')}`));
  } else {
    notes.push(`${h.counts[0].reduce((a, c) => a + c, 0).toLocaleString('en-US')} examples`);
  }
  if (h.nonFinite > 0) notes.push(`${h.nonFinite.toLocaleString('en-US')} non-finite left out`);
  if (input.logCount) notes.push(`${input.normalize ? 'fraction' : 'count'} axis symmetric-log`);
  const width = input.width ?? DEFAULT_WIDTH;
  const columns = layout === 'facet' ? facetColumns(h.groups.length, width) : 1;
  const panelWidth = layout === 'facet' ? Math.max(60, Math.floor((width - Y_AXIS_ROOM - (columns - 1) * PANEL_GAP) / columns)) : width;
  const height = layout === 'facet' ? (input.height ?? PANEL_HEIGHT) : (input.height ?? DEFAULT_HEIGHT);
  const yValues = rows.map((r) => (input.normalize ? r.fraction : r.count));
  // Stacked bars reach the sum of the groups in a bin.
  const yMax = layout === 'stack' ? Math.max(...h.edges.slice(1).map((_, b) => h.counts.reduce((a, c, g) => a + (input.normalize ? c[b] / Math.max(1, c.reduce((x, y) => x + y, 0)) : c[b]), 0))) : Math.max(0, ...yValues);
  const smallest = Math.min(...yValues.filter((v) => v > 0));
  const yScale = input.logCount ? { type: 'symlog' as const, constant: Number.isFinite(smallest) ? smallest : 1 } : {};
  const yAxis = input.normalize ? axisFormat([0, yMax], height, true) : { tickMinStep: 1 };
  const color = { field: 'group', type: 'nominal' as const, title: null, scale: { domain: h.groups } };
  const unit = {
    mark: { type: 'bar' as const, opacity: layout === 'overlay' && grouped ? 0.55 : 0.85, binSpacing: 0 },
    encoding: {
      x: { field: 'x0', type: 'quantitative' as const, title: input.score, scale: { domain: [h.edges[0], h.edges[h.edges.length - 1]], nice: false, zero: false } },
      x2: { field: 'x1' },
      y: {
        field: yField,
        type: 'quantitative' as const,
        stack: layout === 'stack' ? ('zero' as const) : null,
        title: input.normalize ? (grouped ? 'Fraction of group' : 'Fraction of examples') : 'Examples',
        axis: yAxis,
        scale: yScale,
      },
      // Explicit baseline for unstacked bars: with x and x2 given, Vega-Lite would otherwise not know they grow from y = 0.
      ...(layout === 'stack' ? {} : { y2: { datum: 0 } }),
      // Small multiples name their group in the header; the colour then only repeats it.
      ...(grouped ? { color: layout === 'facet' ? { ...color, legend: null } : color } : {}),
      tooltip: [
        ...(grouped ? [{ field: 'group', type: 'nominal' as const }] : []),
        { field: 'x0', type: 'quantitative' as const, title: 'from', format: '.4~g' },
        { field: 'x1', type: 'quantitative' as const, title: 'to', format: '.4~g' },
        { field: 'count', type: 'quantitative' as const, title: 'examples' },
        { field: 'fraction', type: 'quantitative' as const, title: grouped ? 'of group' : 'of all', format: '.2%' },
      ],
    },
  };
  const head = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(input.title ?? `Distribution of ${input.score}`, notes.join('; ')),
    data: { values: rows },
  };
  if (layout === 'facet') {
    return {
      ...head,
      facet: { field: 'group', type: 'nominal', title: null, sort: h.groups, header: { labelFontWeight: 'bold' } },
      columns,
      spacing: PANEL_GAP,
      spec: { width: panelWidth, height, ...unit },
    } as TopLevelSpec;
  }
  return { ...head, width, height, ...unit } as TopLevelSpec;
}
