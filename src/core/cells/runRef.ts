/**
 * What cells know about the recorded runs (a summary of each manifest), and how `run=latest` or an id picks one.
 * Shared by diagnostics and completions (from a cached listing) and the executor (from the store on disk).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listRuns } from '../store/runStore';
import { scoresDir } from '../store/scoreFiles';

export interface RunInfo {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly dir: string;
  readonly createdAt?: string;
  readonly dataset?: string;
  readonly model?: string;
  /** Score tables present on disk (score runs). */
  readonly scores?: readonly string[];
  readonly numClasses?: number;
  readonly classNames?: readonly string[];
  /** The score run a prune/window run used. */
  readonly scoresRun?: string;
  readonly config?: Record<string, unknown>;
  readonly results?: Record<string, unknown>;
  readonly error?: string;
}

/** Score tables of a run folder: every <name>.parquet under scores/. */
export function scoreTablesOf(runDir: string): string[] {
  try {
    return fs
      .readdirSync(scoresDir(runDir))
      .filter((f) => f.endsWith('.parquet'))
      .map((f) => f.slice(0, -'.parquet'.length))
      .sort();
  } catch {
    return [];
  }
}

/** Every readable run under root, newest first (unreadable manifests are left to the runs view to report). */
export function listRunInfos(root: string): RunInfo[] {
  return listRuns(root).flatMap((r) => {
    const m = r.manifest;
    if (!m) return [];
    return [
      {
        id: m.id,
        kind: m.kind,
        status: m.status,
        dir: r.dir,
        createdAt: m.createdAt,
        dataset: m.dataset?.name ?? (typeof m.config.dataset === 'string' ? m.config.dataset : undefined),
        model: m.model?.arch ?? (typeof m.config.model === 'string' ? m.config.model : undefined),
        scores: m.kind === 'score' || m.kind === 'audit' ? scoreTablesOf(r.dir) : undefined,
        numClasses: m.dataset?.numClasses,
        classNames: m.dataset?.classNames,
        scoresRun: typeof m.config.scoresRun === 'string' ? m.config.scoresRun : typeof m.config.scoresFrom === 'string' ? path.basename(m.config.scoresFrom) : undefined,
        config: m.config,
        results: m.results,
        error: m.error,
      },
    ];
  });
}

/** A run whose results can be read: finished, or cancelled with partial results kept. */
export function usable(r: RunInfo): boolean {
  return r.status === 'done' || (r.status === 'cancelled' && r.results !== undefined);
}

export type RunResolution = { readonly run: RunInfo } | { readonly error: string };

/**
 * Resolves `latest` (the newest usable run of one of `kinds`) or an id (exact, or a unique prefix) of one of `kinds`
 * or `byId`.
 */
export function resolveRun(ref: string, kinds: readonly string[], runs: readonly RunInfo[], byId: readonly string[] = []): RunResolution {
  const want = kinds.join(' or ');
  if (ref === 'latest') {
    const run = runs.find((r) => kinds.includes(r.kind) && usable(r));
    if (run) return { run };
    return { error: `no finished ${want} run yet${kinds.includes('score') ? ': run `score dataset=mnist subset=2000` (or `datadiet score`) first' : ''}` };
  }
  const exact = runs.find((r) => r.id === ref);
  const matches = exact ? [exact] : runs.filter((r) => r.id.startsWith(ref));
  if (matches.length === 0) return { error: `no run "${ref}" under .datadiet/runs` };
  if (matches.length > 1) return { error: `"${ref}" matches ${matches.length} runs (${matches.slice(0, 3).map((r) => r.id).join(', ')}…): give more of the id` };
  const run = matches[0];
  if (!kinds.includes(run.kind) && !byId.includes(run.kind)) return { error: `run ${run.id} is a ${run.kind} run; this needs a ${[...kinds, ...byId].join(' or ')} run` };
  if (!usable(run)) return { error: `run ${run.id} is ${run.status}${run.error ? ` (${run.error})` : ''}` };
  return { run };
}
