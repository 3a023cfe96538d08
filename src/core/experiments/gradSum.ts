import type { GradSumParams } from '../../contract/jobParams';
import type { JobInput } from '../../contract/jobOptions';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readSync } from '../compute/read';
import { normalizeBatch } from '../data/normalize';
import type { Model } from '../models/model';
import { RandomStream } from '../randomStreams';
import { perExampleGradNorms, type ConvMethod } from '../scores/perExampleGrads';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import { crossEntropyCotangent } from './exampleGradNorms';
import { loadTraining, type ExperimentData } from './experimentData';
import { EtaEstimator, type JobContext } from './job';
import { definedOnly } from './definedOnly';
import { probedModelRecord, probedTraining } from './probedTraining';
import { recordedStem } from './trainedModel';
import { trainingBackend, type Experiment } from '../jobs/experiment';
import { runJob, type StartOptions } from '../jobs/runner';
import { oneUnit, publishUnitFiles, readUnitResults, writeUnitResults } from '../jobs/singleUnit';

/**
 * ||sum_i grad L_i|| vs sum_i ||grad L_i|| over random minibatches (Vodrahalli et al. 2018, Fig. 1 and eq. 6).
 * The triangle inequality makes the sum of per-example norms an upper bound of the minibatch gradient's norm;
 * the paper finds the two linearly correlated, which is its reason to rank examples by their own gradient norm.
 * A ratio near 1 means the examples' gradients point the same way; near 1/sqrt(B), nearly orthogonal.
 */
export interface MinibatchGradSum {
  /** ||sum_i grad_w L_i||_2 over all parameters. */
  readonly normOfSum: number;
  /** sum_i ||grad_w L_i||_2. */
  readonly sumOfNorms: number;
}

/**
 * Both quantities for one minibatch, batch norm in inference mode (examples do not interact, so the minibatch
 * gradient is exactly the sum of the per-example ones). The sum's gradient comes from one ordinary backward pass
 * of sum_i <f(x_i), c_i> with the cross-entropy cotangents c_i held constant; the per-example norms from
 * scores/perExampleGrads.ts.
 */
export function minibatchGradSum(model: Model, x: tf.Tensor4D, labels: Int32Array, convMethod: ConvMethod = 'auto'): MinibatchGradSum {
  return tf.tidy(() => {
    const cot = crossEntropyCotangent(model, x, labels);
    const vars = model.params.map((p) => p.variable);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(x, { training: false }), cot)) as tf.Scalar, vars);
    let sq = 0;
    for (const v of vars) sq += readSync(tf.sum(tf.square(grads[v.name])), 'the gradient-sum analysis')[0];
    const norms = perExampleGradNorms(model, x, cot, { norm: 'l2', subset: 'all', convMethod });
    let sumOfNorms = 0;
    for (const v of norms) sumOfNorms += v;
    return { normOfSum: Math.sqrt(sq), sumOfNorms };
  });
}

/** Pearson linear correlation; NaN when either side is constant or there are fewer than 2 points. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`pearson: lengths differ (${n} vs ${b.length})`);
  if (n < 2) return NaN;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

export type GradSumConfig = GradSumParams;

import { GRADSUM_DEFAULTS } from '../../contract/jobDefaults';
import { modelInputShape } from '../data/dataset';

export { GRADSUM_DEFAULTS };

export interface GradSumRow extends MinibatchGradSum {
  readonly epoch: number;
  readonly batch: number;
  /** normOfSum / sumOfNorms, in (0, 1]. */
  readonly ratio: number;
}

export interface GradSumTable {
  readonly batchSize: number;
  readonly rows: GradSumRow[];
  /** Per measured epoch: Pearson correlation of the two quantities over its minibatches, and the mean ratio. */
  readonly perEpoch: { epoch: number; pearson: number; meanRatio: number; testAccuracy: number | null }[];
  /** Pearson over all rows (epochs pooled, as the paper's scatter pools its minibatches). */
  readonly pearson: number;
  readonly steps: number;
  readonly partial: boolean;
}

export function gradSumSummary(rows: readonly GradSumRow[], accuracy: Map<number, number | null>): Pick<GradSumTable, 'perEpoch' | 'pearson'> {
  const epochs = [...new Set(rows.map((r) => r.epoch))].sort((a, b) => a - b);
  const perEpoch = epochs.map((epoch) => {
    const rs = rows.filter((r) => r.epoch === epoch);
    return {
      epoch,
      pearson: pearson(rs.map((r) => r.sumOfNorms), rs.map((r) => r.normOfSum)),
      meanRatio: rs.reduce((s, r) => s + r.ratio, 0) / rs.length,
      testAccuracy: accuracy.get(epoch) ?? null,
    };
  });
  return { perEpoch, pearson: pearson(rows.map((r) => r.sumOfNorms), rows.map((r) => r.normOfSum)) };
}

