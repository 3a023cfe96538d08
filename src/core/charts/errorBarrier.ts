import type { TopLevelSpec } from 'vega-lite';
import { band } from '../analysis/percentiles';
import { BAND_OPACITY, checkFinite, checkUniqueNames, DEFAULT_HEIGHT, DEFAULT_WIDTH, type LayerItem, SERIES_LEGEND, titleOf } from './common';
import { axisFormat, extent } from './tickFormat';

/**
 * Error barrier between children against spawn time (Data Diet Fig. 4): one line per evaluation set (highest /
 * lowest / random score subsets, test), the mean over children pairs with its 16th-84th percentile band.
 */
export interface ErrorBarrierInput {
  series: { name: string; points: { spawnStep: number; barriers: number[] }[] }[];
  /** Total steps of the budget, for the subtitle. */
  steps?: number;
  title?: string;
  width?: number;
  height?: number;
}

export interface ErrorBarrierRow {
  series: string;
  spawnStep: number;
  mean: number;
  lo: number;
  hi: number;
  pairs: number;
}

export function errorBarrierRows(input: ErrorBarrierInput): ErrorBarrierRow[] {
  const fn = 'errorBarrierChart';
  if (input.series.length === 0) throw new RangeError(`${fn}: no series`);
  checkUniqueNames(fn, input.series.map((s) => s.name));
  return input.series.flatMap((s) => {
    if (s.points.length === 0) throw new RangeError(`${fn}: series ${JSON.stringify(s.name)} has no points`);
    return [...s.points]
      .sort((a, b) => a.spawnStep - b.spawnStep)
      .map((p) => {
        checkFinite(fn, 'spawnStep', p.spawnStep);
        if (p.barriers.length === 0) throw new RangeError(`${fn}: ${JSON.stringify(s.name)} at step ${p.spawnStep} has no barriers`);
        for (const b of p.barriers) if (!(b >= -1 && b <= 1)) throw new RangeError(`${fn}: barriers are differences of error fractions, in [-1, 1]; got ${b}`);
        return { series: s.name, spawnStep: p.spawnStep, ...band(p.barriers), pairs: p.barriers.length };
      });
  });
}

export function errorBarrierChart(input: ErrorBarrierInput): TopLevelSpec {
  const rows = errorBarrierRows(input);
  const names = input.series.map((s) => s.name);
  const x = { field: 'spawnStep', type: 'quantitative' as const, title: 'Spawn step t*', scale: { zero: true } };
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain: names }, legend: SERIES_LEGEND };
  const layers: LayerItem[] = [
    { mark: { type: 'area', opacity: BAND_OPACITY }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
    {
      mark: { type: 'line', point: true },
      encoding: {
        x,
        y: { field: 'mean', type: 'quantitative', title: 'Error barrier between children', axis: axisFormat(extent(rows.flatMap((r) => [r.lo, r.hi])), input.height ?? DEFAULT_HEIGHT, true) },
        color,
        tooltip: [
          { field: 'series', type: 'nominal', title: 'evaluated on' },
          { field: 'spawnStep', type: 'quantitative', title: 'spawn step' },
          { field: 'mean', type: 'quantitative', title: 'mean barrier', format: '.2%' },
          { field: 'lo', type: 'quantitative', title: '16th pct', format: '.2%' },
          { field: 'hi', type: 'quantitative', title: '84th pct', format: '.2%' },
          { field: 'pairs', type: 'quantitative', title: 'children pairs' },
        ],
      },
    },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(input.title ?? 'Linear mode connectivity', input.steps === undefined ? undefined : `children trained to step ${input.steps}`),
    width: input.width ?? DEFAULT_WIDTH,
    height: input.height ?? DEFAULT_HEIGHT,
    data: { values: rows },
    layer: layers,
  };
}
