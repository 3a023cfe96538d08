/**
 * The one runner every job goes through: it makes the run folder, plans the work units, prepares the data, hands
 * the missing units to an executor (this process, local child processes or a Slurm array job), and merges the
 * finished units into the job's tables. A unit already done is never recomputed, so a run killed at any moment
 * continues with `resumeRun` and ends with the tables an uninterrupted run would have written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { ExecutionRecord, ExecutionRequest } from '../../contract/execution';
import { LOCAL_EXECUTION } from '../../contract/execution';
import type { JobName } from '../../contract/jobNames';
import { checkParams, JOB_OPTIONS } from '../../contract/jobOptions';
import type { JobProgress } from '../../contract/jobProgress';
import { configStem, type BackendRecord, type RunManifest } from '../../contract/runManifest';
import type { UnitFailure, WorkUnit } from '../../contract/workUnit';
import { initBackend } from '../compute/backend';
import { EtaEstimator, type JobContext } from '../experiments/job';
import { createRun, readRun, rootOfRun, RunHandle } from '../store/runStore';
import { versions } from '../versions';
import { isInputError } from '../inputError';
import { writeJsonAtomic } from '../store/atomicWrite';
import type { AnyExperiment, DoneUnit, RunContext, UnitStopped } from './experiment';
import { experimentFor } from './registry';
import { unitsDir, clearFailure, commitUnit, isUnitDone, readFailures, readParams, readPlan, recordFailure, removeStaleStaging, unitDir, writePlan } from './unitStore';
import { runUnitsInChildren, type UnitProgressMessage } from '../executors/localProcesses';
import { submitToSlurm } from '../executors/slurm';
import * as path from 'node:path';
import { withBackboneHead } from './backboneHead';

export interface StartOptions {
  readonly execution?: ExecutionRequest;
}

/** Runs a job from its parameters: a new run folder; returns its manifest when done (or submitted, on Slurm). */
export async function runJob(job: JobName, input: Readonly<Record<string, unknown>>, ctx: JobContext, opts: StartOptions = {}): Promise<RunManifest> {
  const exp = experimentFor(job);
  // Checked against the job's option metadata first: a wrong name or type is refused with its flag's name.
  const p = exp.resolve(withBackboneHead(checkParams(job, input))) as object;
  const execution = opts.execution ?? LOCAL_EXECUTION;
  const run = createRun(ctx.root, { kind: runKind(exp, p), config: { ...p }, seeds: exp.seeds(p), versions: versions() });
  try {
    const units = exp.plan(p);
    writePlan(run.dir, exp.job, units, p);
    run.update({ unitsTotal: units.length });
    return await execute(run, exp, p, units, execution, ctx);
  } catch (e) {
    // Bad input found before any unit ran (a dataset path, a file, an option): no run folder is left behind.
    if (isInputError(e) && !anyUnitRan(run.dir)) fs.rmSync(run.dir, { recursive: true, force: true });
    else finishOnError(run, e);
    throw e;
  }
}

/** True once a unit finished or failed (then the run folder holds something worth keeping). */
function anyUnitRan(runDir: string): boolean {
  try {
    return fs.readdirSync(unitsDir(runDir)).some((n) => !n.startsWith('.'));
  } catch {
    return false;
  }
}

/** Some experiments record their run under another kind (an EL2N grid is a score run, so prune reads it). */
function runKind(exp: AnyExperiment, p: object): string {
  return (p as { readonly runKind?: string }).runKind ?? exp.job;
}

export interface ResumeOptions {
  /** Also rerun the units that failed (by default they stay failed, with their error and log). */
  readonly retryFailed?: boolean;
  /** Another executor than the one the run used. */
  readonly execution?: ExecutionRequest;
}

/**
 * Continues a run in its own folder: only units that are not done run (and failed ones with retryFailed), then
 * the merge. The plan is recomputed from params.json and must equal plan.json (else the code changed under it).
 */
