/**
 * Where a training run can continue from after a crash: the weights at the end of its last finished epoch
 * (`epoch-<k>.json/.bin`, the checkpoint format of checkpoint.ts) and `resume.json` naming them, with the step
 * and epoch reached. Written at each epoch end, new checkpoint first, then resume.json (atomically), then the
 * previous checkpoint removed: a kill at any moment leaves resume.json pointing at complete weights.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Model } from '../models/model';
import { writeJsonAtomic } from './atomicWrite';
import { saveCheckpoint } from './checkpoint';

export const RESUME_FILE = 'resume.json';

export interface ResumePoint {
  /** The run folder holding the checkpoint. */
  readonly dir: string;
  /** Checkpoint name in that folder (epoch-<k>). */
  readonly checkpoint: string;
  readonly epoch: number;
  readonly step: number;
}

export async function saveResumePoint(model: Model, dir: string, epoch: number, step: number): Promise<void> {
  const previous = readResumePoint(dir);
  const checkpoint = `epoch-${epoch}`;
  await saveCheckpoint(model, dir, checkpoint);
  writeJsonAtomic(path.join(dir, RESUME_FILE), { checkpoint, epoch, step });
  if (previous && previous.checkpoint !== checkpoint) removeCheckpoint(dir, previous.checkpoint);
}

/** The resume point of a run folder, or undefined when it has none (or an unreadable one: then rerun). */
export function readResumePoint(dir: string): ResumePoint | undefined {
  let v: Partial<ResumePoint>;
  try {
    v = JSON.parse(fs.readFileSync(path.join(dir, RESUME_FILE), 'utf8')) as Partial<ResumePoint>;
  } catch {
    return undefined;
  }
  const ok = typeof v.checkpoint === 'string' && /^epoch-\d+$/.test(v.checkpoint) && Number.isInteger(v.epoch) && Number.isInteger(v.step) && v.step! > 0;
  if (!ok || !fs.existsSync(path.join(dir, `${v.checkpoint}.json`)) || !fs.existsSync(path.join(dir, `${v.checkpoint}.bin`))) return undefined;
  return { dir, checkpoint: v.checkpoint!, epoch: v.epoch!, step: v.step! };
}

/** Drops the resume point (the run finished: its final weights are what counts). */
export function clearResumePoint(dir: string): void {
  const p = readResumePoint(dir);
  fs.rmSync(path.join(dir, RESUME_FILE), { force: true });
  if (p) removeCheckpoint(dir, p.checkpoint);
}

function removeCheckpoint(dir: string, name: string): void {
  fs.rmSync(path.join(dir, `${name}.json`), { force: true });
  fs.rmSync(path.join(dir, `${name}.bin`), { force: true });
}
