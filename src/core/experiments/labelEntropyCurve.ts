import type { EntropyParams } from '../../contract/jobParams';
import type { JobInput } from '../../contract/jobOptions';
import * as path from 'node:path';
import { topKLabelEntropy } from '../analysis/entropy';
import { RandomStream } from '../randomStreams';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import type { ScoreTable } from '../store/scoreFiles';
import type { JobContext } from './job';
import { definedOnly } from './definedOnly';
import type { Experiment } from '../jobs/experiment';
import { runJob, type StartOptions } from '../jobs/runner';
import { oneUnit, publishUnitFiles, readUnitResults, writeUnitResults } from '../jobs/singleUnit';
import { numClassesOf, openScoreRun, resolveKs, scoreTableOf } from './scoreRunRef';

export type LabelEntropyConfig = EntropyParams;

import { ENTROPY_DEFAULTS } from '../../contract/jobDefaults';

export { ENTROPY_DEFAULTS };

export interface LabelEntropyTable {
  readonly scoreRun: string;
  readonly examples: number;
  readonly numClasses: number;
  readonly ks: number[];
  /** ln K (nats): the entropy of equally frequent classes. */
  readonly uniform: number;
  /** Entropy of all scored examples' labels. */
  readonly dataset: number;
  readonly series: { score: string; entropy: number[] }[];
  /** Mean entropy of the top k of `randomDraws` random rankings. */
  readonly random: number[];
}

/** The table from scores and labels alone (pure). */
export function labelEntropyCurves(
  scores: readonly { name: string; values: ArrayLike<number> }[],
  labels: ArrayLike<number>,
  ks: readonly number[],
  opts: { numClasses: number; seed: number; randomDraws: number },
): Omit<LabelEntropyTable, 'scoreRun'> {
  const n = labels.length;
  const series = scores.map(({ name, values }) => ({ score: name, entropy: topKLabelEntropy(values, labels, ks, { numClasses: opts.numClasses }).entropy }));
  const root = RandomStream.root(opts.seed);
  const random = ks.map(() => 0);
  let uniform = Math.log(opts.numClasses);
  let dataset = NaN;
  for (let d = 0; d < opts.randomDraws; d++) {
    const rng = root.derive('entropy-baseline', { draw: d }).rng();
    const r = Float64Array.from({ length: n }, () => rng.next());
    const e = topKLabelEntropy(r, labels, ks, { numClasses: opts.numClasses });
    e.entropy.forEach((v, j) => (random[j] += v / opts.randomDraws));
    uniform = e.uniform;
    dataset = e.dataset;
  }
  if (opts.randomDraws === 0) dataset = topKLabelEntropy(new Float64Array(n), labels, [n], { numClasses: opts.numClasses }).dataset;
  return { examples: n, numClasses: opts.numClasses, ks: [...ks], uniform, dataset, series, random };
}

export function resolveEntropyConfig(input: JobInput<'entropy'>): LabelEntropyConfig {
  const cfg = { ...ENTROPY_DEFAULTS, ...definedOnly(input) } as LabelEntropyConfig;
  if (typeof cfg.scoresFrom !== 'string') throw new Error('entropy job needs "scoresFrom": the id or folder of a score run');
  if (!Number.isInteger(cfg.randomDraws) || cfg.randomDraws < 0) throw new RangeError(`randomDraws must be a non-negative integer, got ${cfg.randomDraws}`);
  return cfg;
}

interface EntropyState {
  readonly scoreRun: string;
  readonly tables: readonly ScoreTable[];
  readonly ks: number[];
  readonly numClasses: number;
}

const TABLE = 'label-entropy.json';

/** An analysis of a finished score run, as one work unit (it needs no compute backend). */
export const entropyExperiment: Experiment<LabelEntropyConfig, EntropyState, 'entropy'> = {
  job: 'entropy',
  resolve: (input) => resolveEntropyConfig(input),
  seeds: (cfg) => ({ root: cfg.seed }),
  plan: () => oneUnit('label entropy of the top k'),

  prepare(cfg, ctx) {
    const source = openScoreRun(ctx.root, cfg.scoresFrom);
    const names = cfg.scores?.length ? [...cfg.scores] : ((source.manifest.config.scores as string[] | undefined) ?? []);
    if (names.length === 0) throw new Error(`score run ${source.manifest.id} names no scores; pass the score tables to analyse`);
    ctx.report({ phase: 'load', message: `reading ${names.join(', ')} from score run ${source.manifest.id}`, fraction: 0 });
    const tables = names.map((name) => scoreTableOf(source, name));
    const labels = tables[0].label;
    for (const t of tables) {
      if (t.index.length !== labels.length || t.index.some((v, i) => v !== tables[0].index[i])) throw new Error(`score tables ${tables[0].name} and ${t.name} cover different examples`);
    }
    const ks = resolveKs(labels.length, cfg.ks);
    const state = { scoreRun: source.manifest.id, tables, ks, numClasses: numClassesOf(source, labels) };
    return Promise.resolve({ state, record: { dataset: source.manifest.dataset, config: { ...cfg, scores: names, ks } } });
  },

  runUnit(_unit, cfg, { scoreRun, tables, ks, numClasses }, ctx) {
    const table: LabelEntropyTable = {
      scoreRun,
      ...labelEntropyCurves(tables.map((t) => ({ name: t.name, values: t.score })), tables[0].label, ks, { numClasses, seed: cfg.seed, randomDraws: cfg.randomDraws }),
    };
    writeJsonAtomic(path.join(ctx.outDir, TABLE), table);
    writeUnitResults(ctx.outDir, { scoreRun: table.scoreRun, examples: table.examples, uniform: table.uniform, dataset: table.dataset });
    return Promise.resolve(true);
  },

  merge(_cfg, [unit], _st, ctx) {
    publishUnitFiles(unit, ctx.runDir, [TABLE]);
    ctx.report({ phase: 'save', message: `wrote ${TABLE}`, fraction: 1 });
    return readUnitResults(unit);
  },
};

export function runLabelEntropy(partial: JobInput<'entropy'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  return runJob('entropy', partial, ctx, opts);
}
