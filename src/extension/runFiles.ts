// Changes the extension makes to run directories itself (the engine writes everything else). Plain Node.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '../core/store/atomicWrite';
import type { RunManifest } from '../contract/runManifest';
import { MANIFEST } from '../core/store/runStore';

/**
 * Records a run as failed with the reason, if its manifest still says running (the engine died mid-run and could not
 * write it itself). Returns the new manifest, or undefined when there was nothing to change.
 */
export function markRunFailed(dir: string, reason: string, now = new Date()): RunManifest | undefined {
  const file = path.join(dir, MANIFEST);
  let m: RunManifest;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as RunManifest;
  } catch {
    return undefined;
  }
  if (m.status !== 'running') return undefined;
  const finishedAt = now.toISOString();
  const started = Date.parse(m.timings?.startedAt ?? m.createdAt);
  const next: RunManifest = {
    ...m,
    status: 'failed',
    error: reason,
    pid: undefined,
    updatedAt: finishedAt,
    timings: { ...m.timings, finishedAt, totalSeconds: Number.isFinite(started) ? (now.getTime() - started) / 1000 : undefined },
  };
  writeJsonAtomic(file, next);
  return next;
}

/** True when dir is a run folder directly under `<root>/.datadiet/runs` (the only folders delete may remove). */
export function isRunDirOf(runsBase: string, dir: string): boolean {
  const rel = path.relative(path.resolve(runsBase), path.resolve(dir));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) && !rel.includes(path.sep);
}

/** Deletes one run folder (asynchronously: a run of many units is thousands of files); refuses anything else. */
export async function deleteRunDir(runsBase: string, dir: string): Promise<void> {
  if (!isRunDirOf(runsBase, dir)) throw new Error(`${dir} is not a run folder under ${runsBase}`);
  await fs.promises.rm(dir, { recursive: true, force: true });
}

/** Names and modification times of the run folders (an atomic manifest rewrite touches its folder's mtime). */
export function runsSignature(base: string | undefined): string {
  if (!base) return '';
  try {
    return fs
      .readdirSync(base, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `${d.name}:${fs.statSync(path.join(base, d.name)).mtimeMs}`)
      .sort()
      .join('|');
  } catch {
    return '';
  }
}