export function resolveGradSumConfig(input: JobInput<'grad-sum'>): GradSumConfig {
  const cfg = { ...GRADSUM_DEFAULTS, ...definedOnly(input) } as GradSumConfig;
  if (typeof cfg.dataset !== 'string') throw new Error('grad-sum job needs "dataset": a dataset spec (e.g. "mnist")');
  if (!Number.isInteger(cfg.batches) || cfg.batches < 1) throw new RangeError(`batches must be a positive integer, got ${cfg.batches}`);
  return cfg;
}

interface GradSumState {
  readonly data: ExperimentData;
  /** Examples per measured minibatch. */
  readonly bs: number;
  readonly steps: number;
}

const TABLE = 'grad-sum.json';

/**
 * One probed training as one work unit. The table as measured so far is rewritten in the run folder after every
 * epoch (partial), so a cancelled run keeps it; the finished table is the unit's, published by the merge.
 */
export const gradSumExperiment: Experiment<GradSumConfig, GradSumState, 'grad-sum'> = {
  job: 'grad-sum',
  resolve: (input) => resolveGradSumConfig(input),
  seeds: (cfg) => ({ root: cfg.seed }),
  backend: trainingBackend,
  plan: () => oneUnit('minibatch gradient sums'),

  async prepare(cfg, ctx) {
    const { data, steps } = await loadTraining(cfg, ctx);
    const n = data.trainIndices.length;
    const bs = cfg.gradBatchSize ?? cfg.batchSize;
    if (!Number.isInteger(bs) || bs < 1 || bs > n) throw new RangeError(`minibatch size must be in [1, ${n}] (the trained examples), got ${bs}`);
    return Promise.resolve({ state: { data, bs, steps }, record: { dataset: data.record, model: probedModelRecord(cfg, data), config: { ...cfg, gradBatchSize: bs, steps, stem: recordedStem(cfg, data.train) } } });
  },

  async runUnit(_unit, cfg, { data, bs, steps }, ctx) {
    const [h, w, c] = modelInputShape(data.train);
    const rows: GradSumRow[] = [];
    const accuracy = new Map<number, number | null>();
    const table = (partial: boolean): GradSumTable => ({ batchSize: bs, rows, ...gradSumSummary(rows, accuracy), steps, partial });
    const eta = new EtaEstimator();
    const res = await probedTraining(
      cfg,
      data,
      steps,
      (model, epoch, metrics) => {
        // The same minibatches at every epoch, so epochs differ only by the weights.
        const rng = RandomStream.root(cfg.seed).derive('gradsum-batches').rng();
        for (let b = 0; b < cfg.batches; b++) {
          const idx = rng.shuffle(Int32Array.from(data.trainIndices)).slice(0, bs);
          const labels = Int32Array.from(idx, (i) => data.train.labels[i]);
          const x = tf.tensor4d(normalizeBatch(data.train, idx, data.stats), [bs, h, w, c]);
          try {
            const m = minibatchGradSum(model, x, labels, cfg.convMethod);
            rows.push({ epoch, batch: b, ...m, ratio: m.normOfSum / m.sumOfNorms });
          } finally {
            x.dispose();
          }
        }
        accuracy.set(epoch, metrics?.test?.accuracy ?? null);
        const t = table(true);
        writeJsonAtomic(path.join(ctx.runDir, TABLE), t);
        const s = t.perEpoch.find((p) => p.epoch === epoch)!;
        ctx.progress((metrics?.step ?? 0) / steps, { phase: 'score', message: `epoch ${epoch}: ${cfg.batches} minibatches of ${bs}, Pearson ${s.pearson.toFixed(3)}, mean ratio ${s.meanRatio.toFixed(3)}` });
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
    writeUnitResults(ctx.outDir, { batchSize: bs, batches: cfg.batches, pearson: t.pearson, perEpoch: t.perEpoch });
    return true;
  },

  merge(_cfg, [unit], _st, ctx) {
    publishUnitFiles(unit, ctx.runDir, [TABLE]);
    return readUnitResults(unit);
  },
};

export function runGradSum(partial: JobInput<'grad-sum'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  return runJob('grad-sum', partial, ctx, opts);
}
