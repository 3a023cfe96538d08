/**
 * Manifest datasets: a CSV (`path,label`) or JSONL (`{"path": ..., "label": ...}`) file listing images.
 *
 * Paths are relative to the manifest's folder, and must stay inside it: a manifest is often downloaded
 * along with a dataset, and reading `../../home/user/.ssh/id_rsa` as an "image" (then showing its bytes
 * in a report) must be impossible. Labels are either all integers (used as is) or all class names
 * (numbered in sorted order). Every error names the manifest and the line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFormatError, type ImageDataset } from './dataset';
import { cachedDecode, type CachedDecodeOptions } from './decodedCache';
import { compareNames } from './fsutil';

/** Above this many integer classes a label is almost certainly a typo (or an ID column), not a class. */
export const MAX_INTEGER_LABEL = 100_000;

export interface ManifestEntry {
  readonly path: string;
  readonly label: string;
  /** 1-based line in the manifest where the entry starts. */
  readonly line: number;
}

export interface CsvRow {
  readonly fields: string[];
  /** 1-based line where the record starts (a quoted field may span lines). */
  readonly line: number;
}

/**
 * RFC 4180 CSV: comma separated, fields optionally double-quoted, "" inside quotes is a quote, quoted
 * fields may contain commas and newlines. Accepts LF, CRLF and CR line ends and strips a UTF-8 BOM.
 * Blank lines are dropped. Small and strict rather than a dependency: the format we need is tiny, and a
 * strict parser gives line-accurate errors.
 */
