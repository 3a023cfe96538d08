import type { TopLevelSpec } from 'vega-lite';
import { scoreHistogram } from './scoreHistogram';

/**
 * Score distribution of clean vs corrupted-label examples (Data Diet Fig. 14), each group normalized to its own
 * size so the 10% corrupted ones are not dwarfed, with the detection AUROC in the title.
 */
export function noiseHistogramChart(input: { score: string; values: ArrayLike<number>; corrupted: ArrayLike<number>; auroc?: number; title?: string }): TopLevelSpec {
  const auroc = input.auroc !== undefined && Number.isFinite(input.auroc) ? ` (AUROC ${input.auroc.toFixed(3)})` : '';
  return scoreHistogram({
    score: input.score,
    values: input.values,
    groups: { name: 'corrupted', member: input.corrupted, rest: 'clean' },
    normalize: true,
    title: input.title ?? `${input.score} of clean and corrupted labels${auroc}`,
  });
}
