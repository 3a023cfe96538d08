/**
 * Runs the study's steps in plan order through the product's executors: locally (each step's units one after
 * another, or --parallel N side by side) or on Slurm (every step whose inputs are ready is submitted as an array
 * job; the driver waits for any to finish and submits what that unblocks). A finished step is never run again;
 * an unfinished one continues from its finished units. One driver per study root at a time (a lock file).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExecutionRequest } from '../../src/contract/execution';
import type { JobProgress } from '../../src/contract/jobProgress';
import type { RunManifest } from '../../src/contract/runManifest';
import { settleVanishedSlurmRun, runUnits } from '../../src/core/jobs/runControl';
import { readRun, runsDir } from '../../src/core/store/runStore';
import { findRun, indexRuns, resolvedParams, startStep, type FoundRun } from './studyRuns';
import type { StudyStep } from './studyPlan';

export interface StepState {
  readonly step: StudyStep;
  /** Absent while a needed step has no finished run. */
  readonly params?: object;
  readonly run?: FoundRun;
  readonly waitingFor?: readonly string[];
}

/** Where every step stands now, from the run folders alone (what the report and `--status` read). */
export function studyState(root: string, steps: readonly StudyStep[]): StepState[] {
  const index = indexRuns(root);
  const done = new Map<string, string>();
  const out: StepState[] = [];
  for (const step of steps) {
    const waitingFor = step.needs.filter((n) => !done.has(n));
    if (waitingFor.length > 0) {
      out.push({ step, waitingFor });
      continue;
    }
    const params = resolvedParams(step, (id) => done.get(id)!);
    const run = findRun(index, step, params);
    if (run?.manifest.status === 'done') done.set(step.id, run.manifest.id);
    out.push({ step, params, run });
  }
  return out;
}

export interface DriveOptions {
  readonly root: string;
  readonly execution: ExecutionRequest;
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
  /** After every step that finishes (the caller rewrites the report). */
  readonly onStepDone?: () => Promise<void>;
  /** Seconds between looks at submitted Slurm runs. */
  readonly pollSeconds?: number;
}

/** Holds the study root for this process; refuses when another live process on this host holds it. */
export function lockStudy(root: string): () => void {
  const file = path.join(root, 'reproduce.lock');
  fs.mkdirSync(root, { recursive: true });
  try {
    const held = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number; host: string };
    if (held.host === os.hostname() && held.pid !== process.pid && alive(held.pid)) {
      throw new Error(`another reproduction (process ${held.pid}) is running in ${root}; stop it first, or wait for it`);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && !(e instanceof SyntaxError)) throw e;
  }
  fs.writeFileSync(file, JSON.stringify({ pid: process.pid, host: os.hostname() }) + '\n');
  return () => fs.rmSync(file, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const progressLine = (step: StudyStep) => (p: JobProgress) => {
  // Unit boundaries and failures, not every training step: the log of a study that runs for days stays readable.
  if (p.phase === 'eval' || p.phase === 'save') return `  ${step.id}: ${p.message}`;
  return undefined;
};

/** Runs every unfinished step whose inputs are finished, until none is left that can run. */
export async function driveStudy(steps: readonly StudyStep[], o: DriveOptions): Promise<{ done: number; failed: string[]; waiting: string[] }> {
  const inFlight = new Map<string, string>();
  const failed = new Set<string>();
  for (;;) {
    if (o.signal?.aborted) break;
    const states = studyState(o.root, steps);
    const ready = states.filter((s) => s.params && s.run?.manifest.status !== 'done' && !inFlight.has(s.step.id) && !failed.has(s.step.id));
    for (const s of ready) {
      if (o.signal?.aborted) break;
      const done = new Map(states.filter((x) => x.run?.manifest.status === 'done').map((x) => [x.step.id, x.run!.manifest.id]));
      o.log(`${s.step.id}: ${s.run ? `continuing run ${s.run.manifest.id} (${s.run.unitsDone} of ${s.run.unitsTotal} units done)` : 'starting'}: ${s.step.title}`);
      const line = progressLine(s.step);
      const m = await startStep(s.step, s.params!, s.run, (id) => done.get(id)!, { root: o.root, signal: o.signal, onProgress: (p) => { const l = line(p); if (l) o.log(l); } }, o.execution).catch((e: Error) => e);
      if (m instanceof Error) {
        o.log(`${s.step.id}: failed: ${m.message}`);
        failed.add(s.step.id);
        continue;
      }
      if (m.status === 'running') {
        inFlight.set(s.step.id, path.join(runsDir(o.root), m.id));
        continue;
      }
      if (m.status === 'done') {
        o.log(`${s.step.id}: done (run ${m.id})`);
        await o.onStepDone?.();
        // A finished step may unblock earlier-planned ones: look again from the top.
        break;
      }
      if (!o.signal?.aborted) {
        o.log(`${s.step.id}: ${m.status}: ${m.error ?? ''}`);
        failed.add(s.step.id);
      }
    }
    if (inFlight.size === 0) {
      if (ready.length === 0 || o.signal?.aborted) break;
      continue;
    }
    const ended = await waitForAny(inFlight, o);
    if (ended && ended.status !== 'done') failed.add(ended.id);
  }
  const final = studyState(o.root, steps);
  return {
    done: final.filter((s) => s.run?.manifest.status === 'done').length,
    failed: [...failed],
    waiting: final.filter((s) => s.run?.manifest.status !== 'done').map((s) => s.step.id),
  };
}

/** Polls the submitted Slurm runs until one of them is no longer running; that step and how it ended. */
async function waitForAny(inFlight: Map<string, string>, o: DriveOptions): Promise<{ id: string; status: string } | undefined> {
  for (;;) {
    for (const [id, dir] of inFlight) {
      let m: RunManifest | undefined = readRun(dir).manifest;
      const u = m ? await runUnits(dir, m) : undefined;
      if (m && u) m = settleVanishedSlurmRun(dir, m, u);
      if (!m || m.status !== 'running') {
        inFlight.delete(id);
        o.log(`${id}: ${m?.status ?? 'unreadable'}${m?.error ? `: ${m.error}` : ''}`);
        if (m?.status === 'done') await o.onStepDone?.();
        return { id, status: m?.status ?? 'unreadable' };
      }
    }
    if (o.signal?.aborted) return undefined;
    await new Promise((r) => setTimeout(r, (o.pollSeconds ?? 30) * 1000));
  }
}
