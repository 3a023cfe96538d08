import type { ScoreParams } from '../../contract/jobParams';
import type { JobInput } from '../../contract/jobOptions';
import * as tf from '@tensorflow/tfjs-core';
import { normalizeBatch } from '../data/normalize';
import { auroc, averagePrecision, precisionAtK } from '../analysis/auroc';
import { spearmanMatrix, stabilityCurve } from '../analysis/spearman';
import { buildModel } from '../models/registry';
import { modelRecord, recordedStem, trainedModelSpec } from './trainedModel';
import type { Model } from '../models/model';
import { scoreRunStreams } from './experimentStreams';
import { DataMapTracker } from '../scores/dataMaps';
import { el2nFromLogits } from '../scores/el2n';
import { ForgettingTracker } from '../scores/forgetting';
import { labelFreeScore2 } from '../scores/labelFree';
import { MarginTracker } from '../scores/margin';
import { perExampleGradNormsTensor } from '../scores/perExampleGrads';
import type { RunManifest } from '../store/runManifest';
import { writeNpy, writeScoreTable } from '../store/scoreFiles';
import { softmaxRows, summarizePredictions, writePredictions } from '../annotations/predictions';
import { stepsPerEpoch, trainModel } from '../train/trainLoop';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '../store/atomicWrite';
import { EMBEDDINGS_FILE, predictionsDir, writeEmbeddings } from '../annotations/predictions';
import { augmentFor, dataOptionsOf, prepareData, type ExperimentData } from './experimentData';
import { reportWarnings, stepBudgetWarning } from './budgetWarnings';
import { assertFitsInMemory, loadedBytes } from './memoryEstimate';
import type { JobContext } from './job';
import { definedOnly } from './definedOnly';
import { trainingBackend, type DoneUnit, type Experiment } from '../jobs/experiment';
import type { StartOptions } from '../jobs/runner';

import { SCORE_NAMES, type ScoreName } from '../../contract/choices';

// The scores and what each measures: src/contract/choices.ts.
export { SCORE_NAMES, type ScoreName };

const DYNAMICS: readonly ScoreName[] = ['forgetting', 'aum', 'confidence', 'variability', 'correctness'];

export type ScoreRunConfig = ScoreParams;

import { SCORE_DEFAULTS } from '../../contract/jobDefaults';
import { modelInputShape } from '../data/dataset';

export { SCORE_DEFAULTS };

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
  /** When given, collects each scored example's penultimate activations (N x D, D known from the first chunk). */
  embeddings?: EmbeddingSink,
): Promise<RunScores | undefined> {
  const scored = data.trainIndices;
  const n = scored.length;
  const k = data.train.numClasses;
  const [h, w, c] = modelInputShape(data.train);
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
      // With embeddings wanted, the one inference pass also hands out the classifier's input (read with the logits).
      const forward = async (name?: ScoreName): Promise<Float32Array> => {
        if (!embeddings) return timed(name, () => model.forward(x, { training: false }));
        const t0 = performance.now();
        const both = tf.tidy(() => model.forwardWithEmbedding(x, { training: false }));
        try {
          const [l, e] = await Promise.all([both.logits.data(), both.embedding.data()]);
          embeddings.add(start, e as Float32Array, both.embedding.shape[1]);
          return l as Float32Array;
        } finally {
          tf.dispose([both.logits, both.embedding]);
          if (name) seconds.set(name, (seconds.get(name) ?? 0) + (performance.now() - t0) / 1000);
        }
      };
      const getLogits = async (name?: ScoreName) => (logits ??= await forward(name));
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
      if (probs || embeddings) {
        const l = await getLogits();
        probs?.set(softmaxRows(l, k), start * k);
      }
    } finally {
      x.dispose();
    }
    onChunk(Math.min(n, start + cfg.scoreBatch));
  }
  return out;
}

/** Penultimate activations of the scored examples, gathered chunk by chunk (the dimension comes with the first). */
export class EmbeddingSink {
  private values: Float32Array | undefined;
  private d = 0;

  constructor(private readonly rows: number) {}

  add(startRow: number, chunk: Float32Array, dim: number): void {
    if (!this.values) {
      this.d = dim;
      this.values = new Float32Array(this.rows * dim);
    }
    if (dim !== this.d) throw new RangeError(`embedding dimension changed from ${this.d} to ${dim}`);
    this.values.set(chunk, startRow * dim);
  }

