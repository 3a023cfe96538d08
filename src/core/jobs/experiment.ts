import type { JobName } from '../../contract/jobNames';
import type { JobInput } from '../../contract/jobOptions';
import type { JobProgress } from '../../contract/jobProgress';
import type { RunManifest } from '../../contract/runManifest';
import type { WorkUnit } from '../../contract/workUnit';
import type { BackendChoice } from '../compute/backend';

/** Progress of one part of a job, without the run's id and folder (the runner adds them). */
export type Report = (p: Omit<JobProgress, 'runId' | 'runDir'>) => void;

export interface RunContext {
  readonly root: string;
  readonly runDir: string;
  readonly runId: string;
  readonly signal?: AbortSignal;
  readonly report: Report;
}

export interface UnitContext extends RunContext {
  /** The unit's staging folder: write its output here (published as units/<key>/ when runUnit returns true). */
  readonly outDir: string;
  /** Progress within this unit in [0, 1]; the runner maps it onto the whole job. */
  readonly progress: (fraction: number, p: Omit<JobProgress, 'runId' | 'runDir' | 'fraction'>) => void;
}

/** A unit stopped by a cancel, in words, with the partial results it reached. */
export interface UnitStopped {
  readonly stopped: string;
  readonly results?: Record<string, unknown>;
  readonly trainSeconds?: number;
}

/** A finished unit: its plan entry and its published folder. */
export interface DoneUnit {
  readonly unit: WorkUnit;
  readonly dir: string;
}

/** What prepare records in the manifest (dataset, model, derived config) before any unit runs. */
export type ManifestPatch = Partial<Pick<RunManifest, 'dataset' | 'model' | 'backend' | 'config'>>;

/**
 * An experiment as the runner drives it (core/jobs/runner.ts). The runner owns the prologue every experiment used
 * to copy: the run folder, the compute backend, failure and cancellation; an experiment says what its units are,
 * how one runs and how finished units merge into its tables.
 *
 * J: the job; P: its resolved parameters (defaults applied, validated); S: what `prepare` loads once per process
 * (data, scores) and every unit of that process shares.
 */
export interface Experiment<P extends object, S, J extends JobName = JobName> {
  readonly job: J;
  /**
   * Defaults applied and the combination checked (each value was already checked against the job's option
   * metadata: contract/jobOptions.ts); throws an Error whose message says what to change.
   */
  resolve(input: JobInput<J>): P;
  /** The seeds the user gave, for the manifest (`root` = --seed). */
  seeds(p: P): Record<string, number>;
  /** Deterministic: the same parameters give the same units in the same order, in every process. */
  plan(p: P): WorkUnit[];
  /** Loads what the units need. Runs in the submitting process (to fail early) and in every unit process. */
  prepare(p: P, ctx: RunContext): Promise<{ readonly state: S; readonly record?: ManifestPatch }>;
  /** The compute backend units need (absent: they need none, e.g. an analysis of finished score runs). */
  backend?(p: P): { readonly choice: BackendChoice; readonly threads?: number };
  /**
   * Runs one unit, writing into ctx.outDir; true when finished. When cancelled: false, or what the stopped unit
   * leaves for the manifest (a one-unit training says how far it got and keeps its partial results).
   */
  runUnit(unit: WorkUnit, p: P, state: S, ctx: UnitContext): Promise<boolean | UnitStopped>;
  /** Merge also when no unit finished (a sweep writes its empty, partial table), so readers always find it. */
  readonly mergesEmpty?: boolean;
  /**
   * The tables from the finished units (all of them, or fewer when the run stopped early: `complete` false), and
   * the results for the manifest. Must give the same tables whichever process or executor ran the units.
   */
  merge(p: P, done: readonly DoneUnit[], state: S, ctx: RunContext & { readonly complete: boolean }): Promise<Record<string, unknown>> | Record<string, unknown>;
}

/** An experiment of any parameters, as the registry holds it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyExperiment = Experiment<any, any, any>;

/** The backend of an experiment that trains: the one its parameters name, with their threads. */
export function trainingBackend(p: { readonly backend: BackendChoice; readonly threads?: number }): { readonly choice: BackendChoice; readonly threads?: number } {
  return { choice: p.backend, threads: p.threads };
}

/** The seeds a training records: its root seed, and the data-order seed when one was given apart. */
export function trainingSeeds(p: { readonly seed: number; readonly dataSeed?: number }): Record<string, number> {
  return { root: p.seed, ...(p.dataSeed !== undefined ? { data: p.dataSeed } : {}) };
}
