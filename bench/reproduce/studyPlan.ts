/**
 * The reproduction as a list of jobs in the product's own vocabulary (score, prune, window, kernel-velocity, ...):
 * each step is one run whose parameters may name the runs of earlier steps (a prune sweep names its score run).
 * The list is in priority order: the headline claims first on every dataset, then the rest, so a study stopped
 * early has the most important evidence. Steps are pure data; studyDriver.ts runs them.
 */
import type { JobName } from '../../src/contract/jobNames';
import type { DatasetStudy, StudyConfig } from './studyConfig';

export interface StudyStep {
  /** `<dataset>/<name>`: stable, used in the report and by --only. */
  readonly id: string;
  readonly dataset: DatasetStudy;
  /** What the step is for, in a few words (progress lines and the report's step table). */
  readonly title: string;
  readonly job: JobName;
  /** Steps whose run ids the parameters name. */
  readonly needs: readonly string[];
  /** The job's parameters, given the run id of each needed step. */
  readonly input: (runOf: (stepId: string) => string) => Readonly<Record<string, unknown>>;
}

/** Step names, one per concept, shared by the plan and the report. */
export const STEP = {
  scoresEarly: 'scores-early',
  scoresInit: 'scores-init',
  scoresEnd: 'scores-end',
  pruneEl2n: 'prune-el2n',
  pruneGrandInit: 'prune-grand-init',
  pruneGrandEarly: 'prune-grand-early',
  pruneForgetting: 'prune-forgetting',
  pruneEl2nBalanced: 'prune-el2n-balanced',
  pruneGrandInitBalanced: 'prune-grand-init-balanced',
  scoresWindow: 'scores-window',
  windowClean: 'window-clean',
  scoresNoisy: 'scores-noisy',
  windowNoisy: 'window-noisy',
  kernelVelocity: 'kernel-velocity',
  kernelVelocityNoisy: 'kernel-velocity-noisy',
  errorBarrier: 'error-barrier',
  scoresOther: 'scores-other-model',
  pruneTransferIn: 'prune-transfer-in',
  pruneTransferOut: 'prune-transfer-out',
  pruneOtherOwn: 'prune-other-own',
  scoresLabelFree: 'scores-label-free',
  scoresLabelFreeInit: 'scores-label-free-init',
  el2nGrid: 'el2n-grid',
  pruneGrid: 'prune-grid',
  strategies: 'strategies',
  scoresOtherEnd: 'scores-other-end',
  entropy: 'entropy',
  overlapRuns: 'overlap-runs',
  overlapModels: 'overlap-models',
  gradHeatmap: 'grad-heatmap',
  gradSum: 'grad-sum',
} as const;

export const LABEL_FREE_SCORES = ['label-free-1', 'label-free-2', 'label-free-3'] as const;

/** The prune step of a label-free score taken at initialization or early. */
export const labelFreeStep = (when: 'init' | 'early', score: string) => `prune-${score}-${when}`;

/** Offsets (fractions skipped from the easy end) of windows that leave out `topExcluded` of the hardest end. */
export function windowOffsets(size: number, topExcluded: readonly number[]): number[] {
  const offsets = topExcluded.map((e) => Math.round((1 - size - e) * 1e6) / 1e6).filter((o) => o >= 0);
  // The easiest window as the other end of the curve.
  return [...new Set([0, ...offsets])].sort((a, b) => a - b);
}

/** Training options every run of a dataset shares: the same model, budget and schedule everywhere. */
function training(d: DatasetStudy, cfg: StudyConfig) {
  return { dataset: d.dataset, model: d.model, width: d.width, epochs: d.epochs, batchSize: d.batchSize, lr: d.lr, weightDecay: d.weightDecay, ...(d.milestones ? { milestones: d.milestones } : {}), ...(d.warmup ? { warmup: d.warmup } : {}), seed: cfg.seed, validation: 0, ...(d.subset ? { trainSubset: d.subset } : {}) };
}

