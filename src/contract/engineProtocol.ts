import type { ExecutionRequest } from './execution';
import { isJobName, JOB_NAMES, type JobName } from './jobNames';
import type { JobProgress } from './jobProgress';

/**
 * The engine's JSON-lines protocol: one JSON object per line on the child's stdin (requests) and stdout
 * (events). Everything else the engine or tfjs prints goes to stderr, so stdout stays parseable.
 *   start   a job as a new run (its units run by `execution`: in the engine, in child processes, or on Slurm)
 *   resume  a run's missing units, in its own folder
 */
export type EngineRequest =
  | { readonly type: 'start'; readonly id: string; readonly job: JobName; readonly root: string; readonly params: Readonly<Record<string, unknown>>; readonly execution?: ExecutionRequest }
  | { readonly type: 'resume'; readonly id: string; readonly root: string; readonly runDir: string; readonly retryFailed?: boolean; readonly execution?: ExecutionRequest }
  | { readonly type: 'cancel'; readonly id: string }
  | { readonly type: 'shutdown' };

export type EngineEvent =
  | { readonly type: 'ready'; readonly pid: number; readonly version: string }
  | { readonly type: 'progress'; readonly id: string; readonly progress: JobProgress }
  | { readonly type: 'result'; readonly id: string; readonly result: unknown }
  | { readonly type: 'error'; readonly id?: string; readonly message: string }
  | { readonly type: 'log'; readonly message: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function execution(m: Record<string, unknown>): ExecutionRequest | undefined {
  const e = m.execution;
  if (e === undefined) return undefined;
  if (!isRecord(e)) throw new Error('"execution" must be an object');
  if (e.executor === 'local' && typeof e.parallel === 'number') return { executor: 'local', parallel: e.parallel };
  if (e.executor === 'slurm' && isRecord(e.slurm)) return e as unknown as ExecutionRequest;
  throw new Error('"execution" must be {executor: "local", parallel} or {executor: "slurm", slurm: {...}}');
}

export function parseRequest(line: string): EngineRequest {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    throw new Error(`not JSON: ${line.slice(0, 80)}`);
  }
  if (!isRecord(msg)) throw new Error(`not a request object: ${line.slice(0, 80)}`);
  const m = msg;
  if (m.type === 'shutdown') return { type: 'shutdown' };
  if (typeof m.id !== 'string' || !m.id) throw new Error(`request without an id: ${line.slice(0, 80)}`);
  if (m.type === 'cancel') return { type: 'cancel', id: m.id };
  if (typeof m.root !== 'string') throw new Error(`${String(m.type)} request needs a "root" folder`);
  if (m.type === 'start') {
    if (!isJobName(m.job)) throw new Error(`unknown job "${String(m.job)}" (known: ${JOB_NAMES.join(', ')})`);
    const params = m.params ?? {};
    if (!isRecord(params)) throw new Error('"params" must be an object');
    return { type: 'start', id: m.id, job: m.job, root: m.root, params, execution: execution(m) };
  }
  if (m.type === 'resume') {
    if (typeof m.runDir !== 'string') throw new Error('resume request needs a "runDir"');
    return { type: 'resume', id: m.id, root: m.root, runDir: m.runDir, retryFailed: m.retryFailed === true, execution: execution(m) };
  }
  throw new Error(`unknown request type "${String(m.type)}"`);
}
