/**
 * The work units of a run on disk:
 *   plan.json                 the planned units, in order (index = Slurm array task id)
 *   params.json               the job and its resolved parameters, exactly as every unit process reads them
 *   units/<key>/              a finished unit's output; it appears by one rename, so it is complete or absent
 *   units/<key>.failed.json   a unit that raised an error (error, log file, host)
 *   units/.staging-*          a unit being written (left by a killed process; removed before a resume)
 *   logs/unit-<index>.log     a unit's output when it ran in a child process or a Slurm task
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UNIT_KEY, type UnitCounts, type UnitFailure, type WorkUnit } from '../../contract/workUnit';
import { writeJsonAtomic } from '../store/atomicWrite';
import { isJobName, JOB_NAMES, type JobName } from '../../contract/jobNames';

export const PLAN_FILE = 'plan.json';
export const PARAMS_FILE = 'params.json';
const UNITS = 'units';
const STAGING = '.staging-';

export const unitsDir = (runDir: string) => path.join(runDir, UNITS);
export const unitDir = (runDir: string, key: string) => path.join(runDir, UNITS, key);
/** A unit's log; `index` may be a placeholder the scheduler fills in (Slurm's `%a`). */
export const unitLog = (runDir: string, index: number | string) => path.join(runDir, 'logs', `unit-${index}.log`);
const failureFile = (runDir: string, key: string) => path.join(runDir, UNITS, `${key}.failed.json`);

export function writePlan(runDir: string, job: JobName, units: readonly WorkUnit[], params: object): void {
  for (const [i, u] of units.entries()) {
    if (u.index !== i) throw new Error(`unit ${u.key} has index ${u.index} at position ${i} of the plan`);
    if (!UNIT_KEY.test(u.key)) throw new Error(`unit key "${u.key}" is not a plain folder name`);
  }
  if (new Set(units.map((u) => u.key)).size !== units.length) throw new Error('two units of the plan share a key');
  fs.mkdirSync(unitsDir(runDir), { recursive: true });
  fs.mkdirSync(path.join(runDir, 'logs'), { recursive: true });
  writeJsonAtomic(path.join(runDir, PARAMS_FILE), { job, params });
  writeJsonAtomic(path.join(runDir, PLAN_FILE), { units });
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file}: missing; this run has no ${what} (it was made before work units, or its folder is incomplete)`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: invalid JSON (${(e as Error).message})`);
  }
}

export function hasPlan(runDir: string): boolean {
  return fs.existsSync(path.join(runDir, PLAN_FILE)) && fs.existsSync(path.join(runDir, PARAMS_FILE));
}

export function readPlan(runDir: string): WorkUnit[] {
  const v = readJson(path.join(runDir, PLAN_FILE), 'plan') as { units?: unknown };
  if (!Array.isArray(v.units)) throw new Error(`${path.join(runDir, PLAN_FILE)}: no "units" list`);
  return v.units as WorkUnit[];
}

export function readParams(runDir: string): { readonly job: JobName; readonly params: Record<string, unknown> } {
  const file = path.join(runDir, PARAMS_FILE);
  const v = readJson(file, 'parameters') as { job?: unknown; params?: unknown };
  if (!isJobName(v.job)) throw new Error(`${file}: "job" must be one of ${JOB_NAMES.join(', ')}`);
  if (typeof v.params !== 'object' || v.params === null || Array.isArray(v.params)) throw new Error(`${file}: "params" must be an object`);
  return { job: v.job, params: v.params as Record<string, unknown> };
}

export function isUnitDone(runDir: string, key: string): boolean {
  return fs.existsSync(unitDir(runDir, key));
}

/**
 * Runs `write` into a fresh staging folder (it returns false when cancelled) and publishes it as units/<key>/ with one rename. If another process
 * published the unit meanwhile (a resume racing a Slurm task), its output stands and this one is dropped: both
 * computed the same unit from the same streams.
 */
export async function commitUnit(runDir: string, key: string, write: (dir: string) => Promise<boolean>): Promise<boolean> {
  const staging = path.join(unitsDir(runDir), `${STAGING}${key}-${os.hostname()}-${process.pid}-${Date.now()}`);
  fs.mkdirSync(staging, { recursive: true });
  try {
    // false: cancelled half-way; nothing is published.
    if (!(await write(staging))) return false;
    try {
      fs.renameSync(staging, unitDir(runDir, key));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    }
    fs.rmSync(failureFile(runDir, key), { force: true });
    return true;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Records why a unit failed; the next successful run of it removes the record. */
export function recordFailure(runDir: string, unit: WorkUnit, error: string, log?: string): UnitFailure {
  const failure: UnitFailure = { key: unit.key, index: unit.index, error, ...(log ? { log } : {}), host: os.hostname(), at: new Date().toISOString() };
  writeJsonAtomic(failureFile(runDir, unit.key), failure);
  return failure;
}

export function readFailures(runDir: string, plan: readonly WorkUnit[]): UnitFailure[] {
  const out: UnitFailure[] = [];
  for (const u of plan) {
    const file = failureFile(runDir, u.key);
    if (!fs.existsSync(file) || isUnitDone(runDir, u.key)) continue;
    try {
      out.push(JSON.parse(fs.readFileSync(file, 'utf8')) as UnitFailure);
    } catch {
      out.push({ key: u.key, index: u.index, error: `${file}: unreadable failure record`, at: '' });
    }
  }
  return out;
}

export function clearFailure(runDir: string, key: string): void {
  fs.rmSync(failureFile(runDir, key), { force: true });
}

/** Staging folders left by killed processes. */
export function removeStaleStaging(runDir: string): void {
  const dir = unitsDir(runDir);
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) if (name.startsWith(STAGING)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
}

export function unitCounts(runDir: string, plan: readonly WorkUnit[]): UnitCounts {
  const done = plan.filter((u) => isUnitDone(runDir, u.key)).length;
  const failed = readFailures(runDir, plan).length;
  return { total: plan.length, done, failed, pending: plan.length - done - failed };
}
