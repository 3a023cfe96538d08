/**
 * The cross-validated label audit (`datadiet audit --folds K`): out-of-sample probabilities for every audited row,
 * then confident learning (Northcutt, Jiang & Chuang, JAIR 2021) over them.
 *
 * The audited rows (labelErrors/auditRows.ts: the train split or its --subset, and the test split unless --no-test)
 * are split into K folds stratified by given label (the `audit-folds` stream). Unit k trains a model from its own
 * `audit-fold[fold=k]` streams on the other folds for the configured epochs (budget: epochs over the rows it trains
 * on) and predicts fold k, so each row is predicted exactly once, by a model that never trained on it. The merge
 * assembles the N x K matrix, runs confident learning, and writes predictions/ (out of sample, about.json), a
 * `label-quality` score table (self-confidence: low = likely issue) and analysis.json. There is no validation split:
 * the out-of-fold accuracy is the honest accuracy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditParams } from '../../contract/jobParams';
import type { JobInput } from '../../contract/jobOptions';
import { AUDIT_DEFAULTS } from '../../contract/jobDefaults';
import { ISSUE_FILTERS } from '../../contract/choices';
import { definedOnly } from './definedOnly';
import { augmentFor, dataOptionsOf, prepareData, type ExperimentData } from './experimentData';
import { auditFoldsStream, auditFoldStreams } from './experimentStreams';
import { reportWarnings, stepBudgetWarning } from './budgetWarnings';
import { assertFitsInMemory, loadedBytes } from './memoryEstimate';
import { modelRecord, recordedStem, trainedModelSpec } from './trainedModel';
import { readColumn, writeColumn } from './scoreRun';
import type { JobContext } from './job';
import { trainingBackend, type Experiment } from '../jobs/experiment';
import type { StartOptions } from '../jobs/runner';
import type { RunManifest } from '../store/runManifest';
import { buildModel } from '../models/registry';
import { stepsPerEpoch, trainModel } from '../train/trainLoop';
import { predictProbabilities } from '../train/predictProbabilities';
import { foldMembers, stratifiedFolds } from '../data/stratifiedFolds';
import { TEST_SPLIT } from '../data/datasetRows';
import { InputError } from '../inputError';
import { auditRows, type AuditRows } from '../labelErrors/auditRows';
import { confidentLearningReport, topNoiseRates } from '../labelErrors/confidentLearningReport';
import { detectionMetrics } from '../labelErrors/detectionMetrics';
import { summarizePredictions, writeEmbeddings, writePredictions } from '../annotations/predictions';
import { writeScoreTable, scoresDir } from '../store/scoreFiles';
import { writeJsonAtomic } from '../store/atomicWrite';

export type AuditConfig = AuditParams;
export { AUDIT_DEFAULTS };

/** The score table of an audit: self-confidence per row, with the normalized margin and the issue flag beside it. */
export const LABEL_QUALITY_TABLE = 'label-quality';

interface AuditState {
  readonly data: ExperimentData;
  readonly audit: AuditRows;
  /** Fold of each audited row (row order). */
  readonly folds: Int32Array;
  readonly augment: boolean;
}

/** What a fold's unit records besides its probabilities. */
interface FoldSummary {
  readonly fold: number;
  /** Rows predicted (fold k) and rows trained on (the other folds). */
  readonly rows: number;
  readonly trainedOn: number;
  readonly steps: number;
  /** Accuracy on fold k against the given labels: out of sample. */
  readonly accuracy: number;
  readonly trainSeconds: number;
}

/** Defaults applied and the combination checked. */
export function resolveAuditConfig(input: JobInput<'audit'>): AuditConfig {
  const cfg = { ...AUDIT_DEFAULTS, ...definedOnly(input) } as AuditConfig;
  if (typeof cfg.dataset !== 'string') throw new Error('audit job needs a "dataset" (e.g. "mnist")');
  if (!(Number.isInteger(cfg.folds) && cfg.folds >= 2)) throw new Error(`folds must be an integer of at least 2, got ${cfg.folds}`);
  if (!(ISSUE_FILTERS as readonly string[]).includes(cfg.filter)) throw new Error(`unknown filter ${cfg.filter}; choose from ${ISSUE_FILTERS.join(', ')}`);
  // Every row is predicted by a model that did not see it: a validation split would only take rows out of the audit.
  if (cfg.validation !== 0) throw new Error(`an audit holds out no validation split (each fold is predicted by a model that never saw it), got validation ${cfg.validation}`);
  return cfg;
}