export async function resumeRun(runDir: string, ctx: JobContext, opts: ResumeOptions = {}): Promise<{ manifest: RunManifest; ran: number; skippedFailed: UnitFailure[] }> {
  const summary = readRun(runDir);
  if (!summary.manifest) throw new Error(`${summary.problem ?? runDir}; the run cannot be resumed`);
  const m = summary.manifest;
  if (m.status === 'running') throw new Error(`run ${m.id} is still running${m.pid ? ` (process ${m.pid})` : ''}; cancel it first`);
  const { exp, p, units } = experimentOfRun(runDir);
  removeStaleStaging(runDir);
  const failures = readFailures(runDir, units);
  if (opts.retryFailed) for (const f of failures) clearFailure(runDir, f.key);
  const skippedFailed = opts.retryFailed ? [] : failures;
  const skipped = new Set(skippedFailed.map((f) => f.key));
  const ran = units.filter((u) => !isUnitDone(runDir, u.key) && !skipped.has(u.key)).length;
  if (m.status === 'done' && ran === 0) throw new Error(`run ${m.id} finished; nothing to resume`);
  if (ran === 0 && skippedFailed.length > 0) {
    throw new Error(`run ${m.id}: every unit that is not done failed (${skippedFailed.map((f) => f.key).join(', ')}); see their errors with datadiet runs show ${m.id}, fix the cause and resume with --retry-failed`);
  }
  const run = new RunHandle(runDir, m);
  run.update({ status: 'running', error: undefined, pid: process.pid, timings: { startedAt: m.timings.startedAt } });
  const execution = opts.execution ?? executionOf(m);
  try {
    return { manifest: await execute(run, exp, p, units, execution, ctx, skipped), ran, skippedFailed };
  } catch (e) {
    finishOnError(run, e);
    throw e;
  }
}

/**
 * params.json holds resolved parameters, so one without a stem (of a job that has the option) was written before
 * the option existed: its units built ResNets with the CIFAR stem, and the rest of them must too.
 */
function withRecordedStem(job: JobName, params: Record<string, unknown>): Record<string, unknown> {
  return JOB_OPTIONS[job].some((o) => o.key === 'stem') ? { ...params, stem: configStem(params) } : params;
}

/** The experiment of a run and its parameters, as params.json records them. */
function experimentOfRun(runDir: string): { exp: AnyExperiment; p: object; units: WorkUnit[] } {
  const { job, params } = readParams(runDir);
  const exp = experimentFor(job);
  let p: object;
  try {
    p = exp.resolve(withBackboneHead(checkParams(job, withRecordedStem(job, params)))) as object;
  } catch (e) {
    throw new Error(`${path.join(runDir, 'params.json')}: ${(e as Error).message}`);
  }
  return { exp, p, units: checkedPlan(runDir, exp, p) };
}

function executionOf(m: RunManifest): ExecutionRequest {
  const e = m.execution;
  if (e?.executor === 'slurm' && e.slurmOptions) return { executor: 'slurm', slurm: e.slurmOptions };
  return { executor: 'local', parallel: e?.parallel ?? 1 };
}

function checkedPlan(runDir: string, exp: AnyExperiment, p: object): WorkUnit[] {
  const units = exp.plan(p);
  const recorded = readPlan(runDir);
  const same = recorded.length === units.length && recorded.every((u, i) => u.key === units[i].key);
  if (!same) throw new Error(`${path.join(runDir, 'plan.json')}: the units planned now differ from the recorded plan (made by another version of Data Diet?); start a new run`);
  return units;
}

function finishOnError(run: RunHandle, e: unknown): void {
  if (run.manifest.status === 'running') run.finish('failed', { error: (e as Error).message ?? String(e) });
}

function contextFor(run: RunHandle, ctx: JobContext): RunContext {
  const report = ctx.onProgress ?? (() => {});
  return { root: ctx.root, runDir: run.dir, runId: run.id, signal: ctx.signal, report: (p) => report({ ...p, runId: run.id, runDir: run.dir }) };
}

