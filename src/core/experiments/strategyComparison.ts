import type { Experiment } from '../jobs/experiment';
import type { PruneState } from './pruneSweep';
import type { JobInput } from '../../contract/jobOptions';
import type { RunManifest } from '../store/runManifest';
import type { JobContext } from './job';
import { definedOnly } from './definedOnly';
import { runJob, type StartOptions } from '../jobs/runner';
import { pruneExperiment, resolvePruneConfig, type PruneSweepConfig } from './pruneSweep';

import { PAPER_STRATEGIES } from '../../contract/jobDefaults';

export { PAPER_STRATEGIES };

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

import { STRATEGY_COMPARISON_DEFAULTS } from '../../contract/jobDefaults';

export { STRATEGY_COMPARISON_DEFAULTS };

/** The prune sweep's parameters with the paper's defaults; the run is recorded as a prune run (its table is one). */
export function resolveStrategiesConfig(input: JobInput<'strategies'>): PruneSweepConfig & { readonly runKind: 'prune' } {
  if (typeof input.dataset !== 'string') throw new Error('strategies job needs "dataset": a dataset spec (e.g. "mnist")');
  if (typeof input.scoresFrom !== 'string') throw new Error('strategies job needs "scoresFrom": the id or folder of a score run');
  return { ...resolvePruneConfig({ ...STRATEGY_COMPARISON_DEFAULTS, ...definedOnly(input), dataset: input.dataset, scoresFrom: input.scoresFrom }), runKind: 'prune' };
}

/** The prune sweep (its units, merge and tables) with other defaults. */
export const strategiesExperiment: Experiment<PruneSweepConfig & { readonly runKind: 'prune' }, PruneState, 'strategies'> = {
  ...pruneExperiment,
  job: 'strategies',
  resolve: (input) => resolveStrategiesConfig(input),
  async prepare(cfg, ctx) {
    const prepared = await pruneExperiment.prepare(cfg, ctx);
    // The manifest's config is the sweep's, without the run kind (a rerun of it is a prune job).
    const { runKind: _kind, ...config } = (prepared.record?.config ?? {}) as Record<string, unknown>;
    return { ...prepared, record: { ...prepared.record, config } };
  },
};

export function runStrategyComparison(partial: JobInput<'strategies'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  return runJob('strategies', partial, ctx, opts);
}
