import type { OverlapParams } from '../../contract/jobParams';
import type { JobInput } from '../../contract/jobOptions';
import * as path from 'node:path';
import { topKOverlap } from '../analysis/overlap';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import type { ScoreTable } from '../store/scoreFiles';
import type { JobContext } from './job';
import { definedOnly } from './definedOnly';
import type { Experiment } from '../jobs/experiment';
import { runJob, type StartOptions } from '../jobs/runner';
import { oneUnit, publishUnitFiles, readUnitResults, writeUnitResults } from '../jobs/singleUnit';
import { openScoreRun, resolveKs, scoreTableOf } from './scoreRunRef';

export type TopKOverlapConfig = OverlapParams;

export interface TopKOverlapTable {
  readonly examples: number;
  readonly ks: number[];
  /** k / N. */
  readonly baseline: number[];
  readonly series: { name: string; overlap: number[] }[];
  readonly mode: 'runs' | 'runs-of-two';
}

/** Every pair (i < j) of per-run columns of one table (pure). */
export function perRunOverlaps(table: Pick<ScoreTable, 'perRun'>, ks: readonly number[]): { name: string; overlap: number[] }[] {
  const runs = table.perRun;
  const out: { name: string; overlap: number[] }[] = [];
  for (let i = 0; i < runs.length; i++) for (let j = i + 1; j < runs.length; j++) out.push({ name: `run ${i} vs run ${j}`, overlap: topKOverlap(runs[i], runs[j], ks).overlap });
  return out;
}

/** Scores of table b in table a's row order; both must cover the same examples. */
export function alignScores(a: Pick<ScoreTable, 'index' | 'name'>, b: Pick<ScoreTable, 'index' | 'score' | 'name'>): Float32Array {
  if (a.index.length !== b.index.length) throw new Error(`"${a.name}" scores ${a.index.length} examples but "${b.name}" scores ${b.index.length}; score the same examples (same dataset, --subset and --validation)`);
  const row = new Map<number, number>();
  b.index.forEach((idx, r) => row.set(idx, r));
  return Float32Array.from(a.index, (idx) => {
    const r = row.get(idx);
    if (r === undefined) throw new Error(`example ${idx} is scored in "${a.name}" but not in "${b.name}"; score the same examples`);
    return b.score[r];
  });
}

export function resolveOverlapConfig(input: JobInput<'overlap'>): TopKOverlapConfig {
  const cfg = definedOnly(input) as TopKOverlapConfig;
  if (typeof cfg.scoresFrom !== 'string') throw new Error('overlap job needs "scoresFrom": the id or folder of a score run');
  return cfg;
}

interface OverlapState {
  readonly a: ScoreTable;
  readonly ks: number[];
  /** Two rankings: the second one's scores in a's row order, and the series name. */
  readonly pair?: { readonly scores: Float32Array; readonly name: string };
}

const TABLE = 'topk-overlap.json';

/** An analysis of finished score runs, as one work unit (it needs no compute backend). */
export const overlapExperiment: Experiment<TopKOverlapConfig, OverlapState, 'overlap'> = {
  job: 'overlap',
  resolve: (input) => resolveOverlapConfig(input),
  seeds: () => ({}),
  plan: () => oneUnit('top-k overlap'),

  prepare(cfg, ctx) {
    const first = openScoreRun(ctx.root, cfg.scoresFrom);
    const score = cfg.score ?? (first.manifest.config.scores as string[] | undefined)?.[0] ?? 'el2n';
    const pairMode = cfg.against !== undefined || cfg.againstScore !== undefined;
    const second = cfg.against !== undefined ? openScoreRun(ctx.root, cfg.against) : first;
    const againstScore = cfg.againstScore ?? score;
    if (pairMode && first.manifest.dataset && second.manifest.dataset && first.manifest.dataset.fingerprint !== second.manifest.dataset.fingerprint) {
      throw new Error(`score runs ${first.manifest.id} and ${second.manifest.id} scored different datasets`);
    }
    ctx.report({ phase: 'load', message: `reading ${score} from score run ${first.manifest.id}`, fraction: 0 });
    const a = scoreTableOf(first, score);
    const ks = resolveKs(a.index.length, cfg.ks);
    let pair: OverlapState['pair'];
    if (pairMode) {
      const b = scoreTableOf(second, againstScore);
      pair = { scores: alignScores(a, b), name: second === first ? `${score} vs ${againstScore}` : `${first.manifest.id} ${score} vs ${second.manifest.id} ${againstScore}` };
    } else if (a.perRun.length < 2) {
      throw new Error(`score run ${first.manifest.id} kept ${a.perRun.length} run of "${score}"; score with --runs 2 or more, or compare two score runs (--against <run>)`);
    }
    return Promise.resolve({ state: { a, ks, pair }, record: { dataset: first.manifest.dataset, config: { ...cfg, score, ...(pairMode ? { againstScore } : {}), ks } } });
  },

  runUnit(_unit, _cfg, { a, ks, pair }, ctx) {
    const series = pair ? [{ name: pair.name, overlap: topKOverlap(a.score, pair.scores, ks).overlap }] : perRunOverlaps(a, ks);
    const table: TopKOverlapTable = { examples: a.index.length, ks, baseline: ks.map((k) => k / a.index.length), series, mode: pair ? 'runs-of-two' : 'runs' };
    writeJsonAtomic(path.join(ctx.outDir, TABLE), table);
    writeUnitResults(ctx.outDir, { examples: table.examples, series: series.map((s) => s.name) });
    return Promise.resolve(true);
  },

  merge(_cfg, [unit], _st, ctx) {
    publishUnitFiles(unit, ctx.runDir, [TABLE]);
    ctx.report({ phase: 'save', message: `wrote ${TABLE}`, fraction: 1 });
    return readUnitResults(unit);
  },
};

export function runTopKOverlap(cfg: JobInput<'overlap'>, ctx: JobContext, opts?: StartOptions): Promise<RunManifest> {
  return runJob('overlap', { ...cfg }, ctx, opts);
}
