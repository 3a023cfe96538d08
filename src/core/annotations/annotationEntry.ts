/**
 * One line of annotations.jsonl: a user's decision about one training example. Entries are never edited or
 * removed: a later decision about the same example is a new entry, and the newest one counts (full history kept).
 * An example is named by its dataset index (binary datasets: IDX, CIFAR) or by its image path (manifests and
 * image folders; relative to the annotations file's folder, so the pair can be moved together).
 */
import { DataFormatError } from '../data/dataset';

export type AnnotationAction = 'relabel' | 'exclude' | 'ok' | 'flag';
export const ANNOTATION_ACTIONS: readonly AnnotationAction[] = ['relabel', 'exclude', 'ok', 'flag'];

export interface AnnotationEntry {
  /** Unique id: merging two writers' files unions entries by id. */
  readonly id: string;
  /** Train-split index (binary datasets). */
  readonly index?: number;
  /** Image path (manifest / folder datasets). */
  readonly path?: string;
  /** The label the user saw (class index or class name). */
  readonly originalLabel?: number | string;
  readonly action: AnnotationAction;
  /** For `relabel`: the corrected label (class index or class name). */
  readonly newLabel?: number | string;
  readonly note?: string;
  /** ISO 8601 time of the decision. */
  readonly time: string;
  /** Who wrote it: a window or session id. */
  readonly author?: string;
}

export type NewAnnotation = Omit<AnnotationEntry, 'id' | 'time'> & { readonly id?: string; readonly time?: string };

/** The example an entry is about: `path:<p>` or `index:<i>`. */
export function exampleKey(e: Pick<AnnotationEntry, 'index' | 'path'>): string {
  return e.path !== undefined ? `path:${e.path}` : `index:${e.index}`;
}

let counter = 0;
/** Time-ordered unique id (time, process, counter, random): two windows never collide. */
export function newEntryId(now = new Date()): string {
  counter = (counter + 1) % 1_000_000;
  return `${now.getTime().toString(36)}-${process.pid.toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

const isLabel = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'string' && v.length > 0);

/** What is wrong with an entry: the field, the problem in words and how to fix it. */
export interface EntryProblem {
  readonly field: string;
  readonly message: string;
  readonly fix: string;
}

const problem = (field: string, message: string, fix: string): EntryProblem => ({ field, message, fix });

/** Checks one parsed line; returns the problem, or undefined when it is a valid entry. */
export function entryProblem(v: unknown): EntryProblem | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return problem('line', 'not a JSON object', 'each line must be one annotation object; delete the line or restore it from the .corrupt copy');
  const e = v as Record<string, unknown>;
  if (typeof e.id !== 'string' || !e.id) return problem('id', 'missing "id"', 'give the entry a unique "id" string, or delete the line');
  if (!ANNOTATION_ACTIONS.includes(e.action as AnnotationAction)) return problem('action', `"action" must be one of ${ANNOTATION_ACTIONS.join(', ')}`, `set "action" to one of ${ANNOTATION_ACTIONS.join(', ')}`);
  if (e.index === undefined && e.path === undefined) return problem('index', 'needs "index" or "path"', 'name the example by "index" (binary datasets) or "path" (image files)');
  if (e.index !== undefined && !(typeof e.index === 'number' && Number.isInteger(e.index) && e.index >= 0)) return problem('index', '"index" must be a non-negative integer', 'use the example\'s train-split index (0, 1, ...)');
  if (e.path !== undefined && (typeof e.path !== 'string' || !e.path)) return problem('path', '"path" must be a non-empty string', 'use the image path relative to the annotations file\'s folder');
  if (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time))) return problem('time', '"time" must be an ISO date', 'write the time as ISO 8601, e.g. 2026-12-01T12:00:00Z');
  if (e.action === 'relabel' && !isLabel(e.newLabel)) {
    return problem('newLabel', `"relabel" needs "newLabel" (class index or name)${e.newLabel === undefined ? '' : `, got ${JSON.stringify(e.newLabel)}`}`, 'set "newLabel" to a class index from 0 or a class name');
  }
  if (e.originalLabel !== undefined && !isLabel(e.originalLabel)) return problem('originalLabel', '"originalLabel" must be a class index or name', 'use a class index from 0 or a class name, or drop "originalLabel"');
  return undefined;
}

/**
 * A new entry with id and time filled in; `file` (the annotations file it is for) is named in the error when the
 * entry is invalid, with the field and the fix.
 */
export function makeEntry(a: NewAnnotation, now = new Date(), file = 'annotations.jsonl'): AnnotationEntry {
  const e: AnnotationEntry = { ...a, id: a.id ?? newEntryId(now), time: a.time ?? now.toISOString() };
  const p = entryProblem(e);
  if (p) {
    const about = e.path !== undefined || e.index !== undefined ? ` for ${exampleKey(e)}` : '';
    throw new DataFormatError(file, `new annotation${about}, field "${p.field}": ${p.message}; nothing was written`, p.fix);
  }
  return e;
}

/** Oldest first: by time, then id (deterministic for equal times). */
export function compareEntries(a: AnnotationEntry, b: AnnotationEntry): number {
  const ta = Date.parse(a.time);
  const tb = Date.parse(b.time);
  return ta - tb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Union by id, oldest first; an id seen twice keeps its first copy. Never drops a distinct entry. */
export function mergeEntries(...lists: readonly (readonly AnnotationEntry[])[]): AnnotationEntry[] {
  const byId = new Map<string, AnnotationEntry>();
  for (const list of lists) for (const e of list) if (!byId.has(e.id)) byId.set(e.id, e);
  return [...byId.values()].sort(compareEntries);
}

/** The decision in force per example: the newest entry (last writer wins), history left in the file. */
export function latestByExample(entries: readonly AnnotationEntry[]): Map<string, AnnotationEntry> {
  const out = new Map<string, AnnotationEntry>();
  for (const e of [...entries].sort(compareEntries)) out.set(exampleKey(e), e);
  return out;
}
