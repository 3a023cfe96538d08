import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../compute/backend';
import { normalizeBatch } from '../data/normalize';
import { auroc, averagePrecision, precisionAtK } from '../analysis/auroc';
import { spearmanMatrix, stabilityCurve } from '../analysis/spearman';
import { buildModel } from '../models/registry';
import type { Model } from '../models/model';
import { scoreRunStreams } from './experimentStreams';
import { DataMapTracker } from '../scores/dataMaps';
import { el2nFromLogits } from '../scores/el2n';
import { ForgettingTracker } from '../scores/forgetting';
import { labelFreeScore2 } from '../scores/labelFree';
import { MarginTracker } from '../scores/margin';
import { perExampleGradNormsTensor, type ConvMethod, type NormKind, type ParamSubset } from '../scores/perExampleGrads';
import type { RunManifest } from '../store/runManifest';
import { createRun } from '../store/runStore';
import { writeScoreTable } from '../store/scoreFiles';
import { softmaxRows, summarizePredictions, writePredictions } from '../annotations/predictions';
import { stepsPerEpoch, trainModel } from '../train/trainLoop';
import { versions } from '../versions';
import * as path from 'node:path';
import { writeJsonAtomic } from '../store/atomicWrite';
import { prepareData, type ExperimentData } from './experimentData';
import { assertFitsInMemory, loadedBytes } from './memoryEstimate';
import { EtaEstimator, type JobContext } from './job';
import { TRAIN_DEFAULTS, type TrainRunConfig } from './trainRun';

/**
 * Scores of every training example, averaged over K independently initialized and trained runs.
 *   el2n           ||softmax(f(x)) - onehot(y)||_2 at epoch t (batch norm in inference mode)
 *   grand          exact ||grad_w loss(x, y)||_2 over all parameters at epoch t (t = 0: initialization)
 *   grand-last     the same over the classifier's weights only (closed form, cheap) — a labelled approximation
 *   gradmag        gradient magnitude with a chosen norm (l1, l2, linf) and parameter subset (--norm, --subset)
 *   label-free-1/2/3  label-independent variants (Data Diet appendix D)
 *   forgetting     forgetting events over epochs 1..t (never-learned examples score highest)
 *   aum            area under the margin over epochs 1..t
 *   confidence / variability / correctness   data-map statistics over epochs 1..t
 */
export const SCORE_NAMES = [
  'el2n',
  'grand',
  'grand-last',
  'gradmag',
  'label-free-1',
  'label-free-2',
  'label-free-3',
  'forgetting',
  'aum',
  'confidence',
  'variability',
  'correctness',
] as const;
export type ScoreName = (typeof SCORE_NAMES)[number];

const DYNAMICS: readonly ScoreName[] = ['forgetting', 'aum', 'confidence', 'variability', 'correctness'];

export interface ScoreRunConfig extends TrainRunConfig {
  readonly scores: readonly ScoreName[];
  /** Epoch t at which pointwise scores are taken (0 = initialization). Dynamics scores cover epochs 1..t. */
  readonly scoreEpoch: number;
  /** K independent runs (the `score-run[run=k]` streams of the root seed). */
  readonly runs: number;
  /** gradmag options. */
  readonly norm: NormKind;
  readonly subset: ParamSubset;
  readonly convMethod: ConvMethod;
  /** Examples per per-example-gradient chunk (memory bound). */
  readonly scoreBatch: number;
  /** Also write CSV next to Parquet and .npy. */
  readonly csv: boolean;
  /** Inject label noise into this fraction of the trained examples (noise study); 0 = none. */
  readonly labelNoise: number;
  readonly noiseSeed: number;
}

export const SCORE_DEFAULTS: Omit<ScoreRunConfig, 'dataset'> = {
  ...TRAIN_DEFAULTS,
  // Scores cover the whole training split, as in the papers: no validation hold-out by default.
  validation: 0,
  epochs: 2,
  scores: ['el2n', 'grand'],
  scoreEpoch: 1,
  runs: 2,
  norm: 'l2',
  subset: 'all',
  convMethod: 'auto',
  scoreBatch: 256,
  csv: false,
  labelNoise: 0,
  noiseSeed: 0,
};

/** Per-example values of one run for one score, one per scored example (the trained indices, ascending). */
type RunScores = Map<ScoreName, Float32Array>;

