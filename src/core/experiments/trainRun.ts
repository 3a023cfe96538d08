import type { TrainParams } from '../../contract/jobParams';
import type { JobInput } from '../../contract/jobOptions';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SEED_SCHEME } from '../randomStreams';
import { trainRunStreams } from './experimentStreams';
import { buildModel } from '../models/registry';
import { modelRecord, recordedStem, trainedModelSpec } from './trainedModel';
import type { Model } from '../models/model';
import { loadCheckpoint, saveCheckpoint } from '../store/checkpoint';
import { clearResumePoint, readResumePoint, saveResumePoint, type ResumePoint } from '../store/resumePoint';
import type { RunManifest } from '../store/runManifest';
import { METRICS, readRun, runsDir } from '../store/runStore';
import { writeFileAtomic } from '../store/atomicWrite';
import { stepsPerEpoch, trainModel } from '../train/trainLoop';
import { datasetConfusion } from '../train/confusionMatrix';
import { classLabels, CONFUSION, writeConfusion } from '../store/confusionFile';
import { augmentFor, dataOptionsOf, prepareData, type ExperimentData } from './experimentData';
import { reportWarnings, stepBudgetWarning } from './budgetWarnings';
import { assertFitsInMemory, loadedBytes } from './memoryEstimate';
import { EtaEstimator, type JobContext } from './job';
import { definedOnly } from './definedOnly';
import { trainingBackend, trainingSeeds, type Experiment } from '../jobs/experiment';
import { runJob, type StartOptions } from '../jobs/runner';
import { oneUnit, publishUnitFiles, readUnitResults, writeUnitResults } from '../jobs/singleUnit';

export type TrainRunConfig = TrainParams;

import { TRAIN_DEFAULTS } from '../../contract/jobDefaults';

export { TRAIN_DEFAULTS };

/** Defaults applied and checked: the parameters of a train run (resumedFrom included: unit processes need it). */
export function resolveTrainConfig(input: JobInput<'train'>): TrainRunConfig {
  const cfg = { ...TRAIN_DEFAULTS, ...definedOnly(input) } as TrainRunConfig;
  if (typeof cfg.dataset !== 'string') throw new Error('train job needs a "dataset" (e.g. "mnist")');
  return cfg;
}

interface TrainState {
  readonly data: ExperimentData;
  readonly steps: number;
  readonly augment: boolean;
}

/**
 * One training run as one work unit: data, model, training with per-epoch metrics (metrics.jsonl) and resume
 * points (resume.json) written to the run folder as it goes, the final weights in the unit's folder, published
 * as weights.json/.bin by the merge. A cancelled or failed run keeps everything up to its last epoch.
 */
