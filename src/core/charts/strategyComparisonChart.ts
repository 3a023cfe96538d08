import type { TopLevelSpec } from 'vega-lite';
import { pruningCurve } from './pruningCurve';

/**
 * Max-Gradient vs Non-extreme Max-Gradient vs Gradient-CDF vs random (Vodrahalli et al. 2018, Fig. 3): the prune
 * sweep's accuracies per strategy with their 16th-84th percentile band and the full-data reference, under the
 * paper's names. Reads the rows of a prune-sweep.json.
 */
export interface StrategyComparisonChartInput {
  rows: readonly { strategy: string; fractionPruned: number; testAccuracy: number }[];
  /** Legend names per strategy id (default: the id). */
  names?: Readonly<Record<string, string>>;
  score?: string;
  title?: string;
}

export function strategyComparisonChart(input: StrategyComparisonChartInput): TopLevelSpec {
  const byStrategy = new Map<string, Map<number, number[]>>();
  const full: number[] = [];
  for (const r of input.rows) {
    if (r.strategy === 'full data') {
      full.push(r.testAccuracy);
      continue;
    }
    const points = byStrategy.get(r.strategy) ?? new Map<number, number[]>();
    points.set(r.fractionPruned, [...(points.get(r.fractionPruned) ?? []), r.testAccuracy]);
    byStrategy.set(r.strategy, points);
  }
  if (byStrategy.size === 0) throw new RangeError('strategyComparisonChart: no pruned retrainings in the table');
  return pruningCurve({
    title: input.title ?? `Subset selection strategies${input.score ? ` (${input.score} scores)` : ''}`,
    series: [...byStrategy].map(([id, points]) => ({
      name: input.names?.[id] ?? id,
      points: [...points].map(([fractionPruned, accuracies]) => ({ fractionPruned, accuracies })),
    })),
    fullData: full.length ? full : undefined,
  });
}
