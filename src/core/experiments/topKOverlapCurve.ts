import * as path from 'node:path';
import { topKOverlap } from '../analysis/overlap';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { RunManifest } from '../store/runManifest';
import type { ScoreTable } from '../store/scoreFiles';
import { createRun } from '../store/runStore';
import { versions } from '../versions';
import type { JobContext } from './job';
import { openScoreRun, resolveKs, scoreTableOf } from './scoreRunRef';

/**
 * Overlap |S1 ∩ S2| / k of the top-k sets of two models vs k (Vodrahalli et al. 2018, Fig. 6), with the chance
 * level k/N of two unrelated rankings. The two models are either the independent runs a score run keeps
 * (run_0, run_1, ... columns: same architecture, different seeds), or two score runs (e.g. two architectures),
 * or two scores of one run.
 */
export interface TopKOverlapConfig {
  readonly scoresFrom: string;
  /** Score table of the first run (default: the run's first score). */
  readonly score?: string;
  /** Second score run (id or folder). Absent (and no againstScore): compare the first run's per-run columns. */
  readonly against?: string;
  /** Score table of the second run (default: the same name as `score`). */
  readonly againstScore?: string;
  readonly ks?: readonly number[];
}

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

export async function runTopKOverlap(cfg: TopKOverlapConfig, ctx: JobContext): Promise<RunManifest> {
  const first = openScoreRun(ctx.root, cfg.scoresFrom);
  const score = cfg.score ?? (first.manifest.config.scores as string[] | undefined)?.[0] ?? 'el2n';
  const pairMode = cfg.against !== undefined || cfg.againstScore !== undefined;
  const second = cfg.against !== undefined ? openScoreRun(ctx.root, cfg.against) : first;
  const againstScore = cfg.againstScore ?? score;
  const run = createRun(ctx.root, { kind: 'overlap', config: { ...cfg, score, ...(pairMode ? { againstScore } : {}) }, seeds: {}, versions: versions() });
  const base = { runId: run.id, runDir: run.dir };
  try {
    if (pairMode && first.manifest.dataset && second.manifest.dataset && first.manifest.dataset.fingerprint !== second.manifest.dataset.fingerprint) {
      throw new Error(`score runs ${first.manifest.id} and ${second.manifest.id} scored different datasets`);
    }
    ctx.onProgress?.({ ...base, phase: 'load', message: `reading ${score} from score run ${first.manifest.id}`, fraction: 0 });
    const a = scoreTableOf(first, score);
    const ks = resolveKs(a.index.length, cfg.ks);
    let series: { name: string; overlap: number[] }[];
    if (pairMode) {
      const b = scoreTableOf(second, againstScore);
      const bScores = alignScores(a, b);
      const name = second === first ? `${score} vs ${againstScore}` : `${first.manifest.id} ${score} vs ${second.manifest.id} ${againstScore}`;
      series = [{ name, overlap: topKOverlap(a.score, bScores, ks).overlap }];
    } else {
      if (a.perRun.length < 2) {
        throw new Error(`score run ${first.manifest.id} kept ${a.perRun.length} run of "${score}"; score with --runs 2 or more, or compare two score runs (--against <run>)`);
      }
      series = perRunOverlaps(a, ks);
    }
    const table: TopKOverlapTable = { examples: a.index.length, ks, baseline: ks.map((k) => k / a.index.length), series, mode: pairMode ? 'runs-of-two' : 'runs' };
    writeJsonAtomic(path.join(run.dir, 'topk-overlap.json'), table);
    run.update({ dataset: first.manifest.dataset, config: { ...cfg, score, ...(pairMode ? { againstScore } : {}), ks } });
    ctx.onProgress?.({ ...base, phase: 'save', message: 'wrote topk-overlap.json', fraction: 1 });
    return run.finish('done', { results: { examples: table.examples, series: series.map((s) => s.name) } });
  } catch (e) {
    run.finish('failed', { error: (e as Error).message ?? String(e) });
    throw e;
  }
}