async function execute(run: RunHandle, exp: AnyExperiment, p: object, units: readonly WorkUnit[], execution: ExecutionRequest, ctx: JobContext, skip: ReadonlySet<string> = new Set()): Promise<RunManifest> {
  const rctx = contextFor(run, ctx);
  const pending = units.filter((u) => !isUnitDone(run.dir, u.key) && !skip.has(u.key));
  if (execution.executor === 'slurm' && pending.length > 0) {
    // Prepared here too, so a bad dataset or score run is reported before anything is queued.
    await planningBackend(exp);
    const { record } = await exp.prepare(p, rctx);
    if (record) run.update(record);
    const submitted = submitToSlurm(run.dir, run.id, pending, execution.slurm);
    rctx.report({ phase: 'save', message: `submitted ${pending.length} units to Slurm as array job ${submitted.slurm?.arrayJobId} (merge: job ${submitted.slurm?.mergeJobId})`, fraction: 0 });
    // The Slurm jobs finish the run; no process of ours stays alive for it.
    return run.update({ execution: submitted, pid: undefined });
  }
  const parallel = execution.executor === 'local' ? Math.max(1, Math.floor(execution.parallel)) : 1;
  // A resumed Slurm run with every unit done merges here.
  const record: ExecutionRecord = execution.executor === 'local' ? { executor: 'local', parallel } : { ...run.manifest.execution, executor: 'slurm' };
  run.update({ execution: record });
  const backend = exp.backend?.(p);
  if (backend && parallel === 1) {
    rctx.report({ phase: 'backend', message: 'choosing a compute backend', fraction: 0 });
    run.update({ backend: await initBackend(backend.choice, { threads: backend.threads }) });
  } else if (parallel > 1) {
    // The children train; this process only prepares (which may build a model) and merges.
    await planningBackend(exp);
  }
  const loadStart = Date.now();
  const { state, record: patch } = await exp.prepare(p, rctx);
  run.update({ ...patch, timings: { ...run.manifest.timings, loadSeconds: (Date.now() - loadStart) / 1000 } });
  const progress = jobProgress(rctx, units.length, units.length - pending.length);
  let last: UnitOutcome | undefined;
  if (parallel === 1) {
    for (const unit of pending) {
      if (ctx.signal?.aborted) break;
      last = await runOneUnit(exp, p, state, unit, rctx, progress.forUnit(unit));
      if (last.outcome === 'done') progress.unitDone(unit);
      else progress.unitStopped(unit);
    }
  } else {
    await runUnitsInChildren(run.dir, pending, {
      parallel,
      signal: ctx.signal,
      // Fewer units left than workers (a one-unit job, a resumed tail): the cores go to the units that run.
      threadsPerUnit: threadsPerChild(Math.min(parallel, pending.length), backend?.threads),
      onUnitStart: (u) => rctx.report({ phase: 'train', message: `started ${u.label}`, fraction: progress.fraction() }),
      onUnitProgress: (u, m) => progress.running(u, m.fraction, m.progress),
      onUnitDone: (u) => progress.unitDone(u),
    });
  }
  const m = await finalize(run, exp, p, state, units, rctx, Boolean(ctx.signal?.aborted), last?.outcome === 'cancelled' ? last.stop : undefined);
  // A one-unit job run here fails as it did before units: its own error, thrown (the manifest says it too).
  if (units.length === 1 && last?.outcome === 'failed') throw last.error;
  return m;
}

/**
 * The backend of a process that prepares and merges but trains nothing (a Slurm submitter on a login node, the
 * merge job): plain JavaScript suffices to build a model and count its parameters.
 */
async function planningBackend(exp: AnyExperiment): Promise<void> {
  if (exp.backend) await initBackend('cpu');
}

/** Threads each of N child processes gets: the cores split between them (at least one each). */
export function threadsPerChild(parallel: number, requested?: number): number {
  const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  return Math.max(1, Math.floor((requested ?? cores) / parallel));
}

/**
 * Maps each unit's own progress onto the whole job, with one ETA over all of it: finished units count whole, the
 * running ones (several, with --parallel) by their own fraction.
 */
function jobProgress(rctx: RunContext, total: number, doneBefore: number) {
  let done = doneBefore;
  const running = new Map<string, number>();
  const eta = new EtaEstimator();
  const fraction = () => (done + [...running.values()].reduce((a, f) => a + f, 0)) / Math.max(1, total);
  const unitProgress = (unit: WorkUnit, f: number, p: Omit<JobProgress, 'runId' | 'runDir' | 'fraction'>) => {
    running.set(unit.key, Math.min(1, Math.max(0, f)));
    const at = fraction();
    const { etaSeconds } = eta.tick(at * 1e6, 1e6);
    // The job's own ETA, over all units: a unit's progress carries its own, for that unit only.
    rctx.report({ ...p, etaSeconds, fraction: at });
  };
  return {
    fraction,
    running: unitProgress,
    /** A unit that stopped without finishing counts for nothing. */
    unitStopped(unit: WorkUnit) {
      running.delete(unit.key);
    },
    unitDone(unit: WorkUnit) {
      running.delete(unit.key);
      done++;
      rctx.report({ phase: 'eval', message: `${unit.label}: done (${done} of ${total} units)`, fraction: fraction() });
    },
    forUnit(unit: WorkUnit) {
      return (f: number, p: Omit<JobProgress, 'runId' | 'runDir' | 'fraction'>) => unitProgress(unit, f, p);
    },
  };
}

