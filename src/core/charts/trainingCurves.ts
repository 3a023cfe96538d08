import type { TopLevelSpec } from 'vega-lite';
import { checkFinite, DEFAULT_HEIGHT, DEFAULT_WIDTH, SERIES_LEGEND, titleOf } from './common';
import { axisFormat, extent } from './tickFormat';

/**
 * Loss and accuracy per epoch of one training, for the train, validation and test splits: two panels side by side
 * sharing the epoch axis and the split colours. Train loss and accuracy are the running means over the epoch's
 * minibatches (training mode, augmented); validation and test are evaluated at the epoch's end.
 */
export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export interface SplitMetrics {
  loss: number;
  /** A fraction in [0, 1]. */
  accuracy: number;
}

export interface TrainingEpoch {
  epoch: number;
  train?: SplitMetrics;
  validation?: SplitMetrics;
  test?: SplitMetrics;
}

export interface TrainingCurvesInput {
  epochs: TrainingEpoch[];
  title?: string;
  subtitle?: string;
  /** Width of the whole chart (both panels). */
  width?: number;
  height?: number;
}

export interface TrainingCurveRow {
  epoch: number;
  split: Split;
  loss: number;
  accuracy: number;
}

export function trainingCurveRows(input: TrainingCurvesInput): TrainingCurveRow[] {
  const fn = 'trainingCurves';
  if (input.epochs.length === 0) throw new RangeError(`${fn}: no epochs`);
  const rows: TrainingCurveRow[] = [];
  for (const e of [...input.epochs].sort((a, b) => a.epoch - b.epoch)) {
    checkFinite(fn, 'epoch', e.epoch);
    for (const split of SPLITS) {
      const m = e[split];
      if (!m) continue;
      checkFinite(fn, `${split} loss at epoch ${e.epoch}`, m.loss);
      if (!(m.accuracy >= 0 && m.accuracy <= 1)) throw new RangeError(`${fn}: ${split} accuracy at epoch ${e.epoch} must be a fraction in [0, 1], got ${m.accuracy}`);
      rows.push({ epoch: e.epoch, split, loss: m.loss, accuracy: m.accuracy });
    }
  }
  if (rows.length === 0) throw new RangeError(`${fn}: no split has metrics`);
  return rows;
}

/** Gap between the two panels; room for each panel's y axis and for the legend, in pixels. */
const PANEL_GAP = 35;
const Y_AXIS_ROOM = 60;
const LEGEND_ROOM = 90;

export function trainingCurves(input: TrainingCurvesInput): TopLevelSpec {
  const rows = trainingCurveRows(input);
  const splits = SPLITS.filter((s) => rows.some((r) => r.split === s));
  const width = input.width ?? DEFAULT_WIDTH * 2;
  const panel = Math.max(120, Math.floor((width - PANEL_GAP - 2 * Y_AXIS_ROOM - LEGEND_ROOM) / 2));
  const height = input.height ?? DEFAULT_HEIGHT * 0.8;
  const epochs = extent(rows.map((r) => r.epoch));
  // Integer epochs: no ticks between them.
  const x = { field: 'epoch', type: 'quantitative' as const, title: 'Epoch', scale: { domain: epochs, nice: false }, axis: { tickMinStep: 1, format: 'd' } };
  const color = { field: 'split', type: 'nominal' as const, title: null, scale: { domain: splits }, legend: SERIES_LEGEND };
  const tooltip = [
    { field: 'split', type: 'nominal' as const },
    { field: 'epoch', type: 'quantitative' as const, title: 'epoch' },
    { field: 'loss', type: 'quantitative' as const, title: 'loss', format: '.4f' },
    { field: 'accuracy', type: 'quantitative' as const, title: 'accuracy', format: '.2%' },
  ];
  const view = (field: 'loss' | 'accuracy', title: string, percent: boolean) => ({
    width: panel,
    height,
    mark: { type: 'line' as const, point: true },
    encoding: {
      x,
      y: { field, type: 'quantitative' as const, title, scale: { zero: false }, axis: axisFormat(extent(rows.map((r) => r[field])), height, percent) },
      color,
      tooltip,
    },
  });
  const last = input.epochs.reduce((a, e) => (e.epoch > a.epoch ? e : a));
  const sub = input.subtitle ?? (last.test ? `test accuracy ${(100 * last.test.accuracy).toFixed(2)}% after epoch ${last.epoch}` : undefined);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(input.title ?? 'Training curves', sub),
    data: { values: rows },
    hconcat: [view('loss', 'Loss (cross-entropy)', false), view('accuracy', 'Accuracy', true)],
    spacing: PANEL_GAP,
  } as TopLevelSpec;
}