export function parseCsv(text: string, file: string): CsvRow[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let quotedField = false; // the current field was quoted (so an empty one still counts as a field)
  let i = 0;
  const endRow = (): void => {
    fields.push(field);
    const blank = fields.length === 1 && fields[0] === '' && !quotedField;
    if (!blank) rows.push({ fields, line: rowLine });
    fields = [];
    field = '';
    quotedField = false;
  };
  while (i < src.length) {
    const ch = src[i];
    if (ch === '"' && !quotedField && field.trim() === '') {
      // Quoted field (spaces before the opening quote are tolerated): read up to the closing quote.
      quotedField = true;
      field = '';
      const startLine = line;
      i++;
      for (;;) {
        if (i >= src.length) throw new DataFormatError(file, `line ${startLine}: unterminated quoted field`, 'close the quote, or remove it if the field needs none');
        const c = src[i];
        if (c === '"') {
          if (src[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\r' || c === '\n') {
          // Count CRLF once.
          if (c === '\r' && src[i + 1] === '\n') {
            field += '\r';
            i++;
          }
          line++;
        }
        field += src[i];
        i++;
      }
      while (src[i] === ' ' || src[i] === '\t') i++; // tolerate `"a.png" ,cat`
      const next = src[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new DataFormatError(file, `line ${line}: unexpected character '${next}' after a closing quote`, 'quotes inside a quoted field must be doubled ("")');
      }
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      quotedField = false;
      i++;
    } else if (ch === '\n' || ch === '\r') {
      endRow();
      i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
      line++;
      rowLine = line;
    } else {
      if (ch === '"') {
        throw new DataFormatError(file, `line ${line}: stray quote inside an unquoted field`, 'quote the whole field and double inner quotes ("")');
      }
      field += ch;
      i++;
    }
  }
  if (field !== '' || fields.length > 0 || quotedField) endRow();
  return rows;
}

/** Parse a CSV manifest. The header row is optional but, when present, must be exactly `path,label`. */
export function parseCsvManifest(text: string, file: string): ManifestEntry[] {
  const rows = parseCsv(text, file);
  const entries: ManifestEntry[] = [];
  rows.forEach((row, r) => {
    const fields = row.fields.map((f) => f.trim());
    if (r === 0) {
      const lower = fields.map((f) => f.toLowerCase());
      if (lower.length === 2 && lower[0] === 'path' && lower[1] === 'label') return;
      if (lower.includes('path') || lower.includes('label')) {
        throw new DataFormatError(file, `line ${row.line}: header must be exactly "path,label", got "${fields.join(',')}"`, 'rename the columns to path,label (in that order), or drop the header');
      }
    }
    if (fields.length < 2) {
      throw new DataFormatError(file, `line ${row.line}: missing column: expected "path,label", got ${fields.length} field`, 'every row needs a path and a label');
    }
    if (fields.length > 2) {
      throw new DataFormatError(
        file,
        `line ${row.line}: expected 2 columns (path,label), got ${fields.length}`,
        'quote paths that contain commas',
      );
    }
    entries.push({ path: fields[0], label: fields[1], line: row.line });
  });
  return entries;
}

/** Parse a JSONL manifest: one object per non-blank line with a string "path" and a "label" (integer or name). */
export function parseJsonlManifest(text: string, file: string): ManifestEntry[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const entries: ManifestEntry[] = [];
  src.split(/\r\n|\n|\r/).forEach((raw, idx) => {
    const line = idx + 1;
    if (raw.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      throw new DataFormatError(file, `line ${line}: invalid JSON: ${(e as Error).message}`, 'one JSON object per line, with double-quoted keys and strings');
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new DataFormatError(file, `line ${line}: expected a JSON object`, 'write each line as {"path": ..., "label": ...}');
    }
    const rec = obj as Record<string, unknown>;
    for (const key of ['path', 'label']) {
      if (!(key in rec) || rec[key] === null) throw new DataFormatError(file, `line ${line}: missing column "${key}"`, 'every line needs "path" and "label"');
    }
    if (typeof rec.path !== 'string') throw new DataFormatError(file, `line ${line}: "path" must be a string`, 'give the image as a relative path in quotes');
    const label = rec.label;
    if (typeof label !== 'string' && typeof label !== 'number') {
      throw new DataFormatError(file, `line ${line}: "label" must be an integer or a class name string`, 'write the label as a class index or a class name');
    }
    entries.push({ path: rec.path.trim(), label: String(label).trim(), line });
  });
  return entries;
}

export type ManifestFormat = 'csv' | 'jsonl';

export function manifestFormat(file: string): ManifestFormat {
  const ext = path.extname(file).toLowerCase();
  return ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : 'csv';
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= buf.length) return i; // cut short at the end of the file
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid too.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Manifest bytes as text. Only UTF-8 (with or without BOM) is accepted: decoding Latin-1 or UTF-16 as UTF-8 would
 * turn file names into replacement characters and fail later with a misleading "file not found".
 */
export function decodeManifestText(buf: Uint8Array, file: string): string {
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    throw new DataFormatError(file, 'the manifest is UTF-16 encoded (byte-order mark at offset 0)', 'save it as UTF-8');
  }
  const bad = firstInvalidUtf8(buf);
  const nul = buf.indexOf(0);
  const at = bad < 0 ? nul : nul < 0 ? bad : Math.min(bad, nul);
  if (at >= 0) {
    let line = 1;
    for (let i = 0; i < at; i++) if (buf[i] === 0x0a) line++;
    const what = at === nul ? 'a NUL byte (a binary file?)' : `byte 0x${buf[at].toString(16).padStart(2, '0')}, which is not valid UTF-8`;
    throw new DataFormatError(file, `line ${line} (byte offset ${at}): ${what}`, 'save the manifest as UTF-8 text');
  }
  return new TextDecoder('utf-8').decode(buf);
}

export function readManifestEntries(file: string, format: ManifestFormat = manifestFormat(file)): ManifestEntry[] {
  let text: string;
  try {
    text = decodeManifestText(fs.readFileSync(file), file);
  } catch (e) {
    if (e instanceof DataFormatError) throw e;
    throw new DataFormatError(file, `cannot read manifest: ${(e as Error).message}`);
  }
  const entries = format === 'jsonl' ? parseJsonlManifest(text, file) : parseCsvManifest(text, file);
  if (entries.length === 0) throw new DataFormatError(file, 'manifest lists no images', 'add one row per image: path,label');
  return entries;
}

export interface ManifestLabels {
  readonly labels: Int32Array;
  readonly numClasses: number;
  /** Present when labels were class names. */
  readonly classNames?: string[];
}

const NUMBER_LIKE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_NEGATIVE_INT = /^\+?\d+$/;

/**
 * All-integer labels are class indices (numClasses = max + 1). Otherwise they are names, numbered in
 * sorted order. A mix (e.g. "cat", "dog", "3") is refused: it is nearly always a data mistake, and
 * guessing would silently mislabel examples.
 */
export function manifestLabels(entries: readonly ManifestEntry[], file: string): ManifestLabels {
  for (const e of entries) if (e.label === '') throw new DataFormatError(file, `line ${e.line}: empty label`, 'every row needs a label');
  const numeric = entries.filter((e) => NUMBER_LIKE.test(e.label));
  if (numeric.length === entries.length) {
    const labels = new Int32Array(entries.length);
    let max = 0;
    entries.forEach((e, i) => {
      const v = Number(e.label);
      if (!NON_NEGATIVE_INT.test(e.label) || !Number.isSafeInteger(v)) {
        throw new DataFormatError(file, `line ${e.line}: label "${e.label}" is not a non-negative integer class index`, 'class indices start at 0; or use class names');
      }
      if (v > MAX_INTEGER_LABEL) {
        throw new DataFormatError(file, `line ${e.line}: label ${v} is too large (over ${MAX_INTEGER_LABEL})`, 'is the label column an ID? labels are class indices from 0');
      }
      labels[i] = v;
      if (v > max) max = v;
    });
    return { labels, numClasses: max + 1 };
  }
  if (numeric.length > 0) throw mixedLabelsError(entries, numeric.length, file);
  const classNames = [...new Set(entries.map((e) => e.label))].sort(compareNames);
  const index = new Map(classNames.map((n, i) => [n, i]));
  return { labels: Int32Array.from(entries, (e) => index.get(e.label)!), numClasses: classNames.length, classNames };
}

/**
 * Blames the first row of the rarer label kind (the odd one out: "3" among names, or "cat" among indices), and
 * quotes a row of the usual kind for contrast; on a tie, the first row that differs from line 1's kind.
 */
function mixedLabelsError(entries: readonly ManifestEntry[], numericCount: number, file: string): DataFormatError {
  const isNumber = (e: ManifestEntry) => NUMBER_LIKE.test(e.label);
  const names = entries.length - numericCount;
  const oddIsNumber = numericCount < names || (numericCount === names && !isNumber(entries[0]));
  const odd = entries.find((e) => isNumber(e) === oddIsNumber)!;
  const usual = entries.find((e) => isNumber(e) !== oddIsNumber)!;
  const [oddKind, usualKind] = oddIsNumber ? ['a number', 'class names'] : ['a class name', 'integer class indices'];
  const count = oddIsNumber ? numericCount : names;
  return new DataFormatError(
    file,
    `line ${odd.line}: label "${odd.label}" is ${oddKind} but other labels are ${usualKind} (e.g. "${usual.label}" at line ${usual.line})${count > 1 ? `; ${count} rows are like line ${odd.line}` : ''}`,
    'use either integer class indices or class names for every row',
  );
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** Where a path under a dataset root leads: `ok` with its real path, or why it may not be read. */
export type RootedPath =
  | { readonly ok: true; readonly abs: string; readonly real: string }
  | { readonly ok: false; readonly abs: string; readonly why: 'outside' | 'missing' | 'not-a-file' | 'symlink-out'; readonly real?: string };

/**
 * Resolves `p` (relative to `root`, or absolute) and checks that it names a file inside `root`, lexically and
 * after following symlinks. The lexical test comes before touching the filesystem, so probing outside paths
 * reveals nothing (not even existence). `rootReal` is realpath(root), passed in when checking many paths.
 */
export function resolveInsideRoot(root: string, p: string, rootReal = fs.realpathSync(root)): RootedPath {
  const abs = path.resolve(root, p);
  if (!isInside(root, abs) && !isInside(rootReal, abs)) return { ok: false, abs, why: 'outside' };
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    return { ok: false, abs, why: 'missing' };
  }
  if (!st.isFile()) return { ok: false, abs, why: 'not-a-file' };
  const real = fs.realpathSync(abs);
  if (!isInside(rootReal, real)) return { ok: false, abs, why: 'symlink-out', real };
  return { ok: true, abs, real };
}

/**
 * Resolve entry paths against the manifest's folder, refusing anything outside it (lexically, or via a
 * symlink), missing files, and the same file listed twice (a duplicate would silently double an example's
 * weight in training and scoring). Returns absolute paths.
 */
export function resolveManifestPaths(file: string, entries: readonly ManifestEntry[]): string[] {
  const root = path.dirname(path.resolve(file));
  const rootReal = fs.realpathSync(root);
  const seen = new Map<string, number>();
  // Missing files are collected, not thrown one by one: a user fixing a manifest wants the whole list at once.
  const missing: ManifestEntry[] = [];
  const resolved = entries.map((e) => {
    if (e.path === '') throw new DataFormatError(file, `line ${e.line}: empty path`, 'every row needs the path of an image');
    const r = resolveInsideRoot(root, e.path, rootReal);
    if (!r.ok) {
      if (r.why === 'outside') throw new DataFormatError(file, `line ${e.line}: path "${e.path}" escapes the manifest's folder ${root}`, 'paths must stay inside the folder that holds the manifest');
      if (r.why === 'missing') {
        missing.push(e);
        return r.abs;
      }
      if (r.why === 'not-a-file') throw new DataFormatError(file, `line ${e.line}: not a file: ${e.path}`, 'each row must name one image file');
      throw new DataFormatError(
        file,
        `line ${e.line}: path "${e.path}" resolves (through a symlink) outside the manifest's folder, to ${r.real}`,
        'copy the file into the dataset folder instead of linking to it',
      );
    }
    const prev = seen.get(r.real);
    if (prev !== undefined) {
      throw new DataFormatError(file, `line ${e.line}: duplicate row: "${e.path}" is the same file as line ${prev}`, 'list each image once');
    }
    seen.set(r.real, e.line);
    return r.abs;
  });
  if (missing.length > 0) throw missingFilesError(file, root, missing);
  return resolved;
}

/** How many missing files an error lists before "… and N more". */
export const MISSING_LISTED = 20;

function missingFilesError(file: string, root: string, missing: readonly ManifestEntry[]): DataFormatError {
  const fix = `paths are relative to ${root}`;
  if (missing.length === 1) return new DataFormatError(file, `line ${missing[0].line}: file not found: ${missing[0].path}`, fix);
  const listed = missing.slice(0, MISSING_LISTED).map((e) => `line ${e.line}: ${e.path}`);
  const more = missing.length > MISSING_LISTED ? `; … and ${missing.length - MISSING_LISTED} more` : '';
  return new DataFormatError(file, `${missing.length} files not found: ${listed.join('; ')}${more}`, fix);
}

export interface ManifestOptions extends CachedDecodeOptions {
  readonly name?: string;
  readonly format?: ManifestFormat;
}

/** Load a CSV/JSONL manifest as one dataset (images decoded like image folders: 1 channel if all gray, else 3). */
export async function loadManifest(file: string, opts: ManifestOptions = {}): Promise<ImageDataset> {
  const entries = readManifestEntries(file, opts.format);
  const { labels, numClasses, classNames } = manifestLabels(entries, file);
  const files = resolveManifestPaths(file, entries);
  const contexts = entries.map((e) => `line ${e.line} of ${file}`);
  const { images, shape } = await cachedDecode(files, { ...opts, contexts });
  return {
    name: opts.name ?? path.basename(file, path.extname(file)),
    images,
    labels,
    shape,
    numClasses,
    ...(classNames ? { classNames } : {}),
    sources: files,
  };
}