async function chunkedPointwise(
  model: Model,
  data: ExperimentData,
  cfg: ScoreRunConfig,
  wanted: readonly ScoreName[],
  seconds: Map<ScoreName, number>,
  onChunk: (done: number) => void,
  signal?: AbortSignal,
  /** When given (N x K), filled with each scored example's softmax (for suspects: annotations/predictions.ts). */
  probs?: Float32Array,
): Promise<RunScores | undefined> {
  const scored = data.trainIndices;
  const n = scored.length;
  const k = data.train.numClasses;
  const [h, w, c] = data.train.shape;
  const out: RunScores = new Map(wanted.map((s) => [s, new Float32Array(n)]));
  // Every score is computed as a tensor and read back asynchronously (the webgpu backend has no synchronous read
  // in Node: compute/read.ts); its time includes the read.
  const timed = async (name: ScoreName | undefined, make: () => tf.Tensor): Promise<Float32Array> => {
    const t0 = performance.now();
    const t = tf.tidy(make);
    try {
      return (await t.data()) as Float32Array;
    } finally {
      t.dispose();
      if (name) seconds.set(name, (seconds.get(name) ?? 0) + (performance.now() - t0) / 1000);
    }
  };
  for (let start = 0; start < n; start += cfg.scoreBatch) {
    if (signal?.aborted) return undefined;
    const idx = scored.subarray(start, Math.min(n, start + cfg.scoreBatch));
    const labels = Int32Array.from(idx, (i) => data.train.labels[i]);
    const x = tf.tensor4d(normalizeBatch(data.train, idx, data.stats), [idx.length, h, w, c]);
    try {
      let logits: Float32Array | undefined;
      const getLogits = async (name?: ScoreName) => (logits ??= await timed(name, () => model.forward(x, { training: false })));
      const grandCot = () => tf.sub(tf.softmax(tf.tensor2d(logits!, [idx.length, k])), tf.oneHot(tf.tensor1d(labels, 'int32'), k)) as tf.Tensor2D;
      for (const name of wanted) {
        const dst = out.get(name)!;
        let v: Float32Array;
        switch (name) {
          case 'el2n':
            v = el2nFromLogits(await getLogits(name), labels, k);
            break;
          case 'label-free-2':
            v = labelFreeScore2(await getLogits(name), k);
            break;
          case 'grand':
            await getLogits(name);
            v = await timed(name, () => perExampleGradNormsTensor(model, x, grandCot(), { norm: 'l2', subset: 'all', convMethod: cfg.convMethod }));
            break;
          case 'grand-last':
            await getLogits(name);
            v = await timed(name, () => perExampleGradNormsTensor(model, x, grandCot(), { norm: 'l2', subset: 'last-layer' }));
            break;
          case 'gradmag':
            await getLogits(name);
            v = await timed(name, () => perExampleGradNormsTensor(model, x, grandCot(), { norm: cfg.norm, subset: cfg.subset, convMethod: cfg.convMethod }));
            break;
          case 'label-free-1':
            // ||sum_k grad f_k(x)||: the gradient of the summed logits.
            v = await timed(name, () => perExampleGradNormsTensor(model, x, tf.ones([idx.length, k]) as tf.Tensor2D, { convMethod: cfg.convMethod }));
            break;
          case 'label-free-3':
            // sum_k ||grad f_k(x)||^2: one backward pass per class.
            v = await timed(name, () => {
              let acc: tf.Tensor1D | undefined;
              for (let cls = 0; cls < k; cls++) {
                const e = tf.oneHot(tf.fill([idx.length], cls, 'int32') as tf.Tensor1D, k) as tf.Tensor2D;
                const sq = tf.square(perExampleGradNormsTensor(model, x, e, { convMethod: cfg.convMethod })) as tf.Tensor1D;
                acc = acc ? (tf.add(acc, sq) as tf.Tensor1D) : sq;
              }
              return acc!;
            });
            break;
          default:
            throw new Error(`${name} is not a pointwise score`);
        }
        dst.set(v, start);
      }
      if (probs) probs.set(softmaxRows(await getLogits(), k), start * k);
    } finally {
      x.dispose();
    }
    onChunk(Math.min(n, start + cfg.scoreBatch));
  }
  return out;
}

/**
 * How well each score finds the corrupted labels (higher score = more suspicious). AUM is the one score where
 * low means suspicious, so it is negated.
 */
export function noiseDetection(means: { name: string; values: Float32Array }[], corrupted: Float32Array): Record<string, { auroc: number; averagePrecision: number; precisionAt: Record<string, number> }> {
  const positives = corrupted.reduce((s, v) => s + v, 0);
  const ks = [100, 500, 1000, positives].filter((k, i, a) => k > 0 && k <= corrupted.length && a.indexOf(k) === i);
  return Object.fromEntries(
    means.map(({ name, values }) => {
      const s = name === 'aum' || name === 'confidence' || name === 'correctness' ? values.map((v) => -v) : values;
      return [name, { auroc: auroc(s, corrupted), averagePrecision: averagePrecision(s, corrupted), precisionAt: Object.fromEntries(ks.map((k) => [String(k), precisionAtK(s, corrupted, k)])) }];
    }),
  );
}

