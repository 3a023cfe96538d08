/**
 * The Slurm executor: Slurm schedules, we only describe. A run's missing units become one array job (array task
 * id = the unit's index in plan.json, each task runs `datadiet unit <run> <index>`), and its merge one job that
 * depends on it (afterany: it also runs when units failed, and records which). Status comes from squeue; cancel is
 * scancel. The job scripts are written into the run folder, so a user can read, edit and resubmit them by hand.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecutionRecord, SlurmOptions } from '../../contract/execution';
import type { WorkUnit } from '../../contract/workUnit';
import { unitLog } from '../jobs/unitStore';
import { datadietCommand } from './unitCommand';

const TMPFS_MAGIC = 0x01021994;

/** Single quotes for bash: the path may hold spaces or quotes. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Every node must see the run folder. A folder under /tmp, /var/tmp, /dev/shm or on a tmpfs is local to this
 * machine: refuse it, unless the user says the cluster is this one machine.
 */
export function localRunDirProblem(runDir: string): string | undefined {
  const abs = path.resolve(runDir);
  const local = ['/tmp', '/var/tmp', '/dev/shm', '/run'].find((d) => abs === d || abs.startsWith(d + '/'));
  let tmpfs = false;
  try {
    tmpfs = fs.statfsSync(abs).type === TMPFS_MAGIC;
  } catch {
    /* statfs unsupported: the path check stands */
  }
  if (!local && !tmpfs) return undefined;
  return `${abs} is on ${local ? `${local}, ` : ''}a filesystem local to this machine, which other cluster nodes cannot see; put the workspace (--root) on a shared filesystem (home or project space), or pass --slurm-allow-local-dir on a single-node cluster`;
}

/** Array spec for sbatch: ranges where indices run consecutively (`0-3,7,9-10`), then `%max`. */
export function arraySpec(indices: readonly number[], maxConcurrent?: number): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',') + (maxConcurrent ? `%${maxConcurrent}` : '');
}

/** sbatch arguments from the options (resources of one unit). */
export function resourceArgs(o: SlurmOptions, forMerge = false): string[] {
  return [
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.time ? [`--time=${o.time}`] : []),
    `--cpus-per-task=${forMerge ? 1 : o.cpusPerUnit}`,
    ...(o.memPerUnit ? [`--mem=${o.memPerUnit}`] : []),
    ...(!forMerge && o.gpusPerUnit > 0 ? [`--gres=gpu:${o.gpusPerUnit}`] : []),
    ...o.extraArgs,
  ];
}

export function unitScript(runDir: string, runId: string): string {
  const { node, script } = datadietCommand();
  // The task id goes between the quoted halves of the log's path, where bash expands it.
  const [before, after] = unitLog(runDir, '\0').split('\0');
  return [
    '#!/bin/bash',
    `# Data Diet run ${runId}: one Slurm array task per work unit (the task id is the unit's index in plan.json).`,
    '# Each task writes only its own folder under units/; a unit already done exits at once.',
    'set -euo pipefail',
    `exec ${shellQuote(node)} ${shellQuote(script)} unit ${shellQuote(runDir)} "$SLURM_ARRAY_TASK_ID" --threads "\${SLURM_CPUS_PER_TASK:-1}" --log ${shellQuote(before)}"$SLURM_ARRAY_TASK_ID"${shellQuote(after)}`,
    '',
  ].join('\n');
}

export function mergeScript(runDir: string, runId: string): string {
  const { node, script } = datadietCommand();
  return ['#!/bin/bash', `# Data Diet run ${runId}: merges the finished units into the tables and finishes the manifest.`, 'set -euo pipefail', `exec ${shellQuote(node)} ${shellQuote(script)} merge ${shellQuote(runDir)}`, ''].join('\n');
}

