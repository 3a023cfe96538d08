/**
 * A job is planned as deterministic work units (score run k; prune point strategy x fraction x repeat; window
 * offset x repeat; or the whole job as one unit). Each unit writes its output atomically to
 * `<run>/units/<key>/`; a unit whose folder exists is done and is never computed again.
 */
export interface WorkUnit {
  /** Position in the plan: the Slurm array task id that runs it. */
  readonly index: number;
  /** Folder name under units/: letters, digits, `.`, `_`, `-` and `=` only. */
  readonly key: string;
  /** In words, for progress and listings. */
  readonly label: string;
}

/** A unit that raised an error: `<run>/units/<key>.failed.json`. */
export interface UnitFailure {
  readonly key: string;
  readonly index: number;
  readonly error: string;
  /** The unit's log file (its output in a child process or a Slurm task), when it has one. */
  readonly log?: string;
  readonly host?: string;
  readonly at: string;
}

export interface UnitCounts {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  /** Neither done nor failed: waiting, running, or lost with a killed process. */
  readonly pending: number;
}

export const UNIT_KEY = /^[A-Za-z0-9][A-Za-z0-9._=-]*$/;