function mean(perRun: Float32Array[]): Float32Array {
  const n = perRun[0].length;
  const out = new Float32Array(n);
  for (const r of perRun) for (let i = 0; i < n; i++) out[i] += r[i] / perRun.length;
  return out;
}

/** Trains K runs to epoch t, scores every training example, writes one table per score with per-run columns. */
export async function runScores(partial: Partial<ScoreRunConfig> & { dataset: string }, ctx: JobContext): Promise<RunManifest> {
  const cfg: ScoreRunConfig = { ...SCORE_DEFAULTS, ...partial };
  const unknown = cfg.scores.filter((s) => !(SCORE_NAMES as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown score ${unknown.join(', ')}; choose from ${SCORE_NAMES.join(', ')}`);
  if (cfg.scoreEpoch > cfg.epochs) throw new Error(`score epoch ${cfg.scoreEpoch} is past the end of training (${cfg.epochs} epochs)`);
  const dynamics = cfg.scores.filter((s) => DYNAMICS.includes(s));
  if (dynamics.length && cfg.scoreEpoch === 0) throw new Error(`${dynamics.join(', ')} need training: use --epoch >= 1`);
  const pointwise = cfg.scores.filter((s) => !DYNAMICS.includes(s));
  const report = ctx.onProgress ?? (() => {});
  const run = createRun(ctx.root, {
    kind: 'score',
    config: { ...cfg },
    seeds: { root: cfg.seed, runs: cfg.runs, noiseDraw: cfg.noiseSeed },
    versions: versions(),
  });
  const base = { runId: run.id, runDir: run.dir };
  try {
    report({ ...base, phase: 'backend', message: 'choosing a compute backend', fraction: 0 });
    const backend = await initBackend(cfg.backend, { threads: cfg.threads });
    run.update({ backend });
    report({ ...base, phase: 'load', message: `loading ${cfg.dataset}`, fraction: 0 });
    const data = prepareData({
      dataset: cfg.dataset,
      validation: cfg.validation,
      seed: cfg.seed,
      trainSubset: cfg.trainSubset,
      labelNoise: cfg.labelNoise,
      noiseSeed: cfg.noiseSeed,
      annotations: cfg.annotations,
    });
    // Scored examples are the ones trained on (all of the train split unless validation or a subset is asked for).
    const scored = data.trainIndices;
    const n = scored.length;
    const total = data.train.labels.length;
    const pick = (v: Float32Array | Int32Array) => Float32Array.from(scored, (i) => v[i]);
    const perEpoch = stepsPerEpoch(data.trainIndices.length, cfg.batchSize);
    const scheduleSteps = cfg.steps ?? cfg.epochs * perEpoch;
    const steps = cfg.scoreEpoch * perEpoch;
    const augment = cfg.augment === 'auto' ? data.train.shape[2] === 3 : cfg.augment;
    run.update({ dataset: data.record, config: { ...cfg, augment, steps, scheduleSteps } });

    const perRun = new Map<ScoreName, Float32Array[]>(cfg.scores.map((s) => [s, []]));
    const firstLearned: Float32Array[] = [];
    const perRunProbs: Float32Array[] = [];
    const seconds = new Map<ScoreName, number>();
    // Work units: one per training example-step and one per scored example.
    const runWork = steps * cfg.batchSize + n;
    const totalWork = cfg.runs * runWork;
    const eta = new EtaEstimator();
    let trainSeconds = 0;
    for (let r = 0; r < cfg.runs; r++) {
      // Run k is its own training: its init and data order are independent of every other run's and of any
      // retraining's (a prune sweep draws from `retrain`, never from `score-run`).
      const streams = scoreRunStreams(cfg.seed, r);
      const model = buildModel({ arch: cfg.model, width: cfg.width, inputShape: data.train.shape, numClasses: data.train.numClasses }, streams.init.uniform());
      if (r === 0) run.update({ model: { arch: cfg.model, width: cfg.width, params: model.numParams() } });
      const perExampleGradients = cfg.convMethod === 'direct' && cfg.scores.some((s) => s.startsWith('grand') || s === 'gradmag');
      if (r === 0) await assertFitsInMemory(model, { batchSize: Math.max(cfg.batchSize, cfg.scoreBatch), width: cfg.width, datasetBytes: loadedBytes(data), perExampleGradients });
      try {
        const forgetting = dynamics.includes('forgetting') ? new ForgettingTracker(total) : undefined;
        const margin = dynamics.includes('aum') ? new MarginTracker(total, data.train.numClasses) : undefined;
        const maps = dynamics.some((d) => d === 'confidence' || d === 'variability' || d === 'correctness') ? new DataMapTracker(total, data.train.numClasses) : undefined;
        const workBefore = r * runWork;
        if (steps > 0) {
          const t0 = performance.now();
          const res = await trainModel(
            model,
            { train: data.train, trainIndices: data.trainIndices, stats: data.stats },
            { ...cfg, steps, scheduleSteps, dataStream: streams.data, augment },
            {
              signal: ctx.signal,
              onBatch: (b) => {
                forgetting?.update(b.indices, Uint8Array.from(b.predicted, (p, i) => (p === b.labels[i] ? 1 : 0)), b.epoch);
                margin?.update(b.indices, b.logits, b.labels);
                maps?.update(b.indices, b.logits, b.labels);
              },
              onStep: (s) => {
                const done = workBefore + s.step * cfg.batchSize;
                const { etaSeconds } = eta.tick(done, totalWork);
                report({ ...base, phase: 'train', message: `run ${r + 1}/${cfg.runs}: training to epoch ${cfg.scoreEpoch}`, fraction: done / totalWork, step: s.step, totalSteps: steps, loss: s.loss, etaSeconds });
              },
            },
          );
          trainSeconds += (performance.now() - t0) / 1000;
          if (res.cancelled) break;
        }
        const probs = new Float32Array(n * data.train.numClasses);
        const scored = await chunkedPointwise(model, data, cfg, pointwise, seconds, (done) => {
          const at = workBefore + steps * cfg.batchSize + done;
          const { etaSeconds } = eta.tick(at, totalWork);
          report({ ...base, phase: 'score', message: `run ${r + 1}/${cfg.runs}: scoring ${done}/${n}`, fraction: at / totalWork, etaSeconds });
        }, ctx.signal, probs);
        if (!scored) break;
        perRunProbs.push(probs);
        for (const [name, v] of scored) perRun.get(name)!.push(v);
        if (forgetting) {
          const f = forgetting.result();
          perRun.get('forgetting')!.push(pick(f.counts));
          firstLearned.push(pick(f.firstLearnedEpoch));
        }
        if (margin) perRun.get('aum')?.push(pick(margin.result()));
        if (maps) {
          const m = maps.result();
          perRun.get('confidence')?.push(pick(m.confidence));
          perRun.get('variability')?.push(pick(m.variability));
          perRun.get('correctness')?.push(pick(m.correctness));
        }
      } finally {
        model.dispose();
      }
    }

    const runsDone = perRun.get(cfg.scores[0])!.length;
    report({ ...base, phase: 'save', message: `writing ${cfg.scores.length} score tables`, fraction: 1 });
    const index = Int32Array.from(scored);
    const corrupted = data.corrupted ? Float32Array.from(scored, (i) => data.corrupted![i]) : undefined;
    const labels = Int32Array.from(scored, (i) => data.train.labels[i]);
    const means: { name: string; values: Float32Array }[] = [];
    const stability: Record<string, number[]> = {};
    if (runsDone > 0) {
      for (const name of cfg.scores) {
        const runs = perRun.get(name)!.filter((_, i) => i < runsDone);
        const score = mean(runs);
        means.push({ name, values: score });
        stability[name] = stabilityCurve(runs);
        writeScoreTable(path.join(run.dir, 'scores'), name, {
          name,
          index,
          label: labels,
          score,
          perRun: runs,
          extra: {
            ...(name === 'forgetting' && firstLearned.length ? { first_learned_epoch: mean(firstLearned.slice(0, runsDone)) } : {}),
            ...(corrupted ? { corrupted, original_label: Float32Array.from(scored, (i) => data.cleanLabels[i]) } : {}),
          },
        }, { csv: cfg.csv });
      }
    }
    if (runsDone > 0) {
      const sources = data.train.sources ? Array.from(scored, (i) => data.train.sources![i]) : undefined;
      const probs = perRunProbs.slice(0, runsDone);
      writePredictions(run.dir, summarizePredictions(index, labels, probs, data.train.numClasses, sources), probs);
    }
    const correlations = means.length > 1 ? spearmanMatrix(means) : undefined;
    const detection = corrupted ? noiseDetection(means, corrupted) : undefined;
    const throughput = Object.fromEntries([...seconds].map(([name, s]) => [name, (runsDone * n) / s]));
    const results = {
      runs: runsDone,
      examples: n,
      scoreEpoch: cfg.scoreEpoch,
      scores: cfg.scores,
      stability,
      correlations,
      detection,
      examplesPerSecond: throughput,
      trainSeconds,
    };
    writeJsonAtomic(path.join(run.dir, 'analysis.json'), results);
    if (runsDone < cfg.runs) {
      return run.finish('cancelled', { error: `cancelled after ${runsDone} of ${cfg.runs} runs; scores average the finished runs`, results: { ...results, partial: true } });
    }
    return run.finish('done', { results });
  } catch (e) {
    run.finish('failed', { error: (e as Error).message ?? String(e) });
    throw e;
  }
}
