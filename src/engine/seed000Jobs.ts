import { runGradHeatmap, type GradHeatmapConfig } from '../core/experiments/gradHeatmap';
import { runGradSum, type GradSumConfig } from '../core/experiments/gradSum';
import type { JobContext } from '../core/experiments/job';
import { runLabelEntropy, type LabelEntropyConfig } from '../core/experiments/labelEntropyCurve';
import type { PruneSweepConfig } from '../core/experiments/pruneSweep';
import { runStrategyComparison } from '../core/experiments/strategyComparison';
import { runTopKOverlap, type TopKOverlapConfig } from '../core/experiments/topKOverlapCurve';
import { runNoiseStudy, type NoiseStudyConfig } from '../core/experiments/noiseStudy';

/** The analyses of Vodrahalli et al. 2018 as engine jobs (registered in jobs.ts). */
export async function seed000Job(job: 'entropy' | 'overlap' | 'grad-heatmap' | 'grad-sum' | 'strategies' | 'noise-study', params: Record<string, unknown>, ctx: JobContext): Promise<unknown> {
  const needs = (key: string, what: string) => {
    if (typeof params[key] !== 'string') throw new Error(`${job} job needs "${key}": ${what}`);
  };
  switch (job) {
    case 'entropy':
      needs('scoresFrom', 'the id or folder of a score run');
      return runLabelEntropy(params as Partial<LabelEntropyConfig> & { scoresFrom: string }, ctx);
    case 'overlap':
      needs('scoresFrom', 'the id or folder of a score run');
      return runTopKOverlap(params as unknown as TopKOverlapConfig, ctx);
    case 'grad-heatmap':
      needs('dataset', 'a dataset spec (e.g. "mnist")');
      return runGradHeatmap(params as Partial<GradHeatmapConfig> & { dataset: string }, ctx);
    case 'grad-sum':
      needs('dataset', 'a dataset spec (e.g. "mnist")');
      return runGradSum(params as Partial<GradSumConfig> & { dataset: string }, ctx);
    case 'strategies':
      needs('dataset', 'a dataset spec (e.g. "mnist")');
      needs('scoresFrom', 'the id or folder of a score run');
      return runStrategyComparison(params as Partial<PruneSweepConfig> & { dataset: string; scoresFrom: string }, ctx);
    case 'noise-study':
      needs('scoresFrom', 'the id or folder of a score run made with label noise');
      return runNoiseStudy(params as unknown as NoiseStudyConfig, ctx);
  }
}
