/**
 * The local executor with --parallel N: each unit is a plain child process (`datadiet unit <run> <index>`), at
 * most N at a time, its output in logs/unit-<index>.log. No queue of our own beyond "start the next when one ends";
 * cancelling sends SIGTERM, and a unit stopped so publishes nothing.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { JobProgress } from '../../contract/jobProgress';
import type { WorkUnit } from '../../contract/workUnit';
import { isUnitDone, readFailures, recordFailure, unitLog } from '../jobs/unitStore';
import { datadietCommand } from './unitCommand';

export interface ChildOptions {
  readonly parallel: number;
  readonly threadsPerUnit: number;
  readonly signal?: AbortSignal;
  readonly onUnitStart?: (u: WorkUnit) => void;
  readonly onUnitDone?: (u: WorkUnit) => void;
  /** A child's progress within its unit, forwarded over its IPC channel. */
  readonly onUnitProgress?: (u: WorkUnit, p: UnitProgressMessage) => void;
}

/** What a unit process sends its parent (runner.ts runUnitProcess, when it has an IPC channel). */
export interface UnitProgressMessage {
  readonly type: 'unit-progress';
  readonly fraction: number;
  readonly progress: Omit<JobProgress, 'runId' | 'runDir' | 'fraction'>;
}

export async function runUnitsInChildren(runDir: string, units: readonly WorkUnit[], opts: ChildOptions): Promise<void> {
  const cmd = datadietCommand();
  const queue = [...units];
  const live = new Set<ReturnType<typeof spawn>>();
  const stopAll = () => {
    for (const child of live) child.kill('SIGTERM');
  };
  opts.signal?.addEventListener('abort', stopAll, { once: true });
  const worker = async (): Promise<void> => {
    for (let unit = queue.shift(); unit && !opts.signal?.aborted; unit = queue.shift()) {
      const log = unitLog(runDir, unit.index);
      const out = fs.openSync(log, 'a');
      opts.onUnitStart?.(unit);
      const code = await new Promise<number | null>((resolve) => {
        const u = unit!;
        // Output to the unit's log; progress over an IPC channel, so the parent can show it as the job's.
        const child = spawn(cmd.node, [cmd.script, 'unit', runDir, String(u.index), '--threads', String(opts.threadsPerUnit), '--log', log], { stdio: ['ignore', out, out, 'ipc'] });
        live.add(child);
        child.on('message', (m: UnitProgressMessage) => {
          if (m?.type === 'unit-progress') opts.onUnitProgress?.(u, m);
        });
        child.on('error', (e) => {
          fs.appendFileSync(log, `cannot start ${cmd.node}: ${e.message}\n`);
          resolve(-1);
        });
        child.on('exit', (c) => {
          live.delete(child);
          resolve(c);
        });
      });
      fs.closeSync(out);
      if (isUnitDone(runDir, unit.key)) opts.onUnitDone?.(unit);
      else if (!opts.signal?.aborted && !readFailures(runDir, [unit]).length) {
        // Killed before it could say why (out of memory, a signal): the log holds what it printed.
        recordFailure(runDir, unit, `its process exited with ${code === null ? 'a signal' : `code ${code}`} without finishing`, log);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.parallel, units.length) }, worker));
  } finally {
    opts.signal?.removeEventListener('abort', stopAll);
  }
}
