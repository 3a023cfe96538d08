/**
 * What a user sees of a run's units and does with them: the units' states (done, failed, and on Slurm queued or
 * running from squeue), waiting for a submitted run, and cancelling one (scancel, or SIGTERM to a local runner).
 */
import type { SlurmUnitState } from '../../contract/execution';
import type { RunManifest } from '../../contract/runManifest';
import type { UnitCounts, UnitFailure, WorkUnit } from '../../contract/workUnit';
import { cancelSlurmJobs, querySlurm, type SlurmQueueState } from '../executors/slurm';
import { readRun, RunHandle } from '../store/runStore';
import { hasPlan, isUnitDone, readFailures, readPlan, unitCounts } from './unitStore';

export interface UnitRow {
  readonly unit: WorkUnit;
  readonly state: SlurmUnitState | 'pending';
  readonly failure?: UnitFailure;
}

export interface RunUnits {
  readonly counts: UnitCounts;
  readonly rows: readonly UnitRow[];
  /** Slurm runs: what squeue says now (undefined for local runs or when squeue cannot be asked). */
  readonly queue?: SlurmQueueState;
  readonly queueProblem?: string;
}

/** The units of a run and their states; undefined for runs made before work units. */
export async function runUnits(runDir: string, m: RunManifest): Promise<RunUnits | undefined> {
  if (!hasPlan(runDir)) return undefined;
  const plan = readPlan(runDir);
  const failures = new Map(readFailures(runDir, plan).map((f) => [f.key, f]));
  const slurm = m.execution?.executor === 'slurm' ? m.execution.slurm : undefined;
  let queue: SlurmQueueState | undefined;
  let queueProblem: string | undefined;
  if (slurm && m.status === 'running') {
    try {
      queue = await querySlurm(slurm.arrayJobId, slurm.mergeJobId);
    } catch (e) {
      queueProblem = (e as Error).message;
    }
  }
  const rows = plan.map((unit): UnitRow => {
    if (isUnitDone(runDir, unit.key)) return { unit, state: 'done' };
    const failure = failures.get(unit.key);
    const q = queue?.tasks.get(unit.index);
    if (q) return { unit, state: q === 'RUNNING' || q === 'COMPLETING' ? 'running' : 'queued' };
    if (failure) return { unit, state: 'failed', failure };
    return { unit, state: 'pending' };
  });
  // Counted from the rows just read, not by reading every unit folder again.
  const done = rows.filter((r) => r.state === 'done').length;
  return { counts: { total: plan.length, done, failed: failures.size, pending: plan.length - done - failures.size }, rows, queue, queueProblem };
}

/**
 * A Slurm run whose jobs have all left the queue but whose manifest still says running was cancelled outside
 * Data Diet (scancel, a node failure before the merge ran): record it, with its finished units kept.
 */
export function settleVanishedSlurmRun(runDir: string, m: RunManifest, u: RunUnits): RunManifest {
  const slurm = m.execution?.slurm;
  if (!slurm || m.status !== 'running' || !u.queue || u.queue.tasks.size > 0 || u.queue.merge) return m;
  const again = readRun(runDir).manifest;
  if (!again || again.status !== 'running') return again ?? m;
  return new RunHandle(runDir, again).finish('cancelled', {
    error: `its Slurm jobs (${slurm.arrayJobId}, merge ${slurm.mergeJobId}) left the queue before the merge finished; ${u.counts.done} of ${u.counts.total} units finished and are kept; datadiet runs resume ${m.id} runs the rest`,
  });
}

/** Cancels a run: scancel for Slurm (finished units kept), SIGTERM to the local process that runs it. */
export async function cancelRun(runDir: string): Promise<RunManifest> {
  const summary = readRun(runDir);
  const m = summary.manifest;
  if (!m) throw new Error(summary.problem ?? `${runDir}: unreadable run`);
  if (m.status !== 'running') throw new Error(`run ${m.id} is not running (it is ${m.status})`);
  const slurm = m.execution?.executor === 'slurm' ? m.execution.slurm : undefined;
  if (slurm) {
    await cancelSlurmJobs([slurm.arrayJobId, slurm.mergeJobId]);
    const { done, total } = unitCounts(runDir, hasPlan(runDir) ? readPlan(runDir) : []);
    return new RunHandle(runDir, m).finish('cancelled', { error: `cancelled (scancel ${slurm.arrayJobId} ${slurm.mergeJobId}); ${done} of ${total} units finished and are kept; datadiet runs resume ${m.id} runs the rest` });
  }
  if (!m.pid) throw new Error(`run ${m.id} records no process to stop`);
  // The runner stops after the current batch and records the run as cancelled itself.
  process.kill(m.pid, 'SIGTERM');
  return m;
}

/** Waits until a submitted Slurm run is finished (by its merge job) or has vanished from the queue. */
export async function waitForRun(runDir: string, opts: { intervalMs?: number; signal?: AbortSignal; onUnits?: (u: RunUnits) => void } = {}): Promise<RunManifest> {
  for (;;) {
    const m = readRun(runDir).manifest;
    if (!m) throw new Error(`${runDir}: the run's manifest became unreadable`);
    if (m.status !== 'running') return m;
    const u = await runUnits(runDir, m);
    if (u) {
      opts.onUnits?.(u);
      const settled = settleVanishedSlurmRun(runDir, m, u);
      if (settled.status !== 'running') return settled;
    }
    if (opts.signal?.aborted) return m;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 2000));
  }
}
