/**
 * A study step's run is found by what it is, not by a private index: the run folder under the study's root whose
 * params.json holds the same job and the same resolved parameters. So a study continues from its committed run
 * folders on any machine, a run made by hand with the same options is adopted, and a step whose parameters
 * changed is a new run. Starting, resuming and waiting go through the product's runner and executors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecutionRequest } from '../../src/contract/execution';
import type { JobName } from '../../src/contract/jobNames';
import { checkParams } from '../../src/contract/jobOptions';
import type { RunManifest } from '../../src/contract/runManifest';
import type { JobContext } from '../../src/core/experiments/job';
import { withBackboneHead } from '../../src/core/jobs/backboneHead';
import { experimentFor } from '../../src/core/jobs/registry';
import { waitForRun } from '../../src/core/jobs/runControl';
import { resumeRun, runJob } from '../../src/core/jobs/runner';
import { hasPlan, isUnitDone, readParams, readPlan } from '../../src/core/jobs/unitStore';
import { readRun, RunHandle, runsDir } from '../../src/core/store/runStore';
import { canonicalJson } from '../../src/core/store/canonicalJson';
import type { StudyStep } from './studyPlan';

/** Equal parameters give equal text (sorted keys, no undefined members). */
export const stableJson = canonicalJson;

/** Parameters as the runner resolves them (defaults applied, checked): what params.json records. */
function resolve(job: JobName, input: Readonly<Record<string, unknown>>): object {
  return experimentFor(job).resolve(withBackboneHead(checkParams(job, input))) as object;
}

/** The step's parameters as its run records them. */
export function resolvedParams(step: StudyStep, runOf: (stepId: string) => string): object {
  return resolve(step.job, step.input(runOf));
}

/**
 * A recorded run's parameters resolved again by this version: an option added since (with its default) is filled
 * in on both sides, so a later version of Data Diet still finds the study's finished runs. A run whose recorded
 * parameters this version refuses is not one of the study's.
 */
function reresolved(job: JobName, params: Record<string, unknown>): object | undefined {
  try {
    return resolve(job, params);
  } catch {
    return undefined;
  }
}

export interface FoundRun {
  readonly dir: string;
  readonly manifest: RunManifest;
  readonly unitsDone: number;
  readonly unitsTotal: number;
}

/** Every run folder under root, read once per call (the study has tens of runs, not thousands). */
export function indexRuns(root: string): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  let names: string[] = [];
  try {
    names = fs.readdirSync(runsDir(root));
  } catch {
    return byKey;
  }
  for (const name of names.sort()) {
    const dir = path.join(runsDir(root), name);
    if (!hasPlan(dir)) continue;
    try {
      const { job, params } = readParams(dir);
      const p = reresolved(job, params);
      if (!p) continue;
      const key = `${job} ${stableJson(p)}`;
      byKey.set(key, [...(byKey.get(key) ?? []), dir]);
    } catch {
      // Not a run of a job (or unreadable): not one of the study's.
    }
  }
  return byKey;
}

/** The run of a step: its finished run if there is one, else its newest unfinished one. */
export function findRun(index: Map<string, string[]>, step: StudyStep, params: object): FoundRun | undefined {
  const dirs = index.get(`${step.job} ${stableJson(params)}`) ?? [];
  const found = dirs
    .map((dir) => ({ dir, manifest: readRun(dir).manifest }))
    .filter((r): r is { dir: string; manifest: RunManifest } => r.manifest !== undefined);
  const pick = found.find((r) => r.manifest.status === 'done') ?? found[found.length - 1];
  if (!pick) return undefined;
  const plan = readPlan(pick.dir);
  return { ...pick, unitsDone: plan.filter((u) => isUnitDone(pick.dir, u.key)).length, unitsTotal: plan.length };
}

/**
 * A run left "running" by a local process that is gone (the study was stopped, the machine changed, the folder
 * came from a commit) is recorded as stopped so that it can be resumed. Only the study runs its runs, and the
 * study's lock says no other study process is alive, so a local run that says running is never really running.
 */
export function settleStopped(run: FoundRun): RunManifest {
  const m = run.manifest;
  if (m.status !== 'running' || m.execution?.executor === 'slurm') return m;
  return new RunHandle(run.dir, m).finish('failed', { error: `stopped: ${run.unitsDone} of ${run.unitsTotal} units finished and are kept; the reproduction resumes it` });
}

/**
 * Runs a step: a new run, or the rest of an unfinished one (its failed units tried once more). Local executors
 * return when it is finished; on Slurm it returns once submitted (status running) and `waitForRun` follows it.
 */
export async function startStep(step: StudyStep, params: object, found: FoundRun | undefined, runOf: (stepId: string) => string, ctx: JobContext, execution: ExecutionRequest): Promise<RunManifest> {
  if (found && found.manifest.status !== 'done') {
    const m = settleStopped(found);
    if (m.status === 'running') return m;
    return (await resumeRun(found.dir, ctx, { retryFailed: true, execution })).manifest;
  }
  const m = await runJob(step.job, step.input(runOf), ctx, { execution });
  // The runner resolved the same parameters: a mismatch would make the study lose track of its own run.
  const recorded = reresolved(step.job, readParams(path.join(runsDir(ctx.root), m.id)).params);
  if (stableJson(recorded) !== stableJson(params)) throw new Error(`${step.id}: run ${m.id} recorded other parameters than the study resolved`);
  return m;
}

export { waitForRun };

/**
 * A finished score run's units hold the same per-run columns as its merged tables (run_0 .. run_K-1 in the
 * parquet): a .gitignore in the run folder keeps those copies out of the committed study, which stays a third
 * smaller. An unfinished run keeps them: resuming it merges from them.
 */
export function ignoreMergedUnitColumns(run: FoundRun): void {
  if (run.manifest.status !== 'done' || run.manifest.kind !== 'score') return;
  const file = path.join(run.dir, '.gitignore');
  if (fs.existsSync(file)) return;
  fs.writeFileSync(file, '# The units\' score columns, merged into scores/*.parquet (run_k columns); written by npm run reproduce.\nunits/*/*.f32\n');
}
