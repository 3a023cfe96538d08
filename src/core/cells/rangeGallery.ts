// A brushed histogram range's gallery, through the same executor as a `gallery ... range=lo..hi` cell.
import { argSpec, commandSpec } from './commands';
import { defaultValue, type ArgValue, type CellQuery } from './diagnose';
import { executeQuery, type ExecEnv } from './execute';
import { listRunInfos, type RunInfo } from './runRef';
import type { GalleryPayload, RangeGalleryMessage, RequestRangeMessage } from '../notebook/mime';

/**
 * The gallery of a brushed score range, through the same executor as a `gallery ... range=lo..hi` cell. The message
 * comes from a notebook output (which a crafted .ipynb controls), so nothing of it is pasted into cell text: the run
 * must be one of the recorded score runs (by exact id), the score one of its tables, the numbers finite, and the
 * query is built as the typed object the cell parser would make.
 */
export async function rangeGallery(m: RequestRangeMessage, env: ExecEnv): Promise<RangeGalleryMessage> {
  const reply = { type: 'rangeGallery' as const, requestId: m.requestId };
  const runs = listRunInfos(env.root);
  const checked = checkRangeRequest(m, runs);
  if ('error' in checked) return { ...reply, error: checked.error };
  try {
    const out = await executeQuery(checked.query, env, runs);
    if (out.type !== 'payload' || out.kind !== 'gallery') return { ...reply, error: 'no gallery for this range' };
    return { ...reply, gallery: out.payload as GalleryPayload };
  } catch (e) {
    return { ...reply, error: (e as Error).message };
  }
}

/** The typed `gallery` query of a range request, or why the request is refused. */
export function checkRangeRequest(m: RequestRangeMessage, runs: readonly RunInfo[]): { query: CellQuery } | { error: string } {
  const run = runs.find((r) => r.id === m.runId);
  const shown = (s: unknown) => JSON.stringify(String(s).slice(0, 80));
  if (!run) return { error: `no run ${shown(m.runId)} under .datadiet/runs` };
  if (run.kind !== 'score' && run.kind !== 'audit') return { error: `run ${run.id} is a ${run.kind} run; a gallery needs a score run or an audit` };
  if (!run.scores?.includes(m.score)) return { error: `run ${run.id} has no score ${shown(m.score)}${run.scores?.length ? ` (it has ${run.scores.join(', ')})` : ''}` };
  if (!Number.isFinite(m.lo) || !Number.isFinite(m.hi) || m.lo > m.hi) return { error: 'the score range must be two finite numbers, lo <= hi' };
  const perClassSpec = argSpec(commandSpec('gallery')!, 'per-class')!.kind;
  if (m.perClass !== undefined && !(Number.isInteger(m.perClass) && perClassSpec.type === 'int' && m.perClass >= perClassSpec.min && m.perClass <= perClassSpec.max)) {
    return { error: 'per-class must be a positive integer' };
  }
  // A zero-width brush (a click) still selects the examples at that score.
  const hi = m.hi > m.lo ? m.hi : m.lo + Math.max(1e-9, Math.abs(m.lo) * 1e-9);
  const spec = commandSpec('gallery')!;
  const given = new Set(['score', 'run', 'range', ...(m.perClass !== undefined ? ['per-class'] : [])]);
  const args: Record<string, ArgValue> = {};
  for (const a of spec.args) {
    const d = defaultValue(a);
    if (d !== undefined) args[a.name] = d;
  }
  Object.assign(args, { score: m.score, run: run.id, range: { min: m.lo, max: hi } }, m.perClass !== undefined ? { 'per-class': m.perClass } : {});
  return { query: { command: 'gallery', spec, line: 0, args, given } };
}