/** The steps of one dataset, grouped by priority (the plan interleaves datasets group by group). */
function datasetSteps(d: DatasetStudy, cfg: StudyConfig): StudyStep[][] {
  const id = (name: string) => `${d.name}/${name}`;
  const train = training(d, cfg);
  // Score runs keep scores only: the probabilities and embeddings of K runs over the whole set are not needed here.
  const score = { ...train, runs: cfg.runs, predictions: false };
  const step = (name: string, title: string, job: JobName, needs: string[], input: StudyStep['input']): StudyStep => ({ id: id(name), dataset: d, title, job, needs: needs.map(id), input });
  const fixed = (o: Record<string, unknown>) => () => o;
  const prune = (scores: string, score: string, extra: Record<string, unknown>) => (runOf: (s: string) => string) => ({ ...train, scoresFrom: runOf(id(scores)), score, seeds: cfg.seeds, fractions: cfg.otherFractions, strategies: ['keep-top'], fullData: false, ...extra });
  // Dynamics jobs and the grid default to a small subset: given the split's size they take all of it.
  const whole = d.subset ?? d.trainExamples;
  const withValidation = { validation: 0.1 };
  const windowSweep = (scores: string) => (runOf: (s: string) => string) => ({ ...train, ...withValidation, scoresFrom: runOf(id(scores)), score: 'el2n', size: d.windowSize, offsets: windowOffsets(d.windowSize, cfg.windowTopExcluded), seeds: cfg.windowSeeds });
  const few = { fractions: cfg.fewFractions, seeds: cfg.fewSeeds };
  const other = { model: d.transferModel, width: d.width };
  return [
    [
      step(STEP.scoresEarly, `EL2N and GraNd at epoch ${d.scoreEpoch}, K = ${cfg.runs}`, 'score', [], fixed({ ...score, scores: ['el2n', 'grand'], scoreEpoch: d.scoreEpoch })),
      step(STEP.scoresInit, `GraNd and EL2N at initialization, K = ${cfg.runs}`, 'score', [], fixed({ ...score, scores: ['grand', 'el2n'], scoreEpoch: 0 })),
      step(STEP.pruneEl2n, 'prune by EL2N vs random, with the full-data baseline', 'prune', [STEP.scoresEarly], (runOf) => ({ ...prune(STEP.scoresEarly, 'el2n', {})(runOf), strategies: ['keep-top', 'random'], fractions: cfg.fractions, fullData: true })),
    ],
    [
      step(STEP.scoresEnd, `forgetting, last-layer gradient norm and EL2N at the end of training, K = ${cfg.runs}`, 'score', [], fixed({ ...score, scores: ['forgetting', 'grand-last', 'el2n'], scoreEpoch: d.epochs })),
      step(STEP.pruneGrandInit, 'prune by GraNd at initialization', 'prune', [STEP.scoresInit], prune(STEP.scoresInit, 'grand', {})),
      step(STEP.pruneForgetting, 'prune by forgetting events', 'prune', [STEP.scoresEnd], prune(STEP.scoresEnd, 'forgetting', {})),
      step(STEP.pruneGrandEarly, `prune by GraNd at epoch ${d.scoreEpoch}`, 'prune', [STEP.scoresEarly], prune(STEP.scoresEarly, 'grand', {})),
    ],
    [
      step(STEP.scoresWindow, `EL2N at epoch ${d.scoreEpoch} with a validation split, K = ${cfg.runs}`, 'score', [], fixed({ ...score, ...withValidation, scores: ['el2n'], scoreEpoch: d.scoreEpoch })),
      step(STEP.windowClean, `sliding ${Math.round(d.windowSize * 100)}% windows over EL2N, clean labels`, 'window', [STEP.scoresWindow], windowSweep(STEP.scoresWindow)),
      step(STEP.scoresNoisy, `EL2N, GraNd and AUM with ${Math.round(cfg.labelNoise * 100)}% of labels corrupted, K = ${cfg.runs}`, 'score', [], fixed({ ...score, ...withValidation, scores: ['el2n', 'grand', 'aum'], scoreEpoch: d.scoreEpoch, labelNoise: cfg.labelNoise, noiseKind: 'uniform' })),
      step(STEP.windowNoisy, `sliding ${Math.round(d.windowSize * 100)}% windows over EL2N, ${Math.round(cfg.labelNoise * 100)}% noisy labels`, 'window', [STEP.scoresNoisy], windowSweep(STEP.scoresNoisy)),
    ],
    [
      step(STEP.pruneEl2nBalanced, 'prune by EL2N within each class', 'prune', [STEP.scoresEarly], prune(STEP.scoresEarly, 'el2n', { classBalanced: true })),
      step(STEP.pruneGrandInitBalanced, 'prune by GraNd at initialization within each class', 'prune', [STEP.scoresInit], prune(STEP.scoresInit, 'grand', { classBalanced: true })),
    ],
    [
      step(STEP.kernelVelocity, `NTK kernel velocity over windows of ${cfg.velocityWindowSize} EL2N-sorted examples`, 'kernel-velocity', [], fixed({ ...train, trainSubset: whole, windows: cfg.velocityWindows, windowSize: cfg.velocityWindowSize })),
      step(STEP.kernelVelocityNoisy, `NTK kernel velocity with ${Math.round(cfg.labelNoise * 100)}% of labels corrupted`, 'kernel-velocity', [], fixed({ ...train, trainSubset: whole, windows: cfg.velocityWindows, windowSize: cfg.velocityWindowSize, labelNoise: cfg.labelNoise })),
      step(STEP.errorBarrier, `error barrier on the ${cfg.barrierSubset} highest and lowest EL2N examples`, 'error-barrier', [], fixed({ ...train, trainSubset: whole, subsetSize: cfg.barrierSubset, spawnFractions: cfg.barrierSpawns, pairs: cfg.barrierPairs, scoreEpoch: d.scoreEpoch, testExamples: 10_000 })),
    ],
    [
      step(STEP.scoresOther, `EL2N of ${d.transferModel} at epoch ${d.scoreEpoch}, K = ${cfg.runs}`, 'score', [], fixed({ ...score, ...other, scores: ['el2n'], scoreEpoch: d.scoreEpoch })),
      step(STEP.pruneTransferIn, `${d.model} pruned by the EL2N of ${d.transferModel}`, 'prune', [STEP.scoresOther], prune(STEP.scoresOther, 'el2n', few)),
      step(STEP.pruneTransferOut, `${d.transferModel} pruned by the EL2N of ${d.model}, with random and full data`, 'prune', [STEP.scoresEarly], (runOf) => ({ ...prune(STEP.scoresEarly, 'el2n', few)(runOf), ...other, strategies: ['keep-top', 'random'], fullData: true })),
      step(STEP.pruneOtherOwn, `${d.transferModel} pruned by its own EL2N`, 'prune', [STEP.scoresOther], (runOf) => ({ ...prune(STEP.scoresOther, 'el2n', few)(runOf), ...other })),
      // Data Diet appendix D (Fig. 9): the label-independent variants at initialization and early, each at 50% pruned.
      ...(['init', 'early'] as const).flatMap((when) => {
        const scores = when === 'init' ? STEP.scoresLabelFreeInit : STEP.scoresLabelFree;
        const epoch = when === 'init' ? 0 : d.scoreEpoch;
        return [
          step(scores, `label-free scores at ${when === 'init' ? 'initialization' : `epoch ${epoch}`}, K = ${cfg.runs}`, 'score', [], fixed({ ...score, scores: [...LABEL_FREE_SCORES], scoreEpoch: epoch })),
          ...LABEL_FREE_SCORES.map((s) => step(labelFreeStep(when, s), `prune by ${s} at ${when === 'init' ? 'initialization' : `epoch ${epoch}`}`, 'prune', [scores], prune(scores, s, { fractions: [cfg.labelFreeFraction] }))),
        ];
      }),
      step(STEP.el2nGrid, `EL2N over learning rate x weight decay (${cfg.gridLrs.length * cfg.gridWeightDecays.length} networks)`, 'el2n-grid', [], fixed({ ...score, trainSubset: whole, runs: 1, scoreEpoch: d.scoreEpoch, lrs: cfg.gridLrs, weightDecays: cfg.gridWeightDecays, batchSizes: [d.batchSize], widths: [d.width] })),
      step(STEP.pruneGrid, 'prune by the grid-mean EL2N', 'prune', [STEP.el2nGrid], prune(STEP.el2nGrid, 'el2n', few)),
    ],
    [
      step(STEP.strategies, 'Max-Gradient, Non-extreme, Gradient-CDF and random subsets', 'strategies', [STEP.scoresEnd], (runOf) => ({
        ...train,
        scoresFrom: runOf(id(STEP.scoresEnd)),
        score: 'grand-last',
        strategies: ['keep-top', 'non-extreme', 'gradient-cdf', 'random'],
        fractions: cfg.keptFractions.map((k) => Math.round((1 - k) * 1e6) / 1e6),
        seeds: cfg.strategySeeds,
        fullData: false,
      })),
      step(STEP.scoresOtherEnd, `last-layer gradient norm of ${d.transferModel} at the end of training, K = ${cfg.runs}`, 'score', [], fixed({ ...score, ...other, scores: ['grand-last'], scoreEpoch: d.epochs })),
      step(STEP.entropy, 'label entropy of the top-k', 'entropy', [STEP.scoresEnd], (runOf) => ({ scoresFrom: runOf(id(STEP.scoresEnd)), seed: cfg.seed, randomDraws: 20 })),
      step(STEP.overlapRuns, 'top-k overlap between two seeds of one model', 'overlap', [STEP.scoresEnd], (runOf) => ({ scoresFrom: runOf(id(STEP.scoresEnd)), score: 'grand-last' })),
      step(STEP.overlapModels, `top-k overlap between ${d.model} and ${d.transferModel}`, 'overlap', [STEP.scoresEnd, STEP.scoresOtherEnd], (runOf) => ({ scoresFrom: runOf(id(STEP.scoresEnd)), score: 'grand-last', against: runOf(id(STEP.scoresOtherEnd)) })),
      step(STEP.gradHeatmap, `last-layer gradient norms of ${cfg.heatmapSample} examples over training`, 'grad-heatmap', [], fixed({ ...train, sample: cfg.heatmapSample, subset: 'last-layer' })),
      step(STEP.gradSum, '‖sum of gradients‖ vs sum of ‖gradients‖ over training', 'grad-sum', [], fixed({ ...train, batches: cfg.gradSumBatches })),
    ],
  ];
}

/** Every step of the study, in priority order: group by group, each group for every dataset. */
export function planStudy(cfg: StudyConfig): StudyStep[] {
  const perDataset = cfg.datasets.map((d) => datasetSteps(d, cfg));
  const groups = Math.max(...perDataset.map((g) => g.length));
  const steps: StudyStep[] = [];
  for (let g = 0; g < groups; g++) for (const d of perDataset) steps.push(...(d[g] ?? []));
  const ids = new Set<string>();
  for (const s of steps) {
    if (ids.has(s.id)) throw new Error(`two steps are named ${s.id}`);
    for (const n of s.needs) if (!ids.has(n)) throw new Error(`${s.id} needs ${n}, which is not an earlier step`);
    ids.add(s.id);
  }
  return steps;
}
