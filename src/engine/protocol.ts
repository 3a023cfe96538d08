import type { JobProgress } from '../core/experiments/job';

/**
 * The engine's JSON-lines protocol: one JSON object per line on the child's stdin (requests) and stdout
 * (events). Everything else the engine or tfjs prints goes to stderr, so stdout stays parseable.
 */
export type JobName = 'train' | 'score' | 'prune' | 'window' | 'entropy' | 'overlap' | 'grad-heatmap' | 'grad-sum' | 'strategies' | 'noise-study' | 'kernel-velocity' | 'error-barrier' | 'el2n-grid';
export const JOB_NAMES: readonly JobName[] = ['train', 'score', 'prune', 'window', 'entropy', 'overlap', 'grad-heatmap', 'grad-sum', 'strategies', 'noise-study', 'kernel-velocity', 'error-barrier', 'el2n-grid'];

export type EngineRequest =
  | { readonly type: 'start'; readonly id: string; readonly job: JobName; readonly root: string; readonly params: Record<string, unknown> }
  | { readonly type: 'cancel'; readonly id: string }
  | { readonly type: 'shutdown' };

export type EngineEvent =
  | { readonly type: 'ready'; readonly pid: number; readonly version: string }
  | { readonly type: 'progress'; readonly id: string; readonly progress: JobProgress }
  | { readonly type: 'result'; readonly id: string; readonly result: unknown }
  | { readonly type: 'error'; readonly id?: string; readonly message: string }
  | { readonly type: 'log'; readonly message: string };

/** Splits a byte stream into lines; a partial line waits for its end. */
export class LineSplitter {
  private buffer = '';

  push(chunk: string): string[] {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    return lines.filter((l) => l.trim().length > 0);
  }
}

export function parseRequest(line: string): EngineRequest {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    throw new Error(`not JSON: ${line.slice(0, 80)}`);
  }
  const m = msg as Partial<Record<string, unknown>>;
  if (m.type === 'shutdown') return { type: 'shutdown' };
  if (typeof m.id !== 'string' || !m.id) throw new Error(`request without an id: ${line.slice(0, 80)}`);
  if (m.type === 'cancel') return { type: 'cancel', id: m.id };
  if (m.type === 'start') {
    if (!JOB_NAMES.includes(m.job as JobName)) throw new Error(`unknown job "${String(m.job)}" (known: ${JOB_NAMES.join(', ')})`);
    if (typeof m.root !== 'string') throw new Error('start request needs a "root" folder');
    const params = (m.params ?? {}) as Record<string, unknown>;
    return { type: 'start', id: m.id, job: m.job as JobName, root: m.root, params };
  }
  throw new Error(`unknown request type "${String(m.type)}"`);
}