  /** The N x D matrix, or undefined when nothing was scored. */
  result(): { values: Float32Array; dim: number } | undefined {
    return this.values ? { values: this.values, dim: this.d } : undefined;
  }
}

/**
 * Whose embeddings a score run records in predictions/embeddings.npy: a --backbone run keeps the backbone's
 * features; otherwise run 0's penultimate activations (one trained model's space is coherent, a mean over
 * independently initialized runs is not: their features are in unrelated bases). A linear model has none of its
 * own (its classifier reads the input), so nothing is recorded and consumers fall back to pixels.
 */
export function recordsPenultimate(model: Model, data: ExperimentData, run: number): boolean {
  return run === 0 && !data.train.features && model.hasHiddenLayer;
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

/** Defaults applied and the combination checked; the parameters every unit of a score run reads. */
export function resolveScoreConfig(input: JobInput<'score'>): ScoreRunConfig {
  const cfg: ScoreRunConfig = { ...SCORE_DEFAULTS, ...definedOnly(input) } as ScoreRunConfig;
  if (typeof cfg.dataset !== 'string') throw new Error('score job needs a "dataset" (e.g. "mnist")');
  const unknown = cfg.scores.filter((s) => !(SCORE_NAMES as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown score ${unknown.join(', ')}; choose from ${SCORE_NAMES.join(', ')}`);
  if (!(Number.isInteger(cfg.runs) && cfg.runs >= 1)) throw new Error(`runs must be a positive integer, got ${cfg.runs}`);
  if (cfg.scoreEpoch > cfg.epochs) throw new Error(`score epoch ${cfg.scoreEpoch} is past the end of training (${cfg.epochs} epochs)`);
  const dynamics = cfg.scores.filter((s) => DYNAMICS.includes(s));
  if (dynamics.length && cfg.scoreEpoch === 0) throw new Error(`${dynamics.join(', ')} need training: use --epoch >= 1`);
  return cfg;
}

interface ScoreState {
  readonly data: ExperimentData;
  /** Training steps to the score epoch, and the schedule's full budget. */
  readonly steps: number;
  readonly scheduleSteps: number;
  readonly augment: boolean;
}

/** A unit's per-example columns, one little-endian float32 file each (`<name>.f32`) in its folder. */
export function writeColumn(dir: string, name: string, v: Float32Array): void {
  fs.writeFileSync(path.join(dir, `${name}.f32`), Buffer.from(v.buffer, v.byteOffset, v.byteLength));
}

export function readColumn(dir: string, name: string, length: number): Float32Array {
  const file = path.join(dir, `${name}.f32`);
  const buf = fs.readFileSync(file);
  if (buf.byteLength !== 4 * length) throw new Error(`${file}: ${buf.byteLength / 4} values where ${length} were expected; delete the unit's folder and resume`);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

interface ScoreUnitSummary {
  readonly seconds: Partial<Record<ScoreName, number>>;
  readonly trainSeconds: number;
  /** Columns of `embeddings.f32` (the unit recorded its model's penultimate activations). */
  readonly embeddingDim?: number;
}

const EMBEDDINGS_COLUMN = 'embeddings';

/**
 * Scores of every training example, averaged over K independently initialized and trained runs: unit k trains
 * run k to epoch t (from its own `score-run[run=k]` streams) and scores every trained example; the merge averages
 * the runs in order and writes one table per score with per-run columns.
 */
export const scoreExperiment: Experiment<ScoreRunConfig, ScoreState, 'score'> = {
  job: 'score',
  resolve: (input) => resolveScoreConfig(input),
  seeds: (cfg) => ({ root: cfg.seed, runs: cfg.runs, noiseDraw: cfg.noiseSeed }),
  backend: trainingBackend,
  plan: (cfg) => Array.from({ length: cfg.runs }, (_, k) => ({ index: k, key: `run-${k}`, label: `score run ${k + 1} of ${cfg.runs}` })),

  async prepare(cfg, ctx) {
    ctx.report({ phase: 'load', message: `loading ${cfg.dataset}`, fraction: 0 });
    const data = await prepareData({
      ...dataOptionsOf(cfg, ctx),
      labelNoise: cfg.labelNoise,
      noiseSeed: cfg.noiseSeed,
      noiseKind: cfg.noiseKind,
      annotations: cfg.annotations,
    });
    const perEpoch = stepsPerEpoch(data.trainIndices.length, cfg.batchSize);
    const scheduleSteps = cfg.steps ?? cfg.epochs * perEpoch;
    const steps = cfg.scoreEpoch * perEpoch;
    const augment = augmentFor(cfg.augment, data.train);
    // Scores taken at initialization (epoch 0) train nothing on purpose: no budget warning then.
    reportWarnings(ctx.report, [...(data.info.warnings ?? []), stepBudgetWarning({ steps, examples: data.trainIndices.length, batchSize: cfg.batchSize })]);
    const model = buildModel(trainedModelSpec(cfg, data.train), scoreRunStreams(cfg.seed, 0).init.uniform());
    try {
      const perExampleGradients = cfg.convMethod === 'direct' && cfg.scores.some((s) => s.startsWith('grand') || s === 'gradmag');
      await assertFitsInMemory(model, { batchSize: Math.max(cfg.batchSize, cfg.scoreBatch), width: cfg.width, datasetBytes: loadedBytes(data), perExampleGradients });
      return {
        state: { data, steps, scheduleSteps, augment },
        record: { dataset: data.record, config: { ...cfg, augment, steps, scheduleSteps, stem: recordedStem(cfg, data.train) }, model: modelRecord(model) },
      };
    } finally {
      model.dispose();
    }
  },

  async runUnit(unit, cfg, { data, steps, scheduleSteps, augment }, ctx) {
    const r = unit.index;
    const scored = data.trainIndices;
    const n = scored.length;
    const total = data.train.labels.length;
    const dynamics = cfg.scores.filter((s) => DYNAMICS.includes(s));
    const pointwise = cfg.scores.filter((s) => !DYNAMICS.includes(s));
    const pick = (v: Float32Array | Int32Array) => Float32Array.from(scored, (i) => v[i]);
    // Work: one per training example-step and one per scored example.
    const work = steps * cfg.batchSize + n;
    // Run k is its own training: its init and data order are independent of every other run's and of any
    // retraining's (a prune sweep draws from `retrain`, never from `score-run`).
    const streams = scoreRunStreams(cfg.seed, r);
    const model = buildModel(trainedModelSpec(cfg, data.train), streams.init.uniform());
    const seconds = new Map<ScoreName, number>();
    let trainSeconds = 0;
    try {
      const forgetting = dynamics.includes('forgetting') ? new ForgettingTracker(total) : undefined;
      const margin = dynamics.includes('aum') ? new MarginTracker(total, data.train.numClasses) : undefined;
      const maps = dynamics.some((d) => d === 'confidence' || d === 'variability' || d === 'correctness') ? new DataMapTracker(total, data.train.numClasses) : undefined;
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
            onStep: (s) => ctx.progress((s.step * cfg.batchSize) / work, { phase: 'train', message: `run ${r + 1}/${cfg.runs}: training to epoch ${cfg.scoreEpoch}`, step: s.step, totalSteps: steps, loss: s.loss }),
          },
        );
        trainSeconds = (performance.now() - t0) / 1000;
        if (res.cancelled) return false;
      }
      const probs = cfg.predictions ? new Float32Array(n * data.train.numClasses) : undefined;
      const embeddings = cfg.predictions && recordsPenultimate(model, data, r) ? new EmbeddingSink(n) : undefined;
      const columns = await chunkedPointwise(model, data, cfg, pointwise, seconds, (done) => {
        ctx.progress((steps * cfg.batchSize + done) / work, { phase: 'score', message: `run ${r + 1}/${cfg.runs}: scoring ${done}/${n}` });
      }, ctx.signal, probs, embeddings);
      if (!columns) return false;
      for (const [name, v] of columns) writeColumn(ctx.outDir, name, v);
      if (probs) writeColumn(ctx.outDir, 'probs', probs);
      const emb = embeddings?.result();
      if (emb) writeColumn(ctx.outDir, EMBEDDINGS_COLUMN, emb.values);
      if (forgetting) {
        const f = forgetting.result();
        writeColumn(ctx.outDir, 'forgetting', pick(f.counts));
        writeColumn(ctx.outDir, 'first_learned_epoch', pick(f.firstLearnedEpoch));
      }
      if (margin) writeColumn(ctx.outDir, 'aum', pick(margin.result()));
      if (maps) {
        const m = maps.result();
        for (const name of ['confidence', 'variability', 'correctness'] as const) if (cfg.scores.includes(name)) writeColumn(ctx.outDir, name, pick(m[name]));
      }
      const summary: ScoreUnitSummary = { seconds: Object.fromEntries(seconds), trainSeconds, ...(emb ? { embeddingDim: emb.dim } : {}) };
      writeJsonAtomic(path.join(ctx.outDir, 'summary.json'), summary);
      return true;
    } finally {
      model.dispose();
    }
  },

  merge(cfg, done, { data }, ctx) {
    const scored = data.trainIndices;
    const n = scored.length;
    const k = data.train.numClasses;
    const runsDone = done.length;
    const index = Int32Array.from(scored);
    const corrupted = data.corrupted ? Float32Array.from(scored, (i) => data.corrupted![i]) : undefined;
    const labels = Int32Array.from(scored, (i) => data.train.labels[i]);
    const summaries = done.map((d) => JSON.parse(fs.readFileSync(path.join(d.dir, 'summary.json'), 'utf8')) as ScoreUnitSummary);
    const means: { name: string; values: Float32Array }[] = [];
    const stability: Record<string, number[]> = {};
    for (const name of cfg.scores) {
      const runs = done.map((d) => readColumn(d.dir, name, n));
      const score = mean(runs);
      means.push({ name, values: score });
      stability[name] = stabilityCurve(runs);
      const firstLearned: Record<string, Float32Array> = name === 'forgetting' ? { first_learned_epoch: mean(done.map((d) => readColumn(d.dir, 'first_learned_epoch', n))) } : {};
      writeScoreTable(path.join(ctx.runDir, 'scores'), name, {
        name,
        index,
        label: labels,
        score,
        perRun: runs,
        extra: { ...firstLearned, ...(corrupted ? { corrupted, original_label: Float32Array.from(scored, (i) => data.cleanLabels[i]) } : {}) },
      }, { csv: cfg.csv });
    }
    const sources = data.train.sources ? Array.from(scored, (i) => data.train.sources![i]) : undefined;
    if (cfg.predictions) {
      const probs = done.map((d) => readColumn(d.dir, 'probs', n * k));
      writePredictions(ctx.runDir, summarizePredictions(index, labels, probs, k, sources), probs);
    }
    const embeddings = cfg.predictions ? mergeEmbeddings(ctx.runDir, data, done, summaries, n) : undefined;
    const seconds = new Map<string, number>();
    for (const s of summaries) for (const [name, v] of Object.entries(s.seconds)) seconds.set(name, (seconds.get(name) ?? 0) + (v ?? 0));
    const results = {
      runs: runsDone,
      examples: n,
      scoreEpoch: cfg.scoreEpoch,
      scores: cfg.scores,
      stability,
      correlations: means.length > 1 ? spearmanMatrix(means) : undefined,
      detection: corrupted ? noiseDetection(means, corrupted) : undefined,
      examplesPerSecond: Object.fromEntries([...seconds].map(([name, s]) => [name, (runsDone * n) / s])),
      trainSeconds: summaries.reduce((a, s) => a + s.trainSeconds, 0),
      ...(embeddings ? { embeddings } : {}),
    };
    writeJsonAtomic(path.join(ctx.runDir, 'analysis.json'), results);
    return results;
  },
};

/**
 * predictions/embeddings.npy, rows in the predictions table's order: the backbone's features, or the penultimate
 * activations recorded by run 0 (recordsPenultimate). What was written, for the run's results.
 */
function mergeEmbeddings(runDir: string, data: ExperimentData, done: readonly DoneUnit[], summaries: readonly ScoreUnitSummary[], n: number): { from: string; dim: number } | undefined {
  if (data.train.features) {
    writeEmbeddings(runDir, data.train.features, data.trainIndices);
    return { from: 'backbone', dim: data.train.features.dim };
  }
  const at = done.findIndex((d) => d.unit.index === 0);
  const dim = at >= 0 ? summaries[at].embeddingDim : undefined;
  if (dim === undefined) return undefined;
  const values = readColumn(done[at].dir, EMBEDDINGS_COLUMN, n * dim);
  writeNpy(path.join(predictionsDir(runDir), EMBEDDINGS_FILE), values, [n, dim]);
  return { from: 'run 0 penultimate layer', dim };
}

/** Trains K runs to epoch t, scores every training example, writes one table per score with per-run columns. */
export function runScores(partial: JobInput<'score'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  // Imported when called: the runner's registry imports this module.
  return import('../jobs/runner').then(({ runJob }) => runJob('score', partial, ctx, opts));
}
