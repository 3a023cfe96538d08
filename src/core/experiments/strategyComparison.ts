import type { StrategyName } from '../select/selection';
import type { RunManifest } from '../store/runManifest';
import type { JobContext } from './job';
import { PRUNE_DEFAULTS, runPruneSweep, type PruneSweepConfig } from './pruneSweep';

/**
 * Max-Gradient vs Non-extreme Max-Gradient vs Gradient-CDF vs random (Vodrahalli et al. 2018, Fig. 3, 4, 8, 9):
 * the prune sweep with the paper's four strategies over gradient-magnitude scores (GraNd at the score run's
 * epoch: the exact per-example gradient norm). Only the defaults differ from `datadiet prune`; the table is the
 * sweep's prune-sweep.json.
 */
export const PAPER_STRATEGIES: readonly StrategyName[] = ['keep-top', 'non-extreme', 'gradient-cdf', 'random'];

/** The paper's names of the strategies, for legends and reports. */
export const PAPER_STRATEGY_NAMES: Readonly<Record<string, string>> = {
  'keep-top': 'Max-Gradient',
  'non-extreme': 'Non-extreme Max-Gradient',
  'gradient-cdf': 'Gradient-CDF',
  random: 'Random',
  'keep-bottom': 'Min-Gradient',
  window: 'Sliding window',
  'full data': 'Full data',
};

export const STRATEGY_COMPARISON_DEFAULTS: Omit<PruneSweepConfig, 'dataset' | 'scoresFrom'> = {
  ...PRUNE_DEFAULTS,
  score: 'grand',
  strategies: PAPER_STRATEGIES,
  // Subset sizes from a small fraction kept up to most of the data, as the paper's x axis.
  fractions: [0.5, 0.8, 0.9, 0.95],
  seeds: 2,
  dropFraction: 0.05,
};

export function runStrategyComparison(partial: Partial<PruneSweepConfig> & { dataset: string; scoresFrom: string }, ctx: JobContext): Promise<RunManifest> {
  return runPruneSweep({ ...STRATEGY_COMPARISON_DEFAULTS, ...partial }, ctx);
}