export const trainExperiment: Experiment<TrainRunConfig, TrainState, 'train'> = {
  job: 'train',
  resolve: (input) => resolveTrainConfig(input),
  seeds: trainingSeeds,
  backend: trainingBackend,
  plan: () => oneUnit('training'),

  async prepare(cfg, ctx) {
    ctx.report({ phase: 'load', message: `loading ${cfg.dataset}`, fraction: 0 });
    const data = await prepareData({ ...dataOptionsOf(cfg, ctx), annotations: cfg.annotations });
    const steps = cfg.steps ?? cfg.epochs * stepsPerEpoch(data.trainIndices.length, cfg.batchSize);
    const augment = augmentFor(cfg.augment, data.train);
    reportWarnings(ctx.report, [...(data.info.warnings ?? []), stepBudgetWarning({ steps, examples: data.trainIndices.length, batchSize: cfg.batchSize })]);
    const model = buildModel(trainedModelSpec(cfg, data.train), trainRunStreams(cfg.seed, cfg.dataSeed).init.uniform());
    try {
      await assertFitsInMemory(model, { batchSize: cfg.batchSize, width: cfg.width, datasetBytes: loadedBytes(data) });
      return {
        state: { data, steps, augment },
        // Not resumedFrom: "rerun with the same configuration" must start over, not resume again (it is in results).
        record: { dataset: data.record, model: modelRecord(model), config: { ...cfg, resumedFrom: undefined, steps, augment, stem: recordedStem(cfg, data.train) } },
      };
    } finally {
      model.dispose();
    }
  },

  async runUnit(_unit, cfg, { data, steps, augment }, ctx) {
    const streams = trainRunStreams(cfg.seed, cfg.dataSeed);
    const model = buildModel(trainedModelSpec(cfg, data.train), streams.init.uniform());
    try {
      const { point, resumed } = startingPoint(model, cfg, ctx.root, ctx.runDir, steps);
      // Continuing at step t: the rest of the budget, on the same schedule; the data order after t is a fresh one.
      const offset = point?.step ?? 0;
      const epochOffset = point?.epoch ?? 0;
      if (point) ctx.progress(offset / steps, { phase: 'load', message: `continuing from the checkpoint at epoch ${point.epoch} (step ${point.step} of ${steps}): weights restored, schedule continued; momentum restarts` });
      const eta = new EtaEstimator();
      let trainSeconds = 0;
      let lastReport = 0;
      const result = await trainModel(
        model,
        { train: data.train, trainIndices: data.trainIndices, val: data.val, test: data.test, stats: data.stats },
        { ...cfg, steps: steps - offset, scheduleSteps: steps, scheduleOffset: offset, dataStream: offset ? streams.data.derive('resume', { step: offset }) : streams.data, augment },
        {
          signal: ctx.signal,
          onStep: (rel) => {
            const s = { ...rel, step: rel.step + offset, totalSteps: steps, epoch: rel.epoch + epochOffset };
            const { etaSeconds, secondsPerUnit: secondsPerStep } = eta.tick(rel.step, rel.totalSteps);
            const now = performance.now();
            if (now - lastReport < 200 && s.step !== s.totalSteps) return; // throttle: progress is for humans
            lastReport = now;
            ctx.progress(s.step / s.totalSteps, {
              phase: 'train',
              message: `epoch ${s.epoch}, step ${s.step}/${s.totalSteps}, loss ${s.loss.toFixed(4)}`,
              step: s.step,
              totalSteps: s.totalSteps,
              epoch: s.epoch,
              loss: s.loss,
              examplesPerSecond: cfg.batchSize / secondsPerStep,
              etaSeconds,
            });
          },
          onEpoch: async (rel) => {
            const m = { ...rel, epoch: rel.epoch + epochOffset, step: rel.step + offset };
            trainSeconds += m.trainSeconds;
            fs.appendFileSync(path.join(ctx.runDir, METRICS), JSON.stringify({ ...m, time: new Date().toISOString() }) + '\n');
            // Weights at each epoch end, so a killed run can be resumed (datadiet runs resume <id>).
            if (m.step < steps) await saveResumePoint(model, ctx.runDir, m.epoch, m.step);
            ctx.progress(m.step / steps, { phase: 'eval', message: `epoch ${m.epoch}: test accuracy ${(100 * (m.test?.accuracy ?? NaN)).toFixed(2)}%`, step: m.step, totalSteps: steps, epoch: m.epoch });
          },
        },
      );
      ctx.progress(1, { phase: 'save', message: 'saving weights' });
      // Cancelled: the weights reached go to the run folder, as before units; the resume point stays.
      const last = result.epochs[result.epochs.length - 1];
      const results = {
        steps: result.stepsDone + offset,
        epochs: result.epochs.length + epochOffset,
        testAccuracy: last?.test?.accuracy,
        testLoss: last?.test?.loss,
        valAccuracy: last?.val?.accuracy,
        ...(resumed ? { resumedFrom: cfg.resumedFrom } : {}),
        ...(point ? { resumedAtStep: point.step } : {}),
        trainExamplesPerSecond: trainSeconds > 0 ? result.epochs.reduce((s, e) => s + e.examplesPerSecond * e.trainSeconds, 0) / trainSeconds : undefined,
      };
      if (result.cancelled) {
        await saveCheckpoint(model, ctx.runDir, 'weights');
        return { stopped: `cancelled after ${result.stepsDone} of ${steps} steps; results are partial`, results, trainSeconds };
      }
      await saveCheckpoint(model, ctx.outDir, 'weights');
      if (data.test) {
        ctx.progress(1, { phase: 'eval', message: 'confusion matrix on the test split' });
        writeConfusion(ctx.outDir, { labels: classLabels(data.test.numClasses, data.test.classNames ?? data.train.classNames), matrix: await datasetConfusion(model, data.test, data.stats), split: 'test' });
      }
      writeUnitResults(ctx.outDir, results);
      return true;
    } finally {
      model.dispose();
    }
  },

  merge(_cfg, [unit], _st, ctx) {
    publishUnitFiles(unit, ctx.runDir, ['weights.bin', 'weights.json', ...(fs.existsSync(path.join(unit.dir, CONFUSION)) ? [CONFUSION] : [])]);
    // Finished: the final weights are what counts.
    clearResumePoint(ctx.runDir);
    return readUnitResults(unit);
  },
};

/**
 * One training run end to end: backend, data, model, training with per-epoch metrics, checkpoint. Writes the run
 * directory as it goes, so a cancelled or failed run keeps everything up to its last epoch, marked as such.
 */
export function runTraining(partial: JobInput<'train'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  return runJob('train', partial, ctx, opts);
}

/** A resume point of run folder `dir` this training can continue from; undefined: start over. */
function usablePoint(dir: string, steps: number): ResumePoint | undefined {
  const point = readResumePoint(dir);
  if (!point || point.step >= steps) return undefined;
  // Weights trained under another seed scheme saw another validation split and subset: start over instead.
  if ((readRun(dir).manifest?.seedScheme ?? 1) !== SEED_SCHEME) return undefined;
  return point;
}

/**
 * Where the unit starts, with `model` loaded to match: this run's own resume point (the unit rerun after a kill
 * or a cancel), else that of the run it resumes (`resumedFrom`), else the initialization. The metrics history is
 * the one of that point's run up to its epoch. `resumed`: the point of the resumed run, for the results.
 */
function startingPoint(model: Model, cfg: TrainRunConfig, root: string, runDir: string, steps: number): { point?: ResumePoint; resumed?: ResumePoint } {
  const resumed = cfg.resumedFrom ? usablePoint(path.join(runsDir(root), cfg.resumedFrom), steps) : undefined;
  const point = usablePoint(runDir, steps) ?? resumed;
  const metrics = path.join(runDir, METRICS);
  if (!point) {
    // Lines of an earlier attempt of this unit that stopped before its first resume point.
    fs.rmSync(metrics, { force: true });
    return {};
  }
  loadCheckpoint(model, point.dir, point.checkpoint);
  const from = path.join(point.dir, METRICS);
  const kept = fs.existsSync(from)
    ? fs
        .readFileSync(from, 'utf8')
        .split('\n')
        .filter((l) => {
          try {
            return (JSON.parse(l) as { epoch: number }).epoch <= point.epoch;
          } catch {
            return false; // blank or torn by the kill
          }
        })
    : [];
  if (kept.length) writeFileAtomic(metrics, kept.join('\n') + '\n');
  else fs.rmSync(metrics, { force: true });
  return { point, resumed };
}