/** The rows of fold k and the rows its model trains on (every other fold). */
export function foldRows(folds: Int32Array, k: number): { predicted: Int32Array; trainedOn: Int32Array } {
  const { inFold, outOfFold } = foldMembers(folds, k);
  return { predicted: inFold, trainedOn: outOfFold };
}

/** Classes with fewer audited rows than folds: some folds then predict them without the models seeing them often. */
function smallClassWarning(counts: readonly number[], folds: number, names?: readonly string[]): string | undefined {
  const small = counts.map((c, j) => ({ c, j })).filter(({ c }) => c > 0 && c < folds);
  if (small.length === 0) return undefined;
  const list = small.slice(0, 5).map(({ c, j }) => `${names?.[j] ?? j} (${c})`).join(', ');
  return `${small.length} class${small.length === 1 ? ' has' : 'es have'} fewer audited rows than --folds ${folds}: ${list}; their thresholds rest on very few examples`;
}

export const auditExperiment: Experiment<AuditConfig, AuditState, 'audit'> = {
  job: 'audit',
  resolve: (input) => resolveAuditConfig(input),
  seeds: (cfg) => ({ root: cfg.seed, noiseDraw: cfg.noiseSeed }),
  backend: trainingBackend,
  plan: (cfg) => Array.from({ length: cfg.folds }, (_, k) => ({ index: k, key: `fold-${k}`, label: `fold ${k + 1} of ${cfg.folds}` })),

  async prepare(cfg, ctx) {
    ctx.report({ phase: 'load', message: `loading ${cfg.dataset}`, fraction: 0 });
    const data = await prepareData({
      ...dataOptionsOf(cfg, ctx),
      validation: 0,
      labelNoise: cfg.labelNoise,
      noiseSeed: cfg.noiseSeed,
      noiseKind: cfg.noiseKind,
      annotations: cfg.annotations,
    });
    const audit = auditRows(data, cfg.includeTest);
    const n = audit.row.length;
    if (n < cfg.folds) throw new InputError(`--folds ${cfg.folds} needs at least ${cfg.folds} audited rows; ${cfg.dataset} gives ${n}`);
    const k = audit.examples.numClasses;
    const folds = stratifiedFolds(audit.examples.labels, k, cfg.folds, auditFoldsStream(cfg.seed).rng());
    const trainedOn = n - Math.ceil(n / cfg.folds);
    const steps = cfg.steps ?? cfg.epochs * stepsPerEpoch(trainedOn, cfg.batchSize);
    const counts = new Array<number>(k).fill(0);
    for (const y of audit.examples.labels) counts[y]++;
    reportWarnings(ctx.report, [...(data.info.warnings ?? []), smallClassWarning(counts, cfg.folds, data.record.classNames), stepBudgetWarning({ steps, examples: trainedOn, batchSize: cfg.batchSize })]);
    const augment = augmentFor(cfg.augment, audit.examples);
    const model = buildModel(trainedModelSpec(cfg, audit.examples), auditFoldStreams(cfg.seed, 0).init.uniform());
    try {
      const copy = audit.copied ? audit.examples.images.byteLength + (audit.examples.features?.values.byteLength ?? 0) : 0;
      await assertFitsInMemory(model, { batchSize: cfg.batchSize, width: cfg.width, datasetBytes: loadedBytes(data) + copy });
      return {
        state: { data, audit, folds, augment },
        record: {
          dataset: data.record,
          config: { ...cfg, augment, stem: recordedStem(cfg, audit.examples), auditedRows: n, auditedTrainRows: audit.trainCount, auditedTestRows: audit.testCount },
          model: modelRecord(model),
        },
      };
    } finally {
      model.dispose();
    }
  },

  async runUnit(unit, cfg, { data, audit, folds, augment }, ctx) {
    const f = unit.index;
    const { predicted, trainedOn } = foldRows(folds, f);
    const ds = audit.examples;
    const steps = cfg.steps ?? cfg.epochs * stepsPerEpoch(trainedOn.length, cfg.batchSize);
    // Work: one per training example-step and one per predicted row.
    const work = steps * cfg.batchSize + predicted.length;
    const streams = auditFoldStreams(cfg.seed, f);
    const model = buildModel(trainedModelSpec(cfg, ds), streams.init.uniform());
    try {
      const t0 = performance.now();
      const res = await trainModel(
        model,
        { train: ds, trainIndices: trainedOn, stats: data.stats },
        { ...cfg, steps, dataStream: streams.data, augment },
        {
          signal: ctx.signal,
          onStep: (s) => ctx.progress((s.step * cfg.batchSize) / work, { phase: 'train', message: `fold ${f + 1}/${cfg.folds}: training on ${trainedOn.length.toLocaleString('en-US')} rows`, step: s.step, totalSteps: steps, loss: s.loss }),
        },
      );
      const trainSeconds = (performance.now() - t0) / 1000;
      if (res.cancelled) return false;
      const probs = await predictProbabilities(model, ds, data.stats, predicted, {
        signal: ctx.signal,
        onBatch: (done) => ctx.progress((steps * cfg.batchSize + done) / work, { phase: 'score', message: `fold ${f + 1}/${cfg.folds}: predicting ${done}/${predicted.length}` }),
      });
      if (!probs) return false;
      writeColumn(ctx.outDir, 'probs', probs);
      const summary: FoldSummary = { fold: f, rows: predicted.length, trainedOn: trainedOn.length, steps, accuracy: accuracyOf(probs, Int32Array.from(predicted, (r) => ds.labels[r]), ds.numClasses), trainSeconds };
      writeJsonAtomic(path.join(ctx.outDir, 'summary.json'), summary);
      return true;
    } finally {
      model.dispose();
    }
  },

  merge(cfg, done, { audit, folds }, ctx) {
    const ds = audit.examples;
    const k = ds.numClasses;
    const n = audit.row.length;
    // The rows of the finished folds (all of them unless the run stopped early), in row order.
    const probsAll = new Float32Array(n * k);
    const covered = new Uint8Array(n);
    const summaries: FoldSummary[] = [];
    for (const d of done) {
      const { predicted } = foldRows(folds, d.unit.index);
      const p = readColumn(d.dir, 'probs', predicted.length * k);
      predicted.forEach((r, q) => {
        probsAll.set(p.subarray(q * k, (q + 1) * k), r * k);
        covered[r] = 1;
      });
      summaries.push(JSON.parse(fs.readFileSync(path.join(d.dir, 'summary.json'), 'utf8')) as FoldSummary);
    }
    const at = Int32Array.from(Array.from({ length: n }, (_, r) => r).filter((r) => covered[r]));
    const m = at.length;
    const probs = m === n ? probsAll : Float32Array.from({ length: m * k }, (_, i) => probsAll[at[Math.floor(i / k)] * k + (i % k)]);
    const labels = Int32Array.from(at, (r) => ds.labels[r]);
    const index = Int32Array.from(at, (r) => audit.row[r]);
    const split = Uint8Array.from(at, (r) => audit.split[r]);
    const corrupted = audit.corrupted ? Float32Array.from(at, (r) => audit.corrupted![r]) : undefined;
    const cl = confidentLearningReport(probs, labels, k, cfg.filter);

    const sources = ds.sources ? Array.from(at, (r) => ds.sources![r]) : undefined;
    const predictions = summarizePredictions(index, labels, [probs], k, sources);
    writePredictions(ctx.runDir, { ...predictions, split, outOfSample: true }, [probs], { outOfSample: true, source: 'audit' });
    // --backbone: each row's features, as a score run writes them (similarity search, duplicates, maps).
    if (ds.features) writeEmbeddings(ctx.runDir, ds.features, at);
    writeScoreTable(scoresDir(ctx.runDir), LABEL_QUALITY_TABLE, {
      name: LABEL_QUALITY_TABLE,
      index,
      label: labels,
      score: Float32Array.from(cl.selfConfidence),
      perRun: [],
      extra: {
        normalized_margin: Float32Array.from(cl.normalizedMargin),
        issue: Float32Array.from(cl.issues),
        split: Float32Array.from(split),
        fold: Float32Array.from(at, (r) => folds[r]),
        ...(corrupted ? { corrupted, original_label: Float32Array.from(at, (r) => audit.originalLabel[r]) } : {}),
      },
    }, { csv: cfg.csv });

    // Accuracy against the given labels over the rows `keep` selects (null when it selects none).
    const correct = (keep: (q: number) => boolean) => {
      let hits = 0;
      let total = 0;
      for (let q = 0; q < m; q++) {
        if (!keep(q)) continue;
        total++;
        if (predictions.predicted[q] === labels[q]) hits++;
      }
      return total ? hits / total : null;
    };
    const rowsTest = split.reduce((a, s) => a + (s === TEST_SPLIT ? 1 : 0), 0);
    const results = {
      folds: cfg.folds,
      foldsDone: done.length,
      complete: m === n,
      rows: m,
      trainRows: m - rowsTest,
      testRows: rowsTest,
      outOfFoldAccuracy: correct(() => true),
      outOfFoldAccuracyBySplit: { train: correct((q) => split[q] !== TEST_SPLIT), test: correct((q) => split[q] === TEST_SPLIT) },
      foldAccuracy: summaries.sort((a, b) => a.fold - b.fold).map((s) => ({ fold: s.fold, rows: s.rows, trainedOn: s.trainedOn, accuracy: s.accuracy })),
      filter: cl.filter,
      estimatedIssues: cl.estimatedIssues,
      flagged: cl.flagged,
      topNoiseRates: topNoiseRates(cl.noiseMatrix, 5),
      ...(corrupted ? { detection: auditDetection(cl, corrupted) } : {}),
      trainSeconds: summaries.reduce((a, s) => a + s.trainSeconds, 0),
    };
    writeJsonAtomic(path.join(ctx.runDir, 'analysis.json'), {
      ...results,
      confidentLearning: {
        labelCounts: cl.labelCounts,
        thresholds: cl.thresholds,
        confidentJoint: cl.confidentJoint,
        calibratedJoint: cl.calibratedJoint,
        noiseMatrix: cl.noiseMatrix,
        inverseNoiseMatrix: cl.inverseNoiseMatrix,
        truePrior: cl.truePrior,
      },
    });
    return results;
  },
};

/** Fraction of rows whose most probable class is their label. */
function accuracyOf(probs: Float32Array, labels: Int32Array, k: number): number {
  let correct = 0;
  for (let r = 0; r < labels.length; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[r * k + c] > probs[r * k + best]) best = c;
    if (best === labels[r]) correct++;
  }
  return labels.length ? correct / labels.length : NaN;
}

/**
 * How well the audit found the injected noise: the filter's flags scored against the corrupted rows, ranked by
 * each label-quality score (low quality = suspicious).
 */
function auditDetection(cl: ReturnType<typeof confidentLearningReport>, corrupted: Float32Array) {
  return {
    selfConfidence: detectionMetrics(cl.issues, cl.selfConfidence.map((v) => 1 - v), corrupted),
    normalizedMargin: detectionMetrics(cl.issues, cl.normalizedMargin.map((v) => 1 - v), corrupted),
  };
}

/** Cross-validated probabilities for every audited row, then confident learning; returns the run's manifest. */
export function runAudit(partial: JobInput<'audit'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  // Imported when called: the runner's registry imports this module.
  return import('../jobs/runner').then(({ runJob }) => runJob('audit', partial, ctx, opts));
}
