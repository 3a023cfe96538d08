/**
 * annotations.jsonl: one AnnotationEntry per line, oldest first. Every write takes the file's lock, re-reads it
 * (so entries another window wrote meanwhile are kept: writers merge, never drop), adds the new entries and
 * replaces the file atomically (temp + fsync + rename), so a crash at any moment leaves the old or the new file,
 * never a torn one. A file with a line that is not a valid entry is never overwritten: before the next write it
 * is renamed aside (`annotations.jsonl.corrupt-<time>`), its readable entries are carried over, and the problem is
 * reported naming the file and line. Listeners (views) hear about every change through `onChange`.
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFormatError } from '../data/dataset';
import { writeFileAtomic } from '../store/atomicWrite';
import { entryProblem, latestByExample, makeEntry, mergeEntries, type AnnotationEntry, type NewAnnotation } from './annotationEntry';
import { withLock, type LockOptions } from './lockFile';

export const ANNOTATIONS_FILE = 'annotations.jsonl';

export interface FileProblem {
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** The problem; names the field when one is at fault. */
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}

export interface AnnotationsRead {
  readonly entries: AnnotationEntry[];
  readonly problems: FileProblem[];
}

/** Parses annotations.jsonl text; bad lines are reported (file and line), good ones kept. */
export function parseAnnotations(text: string, file: string): AnnotationsRead {
  const entries: AnnotationEntry[] = [];
  const problems: FileProblem[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      problems.push({ file, line: i + 1, message: `not valid JSON (${(e as Error).message})`, fix: 'a line cut off by a crash or a bad edit: delete it, or complete the JSON object' });
      return;
    }
    const why = entryProblem(v);
    if (why) problems.push({ file, line: i + 1, message: why.field === 'line' ? why.message : `field "${why.field}": ${why.message}`, fix: why.fix });
    else entries.push(v as AnnotationEntry);
  });
  return { entries: mergeEntries(entries), problems };
}

export function readAnnotationsFile(file: string): AnnotationsRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], problems: [] };
    throw new DataFormatError(file, `cannot read annotations (${(e as Error).message})`, 'check that the file is readable (permissions, not a folder)');
  }
  return parseAnnotations(text, file);
}

export function formatAnnotations(entries: readonly AnnotationEntry[]): string {
  return entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : '');
}

export function describeProblems(problems: readonly FileProblem[]): string {
  const first = problems.slice(0, 3).map((p) => `${p.file}:${p.line}: ${p.message} (fix: ${p.fix})`);
  return first.join('; ') + (problems.length > 3 ? ` (and ${problems.length - 3} more)` : '');
}

export interface ChangeEvent {
  /** Entries this store just wrote (empty when the change came from outside, e.g. another window). */
  readonly added: readonly AnnotationEntry[];
  /** Set when a corrupt file was moved aside on this write. */
  readonly quarantined?: { readonly movedTo: string; readonly problems: readonly FileProblem[] };
}

export interface StoreOptions extends LockOptions {
  /** Written into every entry: which window or session made the decision. */
  readonly author?: string;
}

export class AnnotationStore {
  private readonly events = new EventEmitter();
  constructor(
    readonly file: string,
    private readonly opts: StoreOptions = {},
  ) {}

  /** Current entries and any unreadable lines (nothing is modified). */
  read(): AnnotationsRead {
    return readAnnotationsFile(this.file);
  }

  /** Newest decision per example. */
  latest(): Map<string, AnnotationEntry> {
    return latestByExample(this.read().entries);
  }

  /** Adds entries (durable when this returns); returns them with ids and times filled in. */
  append(items: readonly NewAnnotation[]): AnnotationEntry[] {
    const now = new Date();
    const added = items.map((a) => makeEntry({ author: this.opts.author, ...a }, now, this.file));
    return this.write(added).added as AnnotationEntry[];
  }

  /** Merges another annotations file (e.g. from a second copy of the dataset) into this one, by entry id. */
  mergeFrom(otherFile: string): AnnotationEntry[] {
    const other = readAnnotationsFile(otherFile);
    if (other.problems.length) throw new DataFormatError(otherFile, `cannot merge, unreadable lines: ${describeProblems(other.problems)}`, `fix those lines first; ${this.file} was not changed`);
    return this.write(other.entries).added as AnnotationEntry[];
  }

  /** Tells the store the file changed outside it (a file watcher): listeners re-read. */
  notifyExternalChange(): void {
    this.events.emit('change', { added: [] } satisfies ChangeEvent);
  }

  onChange(listener: (e: ChangeEvent) => void): { dispose(): void } {
    this.events.on('change', listener);
    return { dispose: () => this.events.off('change', listener) };
  }

  private write(added: readonly AnnotationEntry[]): ChangeEvent {
    const event = withLock(
      this.file,
      (): ChangeEvent => {
        const current = readAnnotationsFile(this.file);
        let quarantined: ChangeEvent['quarantined'];
        if (current.problems.length) {
          // Keep the user's file as it is, under a new name; carry its readable entries into the new one.
          const movedTo = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
          fs.renameSync(this.file, movedTo);
          quarantined = { movedTo, problems: current.problems };
        }
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        writeFileAtomic(this.file, formatAnnotations(mergeEntries(current.entries, added)));
        return { added, ...(quarantined ? { quarantined } : {}) };
      },
      this.opts,
    );
    this.events.emit('change', event);
    return event;
  }
}
