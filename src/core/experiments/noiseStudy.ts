import type { NoiseStudyParams } from '../../contract/jobParams';
import type { JobInput } from '../../contract/jobOptions';
import * as path from 'node:path';
import { percentile } from '../analysis/percentiles';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import type { ScoreTable } from '../store/scoreFiles';
import type { JobContext } from './job';
import { definedOnly } from './definedOnly';
import type { Experiment } from '../jobs/experiment';
import { runJob, type StartOptions } from '../jobs/runner';
import { oneUnit, publishUnitFiles, readUnitResults, writeUnitResults } from '../jobs/singleUnit';
import { noiseDetection } from './scoreRun';
import { openScoreRun, scoreTableOf } from './scoreRunRef';

export type NoiseStudyConfig = NoiseStudyParams;

export interface GroupStats {
  readonly count: number;
  readonly mean: number;
  readonly median: number;
  readonly p16: number;
  readonly p84: number;
}

export interface NoiseStudyTable {
  readonly scoreRun: string;
  readonly labelNoise: number;
  readonly examples: number;
  readonly corrupted: number;
  readonly scores: {
    readonly score: string;
    readonly auroc: number;
    readonly averagePrecision: number;
    readonly precisionAt: Record<string, number>;
    readonly clean: GroupStats;
    readonly corruptedStats: GroupStats;
  }[];
}

/** Count, mean, median and 16th/84th percentiles of the values where `member[i] === want` (pure). */
export function groupStats(values: ArrayLike<number>, member: ArrayLike<number>, want: 0 | 1): GroupStats {
  const picked: number[] = [];
  for (let i = 0; i < values.length; i++) if ((member[i] ? 1 : 0) === want && Number.isFinite(values[i])) picked.push(values[i]);
  if (picked.length === 0) return { count: 0, mean: NaN, median: NaN, p16: NaN, p84: NaN };
  const sorted = Float64Array.from(picked).sort();
  return { count: picked.length, mean: picked.reduce((s, v) => s + v, 0) / picked.length, median: percentile(sorted, 0.5), p16: percentile(sorted, 0.16), p84: percentile(sorted, 0.84) };
}

export function resolveNoiseStudyConfig(input: JobInput<'noise-study'>): NoiseStudyConfig {
  const cfg = definedOnly(input) as NoiseStudyConfig;
  if (typeof cfg.scoresFrom !== 'string') throw new Error('noise-study job needs "scoresFrom": the id or folder of a score run made with label noise');
  return cfg;
}

interface NoiseStudyState {
  readonly scoreRun: string;
  readonly labelNoise: number;
  readonly tables: readonly ScoreTable[];
  readonly flags: Float32Array;
}

const TABLE = 'noise-study.json';

/** An analysis of a finished score run, as one work unit (it needs no compute backend). */
export const noiseStudyExperiment: Experiment<NoiseStudyConfig, NoiseStudyState, 'noise-study'> = {
  job: 'noise-study',
  resolve: (input) => resolveNoiseStudyConfig(input),
  seeds: () => ({}),
  plan: () => oneUnit('noise detection'),

  prepare(cfg, ctx) {
    const source = openScoreRun(ctx.root, cfg.scoresFrom);
    const labelNoise = Number(source.manifest.config.labelNoise ?? 0);
    if (!(labelNoise > 0)) throw new Error(`score run ${source.manifest.id} injected no label noise; score with --label-noise 0.1 (for example) to study noise detection`);
    const names = cfg.scores?.length ? [...cfg.scores] : ((source.manifest.config.scores as string[] | undefined) ?? []);
    if (names.length === 0) throw new Error(`score run ${source.manifest.id} names no scores; pass the score tables to analyse`);
    ctx.report({ phase: 'load', message: `reading ${names.join(', ')} from score run ${source.manifest.id}`, fraction: 0 });
    const tables = names.map((name) => scoreTableOf(source, name));
    const flags = tables[0].extra?.corrupted;
    if (!flags) throw new Error(`score table "${names[0]}" of run ${source.manifest.id} has no "corrupted" column`);
    return Promise.resolve({ state: { scoreRun: source.manifest.id, labelNoise, tables, flags }, record: { dataset: source.manifest.dataset, config: { ...cfg, scores: names } } });
  },

  runUnit(_unit, _cfg, { scoreRun, labelNoise, tables, flags }, ctx) {
    const detection = noiseDetection(tables.map((t) => ({ name: t.name, values: t.score })), flags);
    const table: NoiseStudyTable = {
      scoreRun,
      labelNoise,
      examples: flags.length,
      corrupted: flags.reduce((s, v) => s + v, 0),
      scores: tables.map((t) => ({ score: t.name, ...detection[t.name], clean: groupStats(t.score, flags, 0), corruptedStats: groupStats(t.score, flags, 1) })),
    };
    writeJsonAtomic(path.join(ctx.outDir, TABLE), table);
    writeUnitResults(ctx.outDir, { scoreRun, labelNoise, corrupted: table.corrupted, auroc: Object.fromEntries(table.scores.map((s) => [s.score, s.auroc])) });
    return Promise.resolve(true);
  },

  merge(_cfg, [unit], _st, ctx) {
    publishUnitFiles(unit, ctx.runDir, [TABLE]);
    return readUnitResults(unit);
  },
};

export function runNoiseStudy(cfg: JobInput<'noise-study'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  return runJob('noise-study', { ...cfg }, ctx, opts);
}
