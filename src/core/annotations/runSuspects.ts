/**
 * Suspects of one run that recorded predictions (a score run, an audit): its predictions (predictions.ts) ranked by
 * suspicion (suspects.ts), with a score table (EL2N when present; an audit's label quality) as tie-break and for
 * percentiles, and the noise study's ground truth when the run injected noise (the `corrupted` column of its score
 * tables).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFormatError } from '../data/dataset';
import { readScoreTable, scoresDir, type ScoreTable } from '../store/scoreFiles';
import { readRun } from '../store/runStore';
import { readPredictions, type Predictions } from './predictions';
import { DEFAULT_SUSPECT_METHOD, rankSuspects, suspectQuality, type SuspectMethod, type SuspectQuality, type SuspectRanking } from './suspects';
import type { IssueFilter } from '../labelErrors/confidentLearning';

/** Run kinds that record predictions, so have suspects: score runs (in sample) and audits (out of sample). */
export const SUSPECT_RUN_KINDS: readonly string[] = ['score', 'audit'];

/** Score tables where low means suspicious (the tie-break wants high = suspicious). */
const LOW_IS_SUSPICIOUS = ['aum', 'confidence', 'correctness', 'label-quality'];

export interface RunSuspects {
  readonly runDir: string;
  readonly predictions: Predictions;
  readonly ranking: SuspectRanking;
  /** The score table used as tie-break (rows aligned with predictions), if any. */
  readonly score?: ScoreTable;
  /** 1 for rows whose label was corrupted by injected noise (noise study). */
  readonly corrupted?: Float32Array;
  readonly quality?: SuspectQuality;
}

/** Score tables present in a run, preferred tie-break first. */
export function runScoreNames(runDir: string): string[] {
  const dir = scoresDir(runDir);
  if (!fs.existsSync(dir)) return [];
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).map((f) => f.slice(0, -'.parquet'.length));
  const pref = ['el2n', 'grand', 'forgetting'];
  return names.sort((a, b) => (pref.indexOf(a) + 1 || 99) - (pref.indexOf(b) + 1 || 99) || a.localeCompare(b));
}

/**
 * Suspects of a run, by confident learning unless another method is given (DEFAULT_SUSPECT_METHOD: the
 * measurements behind the choice are in docs/label-errors.md).
 */
export function loadRunSuspects(runDir: string, opts: { threshold?: number; method?: SuspectMethod; filter?: IssueFilter; score?: string; ks?: number[] } = {}): RunSuspects {
  const predictions = readPredictions(runDir);
  if (!predictions) {
    // Say why there are none: another kind of run, a score run that never finished, or one from before predictions.
    const m = readRun(runDir).manifest;
    const id = path.basename(runDir);
    if (m && !SUSPECT_RUN_KINDS.includes(m.kind)) {
      throw new DataFormatError(path.join(runDir, 'manifest.json'), `run ${id} is a ${m.kind} run; suspected label issues come from the predictions a score run or an audit records`, 'pass a score or audit run (`datadiet runs` lists them; `datadiet audit` or `datadiet score` makes one)');
    }
    if (m && m.status !== 'done') {
      throw new DataFormatError(path.join(runDir, 'manifest.json'), `${m.kind} run ${id} is ${m.status}${m.error ? ` (${m.error})` : ''}: it recorded no predictions`, m.status === 'running' ? 'wait until it is done' : `fix the cause and ${m.kind === 'audit' ? 'audit' : 'score'} again, or \`datadiet runs resume\``);
    }
    throw new DataFormatError(path.join(runDir, 'predictions'), 'this score run has no recorded predictions (scored before suspects existed)', 'score the dataset again');
  }
  const name = opts.score ?? runScoreNames(runDir)[0];
  let score: ScoreTable | undefined;
  if (name) {
    score = readScoreTable(scoresDir(runDir), name);
    if (score.index.length !== predictions.index.length || score.index.some((v, i) => v !== predictions.index[i])) {
      throw new DataFormatError(path.join(scoresDir(runDir), `${name}.parquet`), 'this score table and the predictions cover different examples', 'the run folder was changed by hand: score the dataset again');
    }
  }
  // AUM-like scores are "low = suspicious"; the tie-break wants "high = suspicious".
  const flip = name !== undefined && LOW_IS_SUSPICIOUS.includes(name);
  const tieBreak = score ? (flip ? score.score.map((v) => -v) : score.score) : undefined;
  const ranking = rankSuspects(predictions, { threshold: opts.threshold, method: opts.method ?? DEFAULT_SUSPECT_METHOD, filter: opts.filter, tieBreak });
  const corrupted = score?.extra?.corrupted;
  const quality = corrupted ? suspectQuality(ranking, corrupted, opts.ks) : undefined;
  return { runDir, predictions, ranking, ...(score ? { score } : {}), ...(corrupted ? { corrupted, quality } : {}) };
}
