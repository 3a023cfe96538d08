import type { TopLevelSpec } from 'vega-lite';
import { heatmap } from './heatmap';

/**
 * Per-example gradient norms of a sample of examples over epochs (Vodrahalli et al. 2018, Fig. 2): rows are the
 * examples ordered as the table has them (largest final norm first), colour on a log scale as in the paper
 * whenever every value is positive. Reads the experiment's grad-heatmap.json.
 */
export interface GradHeatmapChartInput {
  examples: number[];
  epochs: number[];
  values: number[][];
  title?: string;
}

export function gradHeatmapChart(input: GradHeatmapChartInput): TopLevelSpec {
  const positive = input.values.every((row) => row.every((v) => Number.isNaN(v) || v > 0));
  return heatmap({
    examples: input.examples,
    epochs: input.epochs,
    values: input.values,
    title: input.title ?? 'Per-example gradient norm over training',
    valueTitle: 'Gradient norm',
    logColor: positive,
  });
}