type UnitOutcome = { readonly outcome: 'done' } | { readonly outcome: 'cancelled'; readonly stop?: UnitStopped } | { readonly outcome: 'failed'; readonly error: unknown };

/** Runs one unit in this process and publishes it; a failure is recorded and does not stop the other units. */
async function runOneUnit(exp: AnyExperiment, p: object, state: unknown, unit: WorkUnit, rctx: RunContext, progress: (f: number, p: Omit<JobProgress, 'runId' | 'runDir' | 'fraction'>) => void, where: { log?: string; backend?: BackendRecord } = {}): Promise<UnitOutcome> {
  const t0 = Date.now();
  let stop: UnitStopped | undefined;
  try {
    injectedFailure(unit);
    const ok = await commitUnit(rctx.runDir, unit.key, async (outDir) => {
      const finished = await exp.runUnit(unit, p, state, { ...rctx, outDir, progress });
      if (finished === true) writeJsonAtomic(path.join(outDir, UNIT_RECORD), { key: unit.key, index: unit.index, host: os.hostname(), pid: process.pid, seconds: (Date.now() - t0) / 1000, backend: where.backend });
      else if (finished !== false) stop = finished;
      return finished === true;
    });
    return ok ? { outcome: 'done' } : { outcome: 'cancelled', stop };
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    recordFailure(rctx.runDir, unit, message, where.log);
    rctx.report({ phase: 'eval', message: `${unit.label}: failed (${message})` });
    return { outcome: 'failed', error: e };
  }
}

/**
 * DATADIET_FAIL_UNIT=<key>[,<key>...] makes those units fail before they start: how the tests (and a user trying
 * out a cluster setup) see a failed unit reported and retried without breaking anything real.
 */
function injectedFailure(unit: WorkUnit): void {
  const keys = (process.env.DATADIET_FAIL_UNIT ?? '').split(',').map((k) => k.trim());
  if (keys.includes(unit.key)) throw new Error(`injected failure of unit ${unit.key} (DATADIET_FAIL_UNIT is set)`);
}

const UNIT_RECORD = 'unit.json';

function unitRecord(dir: string): { backend?: BackendRecord; seconds?: number } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, UNIT_RECORD), 'utf8')) as { backend?: BackendRecord; seconds?: number };
  } catch {
    return undefined;
  }
}

/** Merges what is done and finishes the manifest: done, cancelled (units kept) or failed (failures listed). */
async function finalize(run: RunHandle, exp: AnyExperiment, p: object, state: unknown, units: readonly WorkUnit[], rctx: RunContext, cancelled: boolean, stop?: UnitStopped): Promise<RunManifest> {
  const done: DoneUnit[] = units.filter((u) => isUnitDone(run.dir, u.key)).map((unit) => ({ unit, dir: unitDir(run.dir, unit.key) }));
  const failures = readFailures(run.dir, units);
  const complete = done.length === units.length;
  rctx.report({ phase: 'save', message: complete ? 'merging the units into tables' : `merging ${done.length} of ${units.length} finished units`, fraction: done.length / units.length });
  const results = done.length > 0 || exp.mergesEmpty ? await exp.merge(p, done, state, { ...rctx, complete }) : {};
  // Units that ran in other processes (children, Slurm tasks) recorded their backend; the manifest names one.
  const records = done.map((d) => unitRecord(d.dir));
  const backend = run.manifest.backend ?? records.map((r) => r?.backend).find((b) => b !== undefined);
  const unitSeconds = records.reduce((a, r) => a + (r?.seconds ?? 0), 0) + (stop?.trainSeconds ?? 0);
  const timings = { ...run.manifest.timings, ...(unitSeconds > 0 ? { trainSeconds: unitSeconds } : {}) };
  const patch = { ...(backend ? { backend } : {}), timings };
  if (complete) return run.finish('done', { ...patch, results });
  const partial = { ...results, ...stop?.results, partial: true };
  const kept = `${done.length} of ${units.length} units finished and are kept; datadiet runs resume ${run.id} runs the rest`;
  if (failures.length > 0) {
    const why = (f: UnitFailure) => `${f.error}${f.log ? ` (log: ${f.log})` : ''}`;
    // A one-unit job fails with its own words; a job of many lists its failed units.
    if (units.length === 1) return run.finish('failed', { ...patch, error: why(failures[0]), results: partial });
    const list = failures.slice(0, 3).map((f) => `${f.key}: ${why(f)}`).join('; ');
    return run.finish('failed', { ...patch, error: `${failures.length} unit${failures.length === 1 ? '' : 's'} failed: ${list}${failures.length > 3 ? '; …' : ''}. ${kept} (add --retry-failed to rerun the failed ones)`, results: partial });
  }
  const error = stop && units.length === 1 ? stop.stopped : `${cancelled ? 'cancelled' : 'stopped'}: ${kept}`;
  return run.finish(cancelled ? 'cancelled' : 'failed', { ...patch, error, results: partial });
}

