import type { TopLevelSpec } from 'vega-lite';
import { checkFinite, DEFAULT_HEIGHT, DEFAULT_WIDTH, SERIES_LEGEND, titleOf } from './common';
import { axisFormat } from './tickFormat';

/**
 * Kernel velocity along the score-sorted data (Data Diet Fig. 3): x is where each window of contiguous
 * examples starts, as a percentile of the ascending scores; y the cosine distance between the window's NTK Gram
 * matrices at epochs t and t + 1; one line per epoch t.
 */
export interface KernelVelocityInput {
  rows: { epoch: number; startFraction: number; velocity: number; meanScore?: number }[];
  /** Window size and score name, for the subtitle. */
  windowSize?: number;
  score?: string;
  title?: string;
  width?: number;
  height?: number;
}

export interface KernelVelocityRow {
  series: string;
  epoch: number;
  startFraction: number;
  velocity: number;
  meanScore: number | null;
}

export function kernelVelocityRows(input: KernelVelocityInput): KernelVelocityRow[] {
  const fn = 'kernelVelocity';
  if (input.rows.length === 0) throw new RangeError(`${fn}: no rows`);
  return [...input.rows]
    .sort((a, b) => a.epoch - b.epoch || a.startFraction - b.startFraction)
    .map((r) => {
      checkFinite(fn, 'epoch', r.epoch);
      checkFinite(fn, 'velocity', r.velocity);
      if (!(r.startFraction >= 0 && r.startFraction <= 1)) throw new RangeError(`${fn}: startFraction must be in [0, 1], got ${r.startFraction}`);
      return { series: `epoch ${r.epoch} → ${r.epoch + 1}`, epoch: r.epoch, startFraction: r.startFraction, velocity: r.velocity, meanScore: r.meanScore ?? null };
    });
}

export function kernelVelocity(input: KernelVelocityInput): TopLevelSpec {
  const rows = kernelVelocityRows(input);
  const series = [...new Set(rows.map((r) => r.series))];
  const sub = [input.score && `sorted by ${input.score}`, input.windowSize && `windows of ${input.windowSize} examples`].filter(Boolean).join('; ');
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(input.title ?? 'NTK kernel velocity', sub || undefined),
    width: input.width ?? DEFAULT_WIDTH,
    height: input.height ?? DEFAULT_HEIGHT,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'startFraction', type: 'quantitative', title: 'Window start (percentile of sorted scores)', axis: axisFormat([0, 1], input.width ?? DEFAULT_WIDTH, true), scale: { domain: [0, 1] } },
      y: { field: 'velocity', type: 'quantitative', title: 'Kernel velocity (cosine distance, t → t+1)' },
      // Sequential colours: later epochs darker, as the epochs are ordered.
      color: { field: 'series', type: 'ordinal', title: null, scale: { domain: series, scheme: 'viridis' }, legend: SERIES_LEGEND },
      tooltip: [
        { field: 'series', type: 'nominal', title: 'epochs' },
        { field: 'startFraction', type: 'quantitative', title: 'window start', format: '.1%' },
        { field: 'meanScore', type: 'quantitative', title: 'mean score', format: '.4f' },
        { field: 'velocity', type: 'quantitative', title: 'velocity', format: '.4f' },
      ],
    },
  };
}
