/**
 * Who runs a job's work units. No scheduler of our own: in-process or plain child processes locally, or a Slurm
 * array job (one array task per unit, the merge as a dependent job).
 */
export const EXECUTOR_NAMES = ['local', 'slurm'] as const;
export type ExecutorName = (typeof EXECUTOR_NAMES)[number];

export interface SlurmOptions {
  readonly partition?: string;
  /** Time limit per unit, in Slurm's syntax (e.g. `2:00:00`). */
  readonly time?: string;
  readonly cpusPerUnit: number;
  /** Memory per unit in Slurm's syntax (e.g. `8G`); the cluster's default when absent. */
  readonly memPerUnit?: string;
  /** GPUs per unit (`--gres=gpu:N`); 0 = none. */
  readonly gpusPerUnit: number;
  /** At most this many units at once (`--array=...%N`); unlimited when absent. */
  readonly maxConcurrent?: number;
  /** More sbatch arguments, passed as given (e.g. `--account=proj`, `--qos=long`). */
  readonly extraArgs: readonly string[];
  /** Submit although the run folder looks local to this machine (e.g. /tmp): only on a single-node cluster. */
  readonly allowLocalRunDir: boolean;
}

export const SLURM_DEFAULTS: SlurmOptions = { cpusPerUnit: 1, gpusPerUnit: 0, extraArgs: [], allowLocalRunDir: false };

export type ExecutionRequest =
  | { readonly executor: 'local'; /** Child processes at once; 1 = in this process. */ readonly parallel: number }
  | { readonly executor: 'slurm'; readonly slurm: SlurmOptions };

export const LOCAL_EXECUTION: ExecutionRequest = { executor: 'local', parallel: 1 };

/** What the run manifest records of its execution. */
export interface ExecutionRecord {
  readonly executor: ExecutorName;
  readonly parallel?: number;
  /** Slurm: the array job running the units and the dependent job merging them. */
  readonly slurm?: { readonly arrayJobId: string; readonly mergeJobId: string; readonly script: string; readonly units: readonly number[] };
  /** The options it was submitted with: a resume submits the missing units with them again. */
  readonly slurmOptions?: SlurmOptions;
}

/** Where a unit stands on Slurm, from squeue (queued/running) or its folder (done/failed). */
export type SlurmUnitState = 'queued' | 'running' | 'done' | 'failed' | 'missing';
