import type { TopLevelSpec } from 'vega-lite';
import { PERCENT } from './common';
import { curves } from './curves';
import { tightX } from './tightX';

/**
 * Overlap |S1 ∩ S2| / k of two models' top-k sets vs k (Vodrahalli et al. 2018, Fig. 6), with the chance level
 * k/N as a dashed line. Reads the experiment's topk-overlap.json.
 */
export interface TopKOverlapChartInput {
  ks: number[];
  baseline: number[];
  series: { name: string; overlap: number[] }[];
  title?: string;
}

export function topKOverlapChart(input: TopKOverlapChartInput): TopLevelSpec {
  return tightX(curves({
    title: input.title ?? 'Overlap of the top-k sets of two models',
    xTitle: 'k (examples with the highest scores)',
    yTitle: 'Overlap |S1 ∩ S2| / k',
    xScale: 'log',
    yFormat: PERCENT,
    series: input.series.map((s) => ({ name: s.name, x: input.ks, y: s.overlap })),
    baseline: { name: 'random (k/N)', y: input.baseline, x: input.ks },
  }));
}
