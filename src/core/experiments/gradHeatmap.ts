import type { GradHeatmapParams } from '../../contract/jobParams';
import type { JobInput } from '../../contract/jobOptions';
import * as path from 'node:path';
import { RandomStream } from '../randomStreams';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import { exampleGradNorms } from './exampleGradNorms';
import { loadTraining, type ExperimentData } from './experimentData';
import { EtaEstimator, type JobContext } from './job';
import { definedOnly } from './definedOnly';
import { probedModelRecord, probedTraining } from './probedTraining';
import { recordedStem } from './trainedModel';
import { trainingBackend, type Experiment } from '../jobs/experiment';
import { runJob, type StartOptions } from '../jobs/runner';
import { oneUnit, publishUnitFiles, readUnitResults, writeUnitResults } from '../jobs/singleUnit';

export type GradHeatmapConfig = GradHeatmapParams;

import { HEATMAP_DEFAULTS } from '../../contract/jobDefaults';

export { HEATMAP_DEFAULTS };

export interface GradHeatmapTable {
  /** Dataset indices of the sampled examples, one per row, ordered by their last measured norm, largest first. */
  readonly examples: number[];
  readonly labels: number[];
  /** 0 = initialization, then each finished epoch. */
  readonly epochs: number[];
  /** values[row][column]: gradient norm of examples[row] at epochs[column]. */
  readonly values: number[][];
  readonly testAccuracy: (number | null)[];
  readonly steps: number;
  readonly partial: boolean;
}

/**
 * Rows (examples) reordered by their value in the last column, largest first, ties by example id: the
 * examples that still carry large gradients at the end come first.
 */
export function orderRowsByLast(examples: readonly number[], columns: readonly Float32Array[]): number[] {
  const last = columns[columns.length - 1];
  return examples.map((_, i) => i).sort((a, b) => last[b] - last[a] || examples[a] - examples[b]);
}

/** The table from the per-epoch norm columns (pure). */
export function heatmapTable(examples: Int32Array, labels: Int32Array, epochs: number[], columns: Float32Array[], extra: Pick<GradHeatmapTable, 'testAccuracy' | 'steps' | 'partial'>): GradHeatmapTable {
  const ids = [...examples];
  const order = orderRowsByLast(ids, columns);
  return {
    examples: order.map((r) => ids[r]),
    labels: order.map((r) => labels[r]),
    epochs: [...epochs],
    values: order.map((r) => columns.map((col) => col[r])),
    ...extra,
  };
}

export function resolveHeatmapConfig(input: JobInput<'grad-heatmap'>): GradHeatmapConfig {
  const cfg = { ...HEATMAP_DEFAULTS, ...definedOnly(input) } as GradHeatmapConfig;
  if (typeof cfg.dataset !== 'string') throw new Error('grad-heatmap job needs "dataset": a dataset spec (e.g. "mnist")');
  if (!Number.isInteger(cfg.sample) || cfg.sample < 1) throw new RangeError(`sample must be a positive number of examples, got ${cfg.sample}`);
  return cfg;
}

interface HeatmapState {
  readonly data: ExperimentData;
  /** Dataset indices of the sampled examples, ascending, and their labels. */
  readonly sample: Int32Array;
  readonly labels: Int32Array;
  readonly steps: number;
}

const TABLE = 'grad-heatmap.json';

/**
 * One probed training as one work unit. The table as measured so far is rewritten in the run folder after every
 * epoch (partial), so a cancelled run keeps it; the finished table is the unit's, published by the merge.
 */
export const gradHeatmapExperiment: Experiment<GradHeatmapConfig, HeatmapState, 'grad-heatmap'> = {
  job: 'grad-heatmap',
  resolve: (input) => resolveHeatmapConfig(input),
  seeds: (cfg) => ({ root: cfg.seed, ...(cfg.sampleSeed !== undefined ? { sample: cfg.sampleSeed } : {}) }),
  backend: trainingBackend,
  plan: () => oneUnit('gradient-norm heatmap'),

  async prepare(cfg, ctx) {
    const { data, steps } = await loadTraining(cfg, ctx);
    const n = data.trainIndices.length;
    if (cfg.sample > n) throw new RangeError(`sample of ${cfg.sample} examples exceeds the ${n} trained examples`);
    const sample = RandomStream.root(cfg.sampleSeed ?? cfg.seed).derive('heatmap-sample').rng().shuffle(Int32Array.from(data.trainIndices)).slice(0, cfg.sample).sort();
    const labels = Int32Array.from(sample, (i) => data.train.labels[i]);
    return Promise.resolve({ state: { data, sample, labels, steps }, record: { dataset: data.record, model: probedModelRecord(cfg, data), config: { ...cfg, steps, stem: recordedStem(cfg, data.train) } } });
  },

  async runUnit(_unit, cfg, { data, sample, labels, steps }, ctx) {
    const epochs: number[] = [];
    const columns: Float32Array[] = [];
    const testAccuracy: (number | null)[] = [];
    const table = (partial: boolean) => heatmapTable(sample, labels, epochs, columns, { testAccuracy, steps, partial });
    const eta = new EtaEstimator();
    const res = await probedTraining(
      cfg,
      data,
      steps,
      (model, epoch, metrics) => {
        const t0 = performance.now();
        columns.push(exampleGradNorms(model, data.train, data.stats, sample, { chunk: cfg.scoreBatch, convMethod: cfg.convMethod, subset: cfg.subset }));
        epochs.push(epoch);
        testAccuracy.push(metrics?.test?.accuracy ?? null);
        writeJsonAtomic(path.join(ctx.runDir, TABLE), table(true));
        const acc = metrics?.test ? `, test accuracy ${(100 * metrics.test.accuracy).toFixed(2)}%` : '';
        ctx.progress((metrics?.step ?? 0) / steps, { phase: 'score', message: `epoch ${epoch}: gradient norms of ${cfg.sample} examples in ${((performance.now() - t0) / 1000).toFixed(1)} s${acc}` });
      },
      {
        signal: ctx.signal,
        onStep: (step, epoch, loss) => {
          const { etaSeconds } = eta.tick(step, steps);
          ctx.progress(step / steps, { phase: 'train', message: `epoch ${epoch}, step ${step}/${steps}`, step, totalSteps: steps, epoch, loss, etaSeconds });
        },
      },
    );
    if (res.cancelled) return false;
    const t = table(false);
    writeJsonAtomic(path.join(ctx.outDir, TABLE), t);
    writeUnitResults(ctx.outDir, { examples: t.examples.length, epochs: t.epochs.length, steps: res.stepsDone, testAccuracy: testAccuracy[testAccuracy.length - 1] ?? undefined });
    return true;
  },

  merge(_cfg, [unit], _st, ctx) {
    publishUnitFiles(unit, ctx.runDir, [TABLE]);
    return readUnitResults(unit);
  },
};

export function runGradHeatmap(partial: JobInput<'grad-heatmap'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  return runJob('grad-heatmap', partial, ctx, opts);
}