function sbatch(args: readonly string[]): string {
  let out: string;
  try {
    out = execFileSync('sbatch', ['--parsable', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('sbatch is not on PATH: submit from a Slurm login node (or use --executor local)');
    throw new Error(`sbatch refused the job: ${(err.stderr ?? err.message).trim()}`);
  }
  // --parsable prints "<id>" or "<id>;<cluster>".
  const id = out.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw new Error(`sbatch answered "${out.trim()}" instead of a job id`);
  return id;
}

/** Writes the scripts and submits the units and their merge; returns what the manifest records. */
export function submitToSlurm(runDir: string, runId: string, units: readonly WorkUnit[], o: SlurmOptions): ExecutionRecord {
  const dir = path.resolve(runDir);
  if (!o.allowLocalRunDir) {
    const problem = localRunDirProblem(dir);
    if (problem) throw new Error(problem);
  }
  const slurmDir = path.join(dir, 'slurm');
  fs.mkdirSync(slurmDir, { recursive: true });
  const unitsSh = path.join(slurmDir, 'units.sh');
  const mergeSh = path.join(slurmDir, 'merge.sh');
  fs.writeFileSync(unitsSh, unitScript(dir, runId), { mode: 0o755 });
  fs.writeFileSync(mergeSh, mergeScript(dir, runId), { mode: 0o755 });
  const indices = units.map((u) => u.index);
  const arrayJobId = sbatch([
    `--job-name=datadiet-${runId}`,
    `--array=${arraySpec(indices, o.maxConcurrent)}`,
    `--output=${unitLog(dir, '%a')}`,
    '--open-mode=append',
    `--chdir=${dir}`,
    ...resourceArgs(o),
    unitsSh,
  ]);
  let mergeJobId: string;
  try {
    mergeJobId = sbatch([`--job-name=datadiet-${runId}-merge`, `--dependency=afterany:${arrayJobId}`, `--output=${path.join(dir, 'logs', 'merge.log')}`, '--open-mode=append', `--chdir=${dir}`, ...resourceArgs(o, true), mergeSh]);
  } catch (e) {
    execFileSync('scancel', [arrayJobId], { stdio: 'ignore' });
    throw e;
  }
  return { executor: 'slurm', slurm: { arrayJobId, mergeJobId, script: unitsSh, units: indices }, slurmOptions: o };
}

export interface SlurmQueueState {
  /** Array tasks still in the queue, by unit index: PENDING, RUNNING, ... as squeue says. */
  readonly tasks: ReadonlyMap<number, string>;
  /** The merge job's state, when it is still queued or running. */
  readonly merge?: string;
}

/** Parses `squeue -h -r -o '%i|%T'` lines (`123_4|RUNNING`, `124|PENDING`). */
export function parseSqueue(text: string, arrayJobId: string, mergeJobId?: string): SlurmQueueState {
  const tasks = new Map<number, string>();
  let merge: string | undefined;
  for (const line of text.split('\n')) {
    const [id, state] = line.trim().split('|');
    if (!id || !state) continue;
    const m = /^(\d+)_(\d+)$/.exec(id);
    if (m && m[1] === arrayJobId) tasks.set(Number(m[2]), state);
    else if (id === mergeJobId) merge = state;
  }
  return { tasks, merge };
}

const squeueArgs = (ids: readonly string[]) => ['-h', '-r', '-o', '%i|%T', '-j', ids.join(',')];

/** squeue without blocking the caller (the extension host polls this); a job Slurm forgot is simply absent. */
export function querySlurm(arrayJobId: string, mergeJobId?: string): Promise<SlurmQueueState> {
  const ids = [arrayJobId, ...(mergeJobId ? [mergeJobId] : [])];
  return new Promise((resolve, reject) => {
    execFile('squeue', squeueArgs(ids), { encoding: 'utf8', timeout: 15_000 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error('squeue is not on PATH: this machine cannot see the Slurm cluster that runs this run'));
      // "Invalid job id specified": every job of the run has left the queue.
      if (err && !/invalid job id/i.test(stderr)) return reject(new Error(`squeue failed: ${stderr.trim() || err.message}`));
      resolve(parseSqueue(err ? '' : stdout, arrayJobId, mergeJobId));
    });
  });
}

/** scancel, without blocking the caller (the extension host cancels through this). */
export function cancelSlurmJobs(ids: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('scancel', [...ids], { encoding: 'utf8', timeout: 30_000 }, (err, _out, stderr) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error('scancel is not on PATH: cancel from a Slurm login node'));
      reject(new Error(`scancel failed: ${stderr.trim() || err.message}`));
    });
  });
}
