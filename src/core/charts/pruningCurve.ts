import type { TopLevelSpec } from 'vega-lite';
import { band } from '../analysis/percentiles';
import { BAND_OPACITY, checkAccuracies, checkFinite, checkUniqueNames, DASH, DEFAULT_HEIGHT, DEFAULT_WIDTH, type LayerItem, PERCENT, PERCENT1, SERIES_LEGEND, titleOf } from './common';
import { referenceLabel } from './referenceLabel';
import { axisFormat, extent } from './tickFormat';

/**
 * Pruning curve (Data Diet Fig. 1, bottom row): final test accuracy against the fraction of the training set pruned,
 * one line per strategy (mean over seeds) with the 16th-84th percentile band across seeds, and the full-data mean
 * as a dashed reference rule.
 */
export interface PruningCurveInput {
  series: {
    /** Legend label, e.g. "EL2N (keep top)" or "random". */
    name: string;
    points: {
      /** Fraction of the training set pruned, in [0, 1]. */
      fractionPruned: number;
      /** Test accuracy (a fraction in [0, 1]) of each seed. */
      accuracies: number[];
    }[];
  }[];
  /** Test accuracy of each seed trained on all the data. */
  fullData?: number[];
  title?: string;
  width?: number;
  height?: number;
}

/** One drawn point: the statistics the spec carries. */
export interface PruningCurveRow {
  series: string;
  fractionPruned: number;
  mean: number;
  lo: number;
  hi: number;
  seeds: number;
}

/** Mean and 16th-84th percentile band of every point, in input series order and ascending fraction pruned. */
export function pruningCurveRows(input: PruningCurveInput): PruningCurveRow[] {
  const fn = 'pruningCurve';
  if (input.series.length === 0) throw new RangeError(`${fn}: no series`);
  checkUniqueNames(fn, input.series.map((s) => s.name));
  const rows: PruningCurveRow[] = [];
  for (const s of input.series) {
    if (s.points.length === 0) throw new RangeError(`${fn}: series ${JSON.stringify(s.name)} has no points`);
    const pts = [...s.points].sort((a, b) => a.fractionPruned - b.fractionPruned);
    for (const p of pts) {
      checkFinite(fn, 'fractionPruned', p.fractionPruned);
      if (p.fractionPruned < 0 || p.fractionPruned > 1) throw new RangeError(`${fn}: fractionPruned must be in [0, 1], got ${p.fractionPruned}`);
      checkAccuracies(fn, `series ${JSON.stringify(s.name)} at ${p.fractionPruned}`, p.accuracies);
      const b = band(p.accuracies);
      rows.push({ series: s.name, fractionPruned: p.fractionPruned, mean: b.mean, lo: b.lo, hi: b.hi, seeds: p.accuracies.length });
    }
  }
  return rows;
}

export function pruningCurve(input: PruningCurveInput): TopLevelSpec {
  const rows = pruningCurveRows(input);
  const names = input.series.map((s) => s.name);
  const width = input.width ?? DEFAULT_WIDTH;
  const height = input.height ?? DEFAULT_HEIGHT;
  const xMax = Math.max(...rows.map((r) => r.fractionPruned));
  let full: ReturnType<typeof band> | undefined;
  if (input.fullData !== undefined) {
    checkAccuracies('pruningCurve', 'fullData', input.fullData);
    full = band(input.fullData);
  }
  const yDomain = extent([...rows.flatMap((r) => [r.lo, r.hi]), ...(full ? [full.lo, full.hi] : [])]);
  const x = { field: 'fractionPruned', type: 'quantitative' as const, title: 'Fraction of dataset pruned', axis: axisFormat([0, xMax], width, true), scale: { zero: true, nice: false } };
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain: names }, legend: SERIES_LEGEND };

  const layers: LayerItem[] = [
    {
      mark: { type: 'area', opacity: BAND_OPACITY },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
    },
    {
      mark: { type: 'line', point: true },
      encoding: {
        x,
        y: { field: 'mean', type: 'quantitative', title: 'Test accuracy', axis: axisFormat(yDomain, height, true), scale: { zero: false } },
        color,
        tooltip: [
          { field: 'series', type: 'nominal', title: 'series' },
          { field: 'fractionPruned', type: 'quantitative', title: 'pruned', format: PERCENT },
          { field: 'mean', type: 'quantitative', title: 'mean accuracy', format: '.2%' },
          { field: 'lo', type: 'quantitative', title: '16th pct', format: '.2%' },
          { field: 'hi', type: 'quantitative', title: '84th pct', format: '.2%' },
          { field: 'seeds', type: 'quantitative', title: 'seeds' },
        ],
      },
    },
  ];

  if (full !== undefined) {
    const fullRow = { fullMean: full.mean, fullLo: full.lo, fullHi: full.hi, label: `full data ${(100 * full.mean).toFixed(1)}%` };
    if (full.hi > full.lo) {
      layers.push({
        data: { values: [fullRow] },
        mark: { type: 'rect', opacity: BAND_OPACITY / 2, color: 'gray' },
        encoding: { y: { field: 'fullLo', type: 'quantitative' }, y2: { field: 'fullHi' } },
      });
    }
    const place = referenceLabel(rows.map((r) => ({ x: r.fractionPruned, lo: r.lo, hi: r.hi })), full.mean);
    layers.push(
      {
        data: { values: [fullRow] },
        mark: { type: 'rule', strokeDash: DASH },
        encoding: { y: { field: 'fullMean', type: 'quantitative' }, tooltip: { field: 'fullMean', type: 'quantitative', title: 'full data', format: PERCENT1 } },
      },
      {
        data: { values: [fullRow] },
        // At the end of the plot and on the side of the rule where the curves are not (see referenceLabel).
        mark: { type: 'text', align: place.end === 'right' ? 'right' : 'left', ...(place.side === 'above' ? { baseline: 'bottom', dy: -3 } : { baseline: 'top', dy: 3 }) },
        encoding: { x: { datum: place.end === 'right' ? xMax : 0, type: 'quantitative' }, y: { field: 'fullMean', type: 'quantitative' }, text: { field: 'label' } },
      },
    );
  }

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(input.title),
    width,
    height,
    data: { values: rows },
    layer: layers,
  };
}
