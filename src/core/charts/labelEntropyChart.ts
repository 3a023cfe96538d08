import type { TopLevelSpec } from 'vega-lite';
import { curves } from './curves';
import { tightX } from './tightX';

/**
 * Label entropy of the top-k examples vs k (Vodrahalli et al. 2018, Fig. 7): a line per score, the random
 * selection's line, and the uniform baseline ln K as a dashed rule. Reads the experiment's label-entropy.json.
 */
export interface LabelEntropyChartInput {
  ks: number[];
  uniform: number;
  numClasses: number;
  series: { score: string; entropy: number[] }[];
  /** Entropy of random top-k sets; drawn as a series named "random". */
  random?: number[];
  title?: string;
}

export function labelEntropyChart(input: LabelEntropyChartInput): TopLevelSpec {
  const series = input.series.map((s) => ({ name: s.score, x: input.ks, y: s.entropy }));
  if (input.random) series.push({ name: 'random', x: input.ks, y: input.random });
  return tightX(curves({
    title: input.title ?? 'Label entropy of the top-k examples',
    xTitle: 'k (examples with the highest scores)',
    yTitle: 'Label entropy (nats)',
    xScale: 'log',
    series,
    baseline: { name: `uniform: ln ${input.numClasses} = ${input.uniform.toFixed(2)}`, y: input.uniform },
  }));
}