/**
 * `datadiet unit <run> <index>`: runs one unit of a run in this process (a Slurm array task or a local child).
 * Writes only its unit folder (or failure record); the manifest belongs to the submitting and merging processes.
 */
export async function runUnitProcess(runDir: string, index: number, opts: { threads?: number; signal?: AbortSignal; log?: string }): Promise<'done' | 'cancelled' | 'failed' | 'already done'> {
  const summary = readRun(runDir);
  if (!summary.manifest) throw new Error(`${summary.problem ?? runDir}`);
  const { exp, p, units } = experimentOfRun(runDir);
  // A parent's IPC channel (--parallel) must not keep this process alive once its unit is over.
  process.channel?.unref();
  const unit = units[index];
  if (!unit) throw new Error(`${runDir}: the plan has ${units.length} units; there is no unit ${index}`);
  if (isUnitDone(runDir, unit.key)) return 'already done';
  const rctx: RunContext = { root: rootOfRun(runDir), runDir, runId: summary.manifest.id, signal: opts.signal, report: (pr) => process.stderr.write(`${pr.message}\n`) };
  try {
    const wanted = exp.backend?.(p);
    const backend = wanted ? await initBackend(wanted.choice, { threads: opts.threads ?? wanted.threads }) : undefined;
    const { state } = await exp.prepare(p, rctx);
    let last = 0;
    let sent = 0;
    const result = await runOneUnit(exp, p, state, unit, rctx, (f, pr) => {
      // To a parent that listens (a --parallel run), a few times a second.
      const now = Date.now();
      if (process.send && (now - sent > 250 || f >= 1)) {
        sent = now;
        process.send({ type: 'unit-progress', fraction: f, progress: pr } satisfies UnitProgressMessage);
      }
      // A line every few percent: enough to follow a log, not a flood.
      if (f - last >= 0.05 || f >= 1) {
        last = f;
        process.stderr.write(`[${(100 * f).toFixed(0)}%] ${pr.message}\n`);
      }
    }, { log: opts.log, backend });
    return result.outcome;
  } catch (e) {
    recordFailure(runDir, unit, (e as Error).message ?? String(e), opts.log);
    return 'failed';
  }
}

/** `datadiet merge <run>`: the dependent Slurm job that merges the units and finishes the manifest. */
export async function mergeRunProcess(runDir: string): Promise<RunManifest> {
  const summary = readRun(runDir);
  if (!summary.manifest) throw new Error(`${summary.problem ?? runDir}`);
  const { exp, p, units } = experimentOfRun(runDir);
  const run = new RunHandle(runDir, summary.manifest);
  const rctx: RunContext = { root: rootOfRun(runDir), runDir, runId: summary.manifest.id, report: (pr) => process.stderr.write(`${pr.message}\n`) };
  try {
    await planningBackend(exp);
    const { state } = await exp.prepare(p, rctx);
    return await finalize(run, exp, p, state, units, rctx, false);
  } catch (e) {
    finishOnError(run, e);
    throw e;
  }
}
