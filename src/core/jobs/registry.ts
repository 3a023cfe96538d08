import type { JobName } from '../../contract/jobNames';
import type { AnyExperiment } from './experiment';

/* eslint-disable @typescript-eslint/no-require-imports */

/**
 * Job name -> experiment: the one table the engine, the CLI, the wizards and notebook cells run jobs through.
 * Each module is required at call time, not imported: the experiment modules import the runner, which imports
 * this, and a static import here would close that cycle at load time, where an experiment's defaults built from
 * another's (WINDOW_DEFAULTS from PRUNE_DEFAULTS, ...) could be evaluated before the ones they spread.
 */
export function experimentFor(job: JobName): AnyExperiment {
  switch (job) {
    case 'train':
      return (require('../experiments/trainRun') as typeof import('../experiments/trainRun')).trainExperiment;
    case 'score':
      return (require('../experiments/scoreRun') as typeof import('../experiments/scoreRun')).scoreExperiment;
    case 'prune':
      return (require('../experiments/pruneSweep') as typeof import('../experiments/pruneSweep')).pruneExperiment;
    case 'window':
      return (require('../experiments/windowSweep') as typeof import('../experiments/windowSweep')).windowExperiment;
    case 'entropy':
      return (require('../experiments/labelEntropyCurve') as typeof import('../experiments/labelEntropyCurve')).entropyExperiment;
    case 'overlap':
      return (require('../experiments/topKOverlapCurve') as typeof import('../experiments/topKOverlapCurve')).overlapExperiment;
    case 'grad-heatmap':
      return (require('../experiments/gradHeatmap') as typeof import('../experiments/gradHeatmap')).gradHeatmapExperiment;
    case 'grad-sum':
      return (require('../experiments/gradSum') as typeof import('../experiments/gradSum')).gradSumExperiment;
    case 'strategies':
      return (require('../experiments/strategyComparison') as typeof import('../experiments/strategyComparison')).strategiesExperiment;
    case 'noise-study':
      return (require('../experiments/noiseStudy') as typeof import('../experiments/noiseStudy')).noiseStudyExperiment;
    case 'kernel-velocity':
      return (require('../experiments/kernelVelocity') as typeof import('../experiments/kernelVelocity')).kernelVelocityExperiment;
    case 'error-barrier':
      return (require('../experiments/errorBarrier') as typeof import('../experiments/errorBarrier')).errorBarrierExperiment;
    case 'audit':
      return (require('../experiments/labelAudit') as typeof import('../experiments/labelAudit')).auditExperiment;
    case 'el2n-grid':
      return (require('../experiments/el2nGrid') as typeof import('../experiments/el2nGrid')).el2nGridExperiment;
    case 'import-predictions':
      return (require('../experiments/importPredictions') as typeof import('../experiments/importPredictions')).importPredictionsExperiment;
    case 'import-scores':
      return (require('../experiments/importScores') as typeof import('../experiments/importScores')).importScoresExperiment;
    case 'duplicates':
      return (require('../experiments/duplicates') as typeof import('../experiments/duplicates')).duplicatesExperiment;
    default:
      throw new Error(`job "${String(job)}" has no experiment`);
  }
}
