/**
 * What a user can do with a run that did not finish (the engine was killed, the machine slept, the disk filled):
 * resume it or delete it. Run ids come from users (CLI arguments), so they are checked to name a folder directly
 * under the runs folder: `datadiet runs delete ../../home` must not delete anything outside it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configStem } from '../../contract/runManifest';
import type { RunManifest } from './runManifest';
import { readResumePoint } from './resumePoint';
import { readRun, runsDir, type RunSummary } from './runStore';

/** Jobs a run can be restarted as; the run's `kind` is its job name. */
export const RESUMABLE_KINDS: readonly string[] = ['train', 'score', 'prune', 'window'];

const RUN_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** The folder of run `id` under root, refusing ids that are paths. */
export function runDirOf(root: string, id: string): string {
  if (!RUN_ID.test(id) || id === '..' || id.includes('..')) {
    throw new Error(`${id}: not a run id (letters, digits, _ . - only; see datadiet runs for the ids)`);
  }
  const dir = path.join(runsDir(root), id);
  if (!fs.existsSync(dir)) throw new Error(`${dir}: no run "${id}" here (see datadiet runs for the ids)`);
  return dir;
}

function readable(id: string, run: RunSummary): RunManifest {
  if (!run.manifest) throw new Error(`${run.problem ?? run.dir}; the run cannot be resumed (remove it with datadiet runs delete ${id})`);
  return run.manifest;
}

export interface ResumePlan {
  /** The job to start (the run's kind) and its parameters (the recorded configuration). */
  readonly job: string;
  readonly params: Record<string, unknown>;
  readonly from: RunManifest;
  /** How the run continues, in words: from a checkpoint, or from the start. */
  readonly how: string;
}

/**
 * How to resume a failed or cancelled run, as a new run that names the old one in `resumedFrom`. A training run
 * continues from the checkpoint it wrote at its last finished epoch (weights restored and the learning-rate
 * schedule continued; SGD momentum restarts and the data order from there differs, so results are close to, not
 * identical with, an uninterrupted run). Runs without one (score and sweep runs, or a train run killed in its
 * first epoch) rerun from the start with the recorded configuration and seeds.
 */
export function resumePlan(root: string, id: string): ResumePlan {
  const dir = runDirOf(root, id);
  const m = readable(id, readRun(dir));
  if (m.status === 'running') throw new Error(`run ${id} is still running (process ${m.pid ?? '?'}); cancel it first`);
  if (m.status === 'done') throw new Error(`run ${id} finished; nothing to resume (use "Rerun with the Same Configuration" to repeat it)`);
  if (!RESUMABLE_KINDS.includes(m.kind)) throw new Error(`run ${id} is a "${m.kind}" run, which cannot be resumed (resumable: ${RESUMABLE_KINDS.join(', ')})`);
  if (typeof m.config.dataset !== 'string') throw new Error(`${path.join(dir, 'manifest.json')}: the recorded configuration has no "dataset"; rerun it by hand`);
  const params: Record<string, unknown> = { ...m.config, stem: configStem(m.config), resumedFrom: m.id };
  const point = m.kind === 'train' ? readResumePoint(dir) : undefined;
  const total = typeof m.config.steps === 'number' ? ` of ${m.config.steps}` : '';
  const how = point
    ? `resuming ${id} from its checkpoint at epoch ${point.epoch} (step ${point.step}${total}): weights restored, schedule continued; momentum restarts`
    : `no checkpoint in ${id}: rerunning it from the start with its recorded configuration and seeds`;
  return { job: m.kind, params, from: m, how };
}

/** Delete run `id`'s folder; a run whose engine is still alive is refused (cancel it first). Returns the folder. */
export function deleteRun(root: string, id: string): string {
  const dir = runDirOf(root, id);
  const run = readRun(dir);
  // readRun turns a dead process's `running` into `failed`, so only a live run still reads as running.
  if (run.manifest?.status === 'running') throw new Error(`run ${id} is still running (process ${run.manifest.pid ?? '?'}); cancel it first`);
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}
