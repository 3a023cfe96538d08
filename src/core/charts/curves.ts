import type { TopLevelSpec } from 'vega-lite';
import { checkFinite, checkUniqueNames, DASH, DEFAULT_HEIGHT, DEFAULT_WIDTH, type LayerItem, SERIES_LEGEND, titleOf } from './common';
import { referenceLabel } from './referenceLabel';
import { axisFormat, extent } from './tickFormat';

/**
 * Generic value-against-k lines, e.g. label entropy of the top-k examples against k, or the overlap of two scores'
 * top-k sets against k, with a reference: a constant (dashed rule with its name, e.g. the entropy of the full
 * dataset) or a curve (dashed line in the legend, e.g. the overlap k/n expected by chance).
 */
export interface CurvesInput {
  title?: string;
  xTitle: string;
  yTitle: string;
  series: { name: string; x: number[]; y: number[] }[];
  /** A constant (y: number) or a curve over `x` (default: the first series' x). */
  baseline?: { name: string; y: number | number[]; x?: number[] };
  xScale?: 'linear' | 'log';
  /**
   * d3 format of the y axis, e.g. '.0%' for overlaps (default: Vega's). A percent format only says "percent": the
   * axis takes as many decimals as the range of y needs (tooltips keep the given format).
   */
  yFormat?: string;
  width?: number;
  height?: number;
}

export interface CurveRow {
  series: string;
  x: number;
  /** null where the input had NaN (a gap in the line; JSON has no NaN). */
  y: number | null;
  kind: 'series' | 'baseline';
}

function rowsOf(fn: string, name: string, x: readonly number[], y: readonly number[], kind: CurveRow['kind'], logX: boolean): CurveRow[] {
  if (x.length !== y.length) throw new RangeError(`${fn}: ${JSON.stringify(name)} has ${x.length} x values and ${y.length} y values`);
  if (x.length === 0) throw new RangeError(`${fn}: ${JSON.stringify(name)} has no points`);
  return x.map((xi, i) => {
    checkFinite(fn, `x of ${JSON.stringify(name)}`, xi);
    if (logX && !(xi > 0)) throw new RangeError(`${fn}: x of ${JSON.stringify(name)} must be positive on a log axis, got ${xi}`);
    // NaN y (e.g. an undefined correlation) leaves a gap in the line; infinities are errors.
    if (!Number.isNaN(y[i])) checkFinite(fn, `y of ${JSON.stringify(name)}`, y[i]);
    return { series: name, x: xi, y: Number.isNaN(y[i]) ? null : y[i], kind };
  });
}

export function curveRows(input: CurvesInput): CurveRow[] {
  const fn = 'curves';
  if (input.series.length === 0) throw new RangeError(`${fn}: no series`);
  const names = input.series.map((s) => s.name);
  if (input.baseline) names.push(input.baseline.name);
  checkUniqueNames(fn, names);
  const logX = input.xScale === 'log';
  const rows = input.series.flatMap((s) => rowsOf(fn, s.name, s.x, s.y, 'series', logX));
  const b = input.baseline;
  if (b && typeof b.y !== 'number') rows.push(...rowsOf(fn, b.name, b.x ?? input.series[0].x, b.y, 'baseline', logX));
  return rows;
}

export function curves(input: CurvesInput): TopLevelSpec {
  const rows = curveRows(input);
  const b = input.baseline;
  const names = input.series.map((s) => s.name);
  if (b && typeof b.y !== 'number') names.push(b.name);
  const x = { field: 'x', type: 'quantitative' as const, title: input.xTitle, scale: { type: input.xScale ?? 'linear' } };
  const yValues = [...rows.map((r) => r.y), ...(b && typeof b.y === 'number' ? [b.y] : [])];
  const yAxis = input.yFormat?.endsWith('%') ? axisFormat(extent(yValues), input.height ?? DEFAULT_HEIGHT, true) : input.yFormat ? { format: input.yFormat } : undefined;
  const layers: LayerItem[] = [
    {
      mark: { type: 'line', point: true },
      encoding: {
        x,
        y: { field: 'y', type: 'quantitative', title: input.yTitle, scale: { zero: false }, ...(yAxis ? { axis: yAxis } : {}) },
        color: { field: 'series', type: 'nominal', title: null, scale: { domain: names }, legend: SERIES_LEGEND },
        strokeDash: { field: 'kind', type: 'nominal', scale: { domain: ['series', 'baseline'], range: [[1, 0], DASH] }, legend: null },
        tooltip: [
          { field: 'series', type: 'nominal' },
          { field: 'x', type: 'quantitative', title: input.xTitle, format: '.4~g' },
          { field: 'y', type: 'quantitative', title: input.yTitle, format: input.yFormat ?? '.4~g' },
        ],
      },
    },
  ];
  if (b && typeof b.y === 'number') {
    checkFinite('curves', `baseline ${JSON.stringify(b.name)}`, b.y);
    const xs = rows.map((r) => r.x);
    const log = input.xScale === 'log';
    const drawn = rows.filter((r) => r.y !== null).map((r) => ({ x: log ? Math.log10(r.x) : r.x, lo: r.y as number, hi: r.y as number }));
    const place = referenceLabel(drawn, b.y);
    const row = { y: b.y, label: b.name };
    layers.push(
      {
        data: { values: [row] },
        mark: { type: 'rule', strokeDash: DASH },
        encoding: { y: { field: 'y', type: 'quantitative' }, tooltip: { field: 'label', type: 'nominal', title: 'baseline' } },
      },
      {
        data: { values: [row] },
        // Where the lines leave room (see referenceLabel).
        mark: { type: 'text', align: place.end, ...(place.side === 'above' ? { baseline: 'bottom', dy: -3 } : { baseline: 'top', dy: 3 }) },
        encoding: { x: { datum: place.end === 'right' ? Math.max(...xs) : Math.min(...xs), type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } },
      },
    );
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(input.title),
    width: input.width ?? DEFAULT_WIDTH,
    height: input.height ?? DEFAULT_HEIGHT,
    data: { values: rows },
    layer: layers,
  };
}
