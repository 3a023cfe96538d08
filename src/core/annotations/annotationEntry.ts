/**
 * One line of annotations.jsonl: a user's decision about one training example. Entries are never edited or
 * removed: a later decision about the same example is a new entry, and the newest one counts (full history kept).
 * An example is named by its dataset index (binary datasets: IDX, CIFAR) or by its image path (manifests and
 * image folders; relative to the annotations file's folder, so the pair can be moved together).
 */
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

/** Checks one parsed line; returns the problem in words, or undefined when it is a valid entry. */
export function entryProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const e = v as Record<string, unknown>;
  if (typeof e.id !== 'string' || !e.id) return 'missing "id"';
  if (!ANNOTATION_ACTIONS.includes(e.action as AnnotationAction)) return `"action" must be one of ${ANNOTATION_ACTIONS.join(', ')}`;
  if (e.index === undefined && e.path === undefined) return 'needs "index" or "path"';
  if (e.index !== undefined && !(typeof e.index === 'number' && Number.isInteger(e.index) && e.index >= 0)) return '"index" must be a non-negative integer';
  if (e.path !== undefined && (typeof e.path !== 'string' || !e.path)) return '"path" must be a non-empty string';
  if (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time))) return '"time" must be an ISO date';
  if (e.action === 'relabel' && !isLabel(e.newLabel)) return '"relabel" needs "newLabel" (class index or name)';
  if (e.originalLabel !== undefined && !isLabel(e.originalLabel)) return '"originalLabel" must be a class index or name';
  return undefined;
}

export function makeEntry(a: NewAnnotation, now = new Date()): AnnotationEntry {
  const e: AnnotationEntry = { ...a, id: a.id ?? newEntryId(now), time: a.time ?? now.toISOString() };
  const problem = entryProblem(e);
  if (problem) throw new RangeError(`invalid annotation: ${problem}`);
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
