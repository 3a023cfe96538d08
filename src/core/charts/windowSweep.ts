import type { TopLevelSpec } from 'vega-lite';
import { band } from '../analysis/percentiles';
import { BAND_OPACITY, checkAccuracies, checkFinite, DASH, DEFAULT_HEIGHT, DEFAULT_WIDTH, type LayerItem, PERCENT1, SERIES_LEGEND, titleOf } from './common';
import { axisFormat, extent } from './tickFormat';

/**
 * Sliding-window sweep (Data Diet Fig. 2, 13, 15): sort the training examples by score, drop the lowest `offset`,
 * train on the next `size`. x is where the window starts as a percentile of the sorted scores (offset / n), y the
 * final accuracy: test as mean line with its 16th-84th percentile band, validation as a dashed mean line, and a rule
 * at the window chosen on validation.
 */
export interface WindowSweepInput {
  /** Window size in examples. */
  size: number;
  /** Training examples that were ranked (offsets are counts out of n). */
  n: number;
  points: {
    /** Examples skipped at the low-score end. */
    offset: number;
    /** Validation accuracy (fraction) per seed; may be empty. */
    val: number[];
    /** Test accuracy (fraction) per seed. */
    test: number[];
  }[];
  /** The window chosen on validation. */
  best?: { offset: number };
  /** Score name for the subtitle, e.g. "EL2N (epoch 10)". */
  score?: string;
  title?: string;
  width?: number;
  height?: number;
}

export interface WindowSweepRow {
  split: 'test' | 'validation';
  /** offset / n */
  start: number;
  offset: number;
  mean: number;
  lo: number;
  hi: number;
  seeds: number;
}

const SPLITS = ['test', 'validation'] as const;

export function windowSweepRows(input: WindowSweepInput): WindowSweepRow[] {
  const fn = 'windowSweep';
  const { n, size } = input;
  if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`${fn}: n must be a positive integer, got ${n}`);
  if (!(Number.isInteger(size) && size > 0 && size <= n)) throw new RangeError(`${fn}: size must be an integer in [1, n = ${n}], got ${size}`);
  if (input.points.length === 0) throw new RangeError(`${fn}: no points`);
  const rows: WindowSweepRow[] = [];
  for (const p of [...input.points].sort((a, b) => a.offset - b.offset)) {
    checkFinite(fn, 'offset', p.offset);
    if (p.offset < 0 || p.offset + size > n) throw new RangeError(`${fn}: offset ${p.offset} with window ${size} does not fit in n = ${n}`);
    checkAccuracies(fn, `test at offset ${p.offset}`, p.test);
    const t = band(p.test);
    rows.push({ split: 'test', start: p.offset / n, offset: p.offset, mean: t.mean, lo: t.lo, hi: t.hi, seeds: p.test.length });
    if (p.val.length > 0) {
      checkAccuracies(fn, `val at offset ${p.offset}`, p.val);
      const v = band(p.val);
      rows.push({ split: 'validation', start: p.offset / n, offset: p.offset, mean: v.mean, lo: v.lo, hi: v.hi, seeds: p.val.length });
    }
  }
  return rows;
}

export function windowSweep(input: WindowSweepInput): TopLevelSpec {
  const rows = windowSweepRows(input);
  const { n, size } = input;
  const testRows = rows.filter((r) => r.split === 'test');
  // Largest possible start; a window of all n examples has only offset 0.
  const maxStart = size < n ? 1 - size / n : 1;
  const width = input.width ?? DEFAULT_WIDTH;
  const height = input.height ?? DEFAULT_HEIGHT;
  const x = { field: 'start', type: 'quantitative' as const, title: 'Window start (percentile of sorted scores)', axis: axisFormat([0, maxStart], width, true), scale: { domain: [0, maxStart] } };
  const color = { field: 'split', type: 'nominal' as const, title: null, scale: { domain: [...SPLITS] }, legend: SERIES_LEGEND };

  const layers: LayerItem[] = [
    {
      data: { values: testRows },
      mark: { type: 'area', opacity: BAND_OPACITY },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
    },
    {
      mark: { type: 'line', point: true },
      encoding: {
        x,
        y: { field: 'mean', type: 'quantitative', title: 'Final accuracy', axis: axisFormat(extent(rows.flatMap((r) => [r.lo, r.hi])), height, true), scale: { zero: false } },
        color,
        strokeDash: { field: 'split', type: 'nominal', scale: { domain: [...SPLITS], range: [[1, 0], DASH] }, title: null, legend: SERIES_LEGEND },
        tooltip: [
          { field: 'split', type: 'nominal' },
          { field: 'start', type: 'quantitative', title: 'window start', format: PERCENT1 },
          { field: 'offset', type: 'quantitative', title: 'examples skipped' },
          { field: 'mean', type: 'quantitative', title: 'mean accuracy', format: '.2%' },
          { field: 'lo', type: 'quantitative', title: '16th pct', format: '.2%' },
          { field: 'hi', type: 'quantitative', title: '84th pct', format: '.2%' },
          { field: 'seeds', type: 'quantitative' },
        ],
      },
    },
  ];

  if (input.best !== undefined) {
    const b = input.best.offset;
    checkFinite('windowSweep', 'best.offset', b);
    if (b < 0 || b + size > n) throw new RangeError(`windowSweep: best.offset ${b} with window ${size} does not fit in n = ${n}`);
    const bestRow = { start: b / n, label: `best on validation: ${(100 * (b / n)).toFixed(1)}%` };
    // Label on the side of the rule with more room.
    const right = b / n > maxStart / 2;
    layers.push(
      {
        data: { values: [bestRow] },
        mark: { type: 'rule', strokeDash: DASH },
        encoding: { x: { field: 'start', type: 'quantitative' } },
      },
      {
        data: { values: [bestRow] },
        mark: { type: 'text', align: right ? 'right' : 'left', baseline: 'top', dx: right ? -4 : 4, y: 2 },
        encoding: { x: { field: 'start', type: 'quantitative' }, text: { field: 'label' } },
      },
    );
  }

  const pct = (100 * size) / n;
  const window = `window of ${size.toLocaleString('en-US')} examples (${pct.toFixed(pct < 10 ? 1 : 0)}% of ${n.toLocaleString('en-US')})`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(input.title ?? 'Sliding-window sweep', input.score === undefined ? window : `${input.score}; ${window}`),
    width,
    height,
    data: { values: rows },
    layer: layers,
  };
}
