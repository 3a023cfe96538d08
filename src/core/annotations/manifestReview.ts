/**
 * Suspects shown in a label manifest open in the editor: which score run belongs to the manifest, which manifest
 * row is which scored example, and where on its line the label sits (for diagnostics, hints and the relabel fix).
 */
import * as path from 'node:path';
import { parseDatasetSpec } from '../data/load';
import { manifestFormat, parseCsvManifest, parseJsonlManifest, type ManifestEntry, type ManifestFormat } from '../data/manifest';
import { listRuns } from '../store/runStore';
import type { RunSuspects } from './runSuspects';

/**
 * The run whose suspects a manifest shows: the newest finished audit of this manifest file (out-of-sample predictions
 * of every row, held-out test rows included), else its newest finished score run, with recorded predictions.
 */
export function findScoreRunForManifest(root: string, manifestFile: string, hasPredictions: (runDir: string) => boolean): string | undefined {
  const runs = listRuns(root);
  return newestOfKind(runs, 'audit', root, manifestFile, hasPredictions) ?? newestOfKind(runs, 'score', root, manifestFile, hasPredictions);
}

function newestOfKind(runs: ReturnType<typeof listRuns>, kind: string, root: string, manifestFile: string, hasPredictions: (runDir: string) => boolean): string | undefined {
  const want = path.resolve(manifestFile);
  for (const r of runs) {
    const m = r.manifest;
    if (!m || m.kind !== kind || (m.status !== 'done' && m.status !== 'cancelled')) continue;
    const spec = m.dataset?.spec ?? (typeof m.config.dataset === 'string' ? m.config.dataset : undefined);
    if (!spec) continue;
    let p: string | undefined;
    try {
      p = parseDatasetSpec(spec).path;
    } catch {
      continue;
    }
    if (p && path.resolve(root, p) === want && hasPredictions(r.dir)) return r.dir;
  }
  return undefined;
}

export interface RowSuspect {
  /** 1-based manifest line. */
  readonly line: number;
  readonly path: string;
  /** The label as written in the manifest. */
  readonly label: string;
  readonly predicted: number;
  readonly predictedName: string;
  readonly confidence: number;
  readonly suspicion: number;
  readonly flagged: boolean;
  /** Position in the review order (0 = most suspicious). */
  readonly rank: number;
  readonly scoreName?: string;
  readonly score?: number;
  /** Percentile of `score` among the scored examples (0-100). */
  readonly percentile?: number;
  /** Three most probable classes. */
  readonly top: readonly { readonly name: string; readonly p: number }[];
  /** Absolute image path. */
  readonly image: string;
}

/**
 * Joins manifest rows with the run's suspects through the image path (rows the run did not score, e.g. the
 * held-out test split, get none). `classNames` are the run's (names for name labels, else digits).
 */
export function manifestRowSuspects(manifestFile: string, entries: readonly ManifestEntry[], s: RunSuspects, classNames?: readonly string[], percentiles?: Float32Array): RowSuspect[] {
  const threshold = s.ranking.threshold;
  const p = s.predictions;
  if (!p.sources) return [];
  const rowOf = new Map<string, number>(p.sources.map((src, r) => [path.resolve(src), r]));
  const rankOf = new Int32Array(s.ranking.order.length);
  s.ranking.order.forEach((r, q) => (rankOf[r] = q));
  const dir = path.dirname(path.resolve(manifestFile));
  const name = (c: number) => classNames?.[c] ?? String(c);
  const k = p.numClasses;
  const out: RowSuspect[] = [];
  for (const e of entries) {
    const image = path.resolve(dir, e.path);
    const r = rowOf.get(image);
    if (r === undefined) continue;
    // The label as written now (the user may have fixed it since the run): suspicion is recomputed for it.
    const named = classNames ? classNames.indexOf(e.label) : -1;
    const y = named >= 0 ? named : /^\d+$/.test(e.label) && Number(e.label) < k ? Number(e.label) : -1;
    let other = -Infinity;
    for (let c = 0; c < k; c++) if (c !== y) other = Math.max(other, p.probs[r * k + c]);
    const suspicion = y >= 0 ? other - p.probs[r * k + y] : s.ranking.suspicion[r];
    // Confident learning flagged the row under the label the run saw; a label changed since is judged by the margin.
    const flagged = s.ranking.method === 'confident-learning' && (y === p.label[r] || y < 0) ? s.ranking.flagged[r] === 1 : suspicion >= threshold;
    const top = Array.from({ length: k }, (_, c) => ({ name: name(c), p: p.probs[r * k + c] }))
      .sort((a, b) => b.p - a.p)
      .slice(0, 3);
    out.push({
      line: e.line,
      path: e.path,
      label: e.label,
      predicted: p.predicted[r],
      predictedName: name(p.predicted[r]),
      confidence: p.confidence[r],
      suspicion,
      flagged,
      rank: rankOf[r],
      ...(s.score ? { scoreName: s.score.name, score: s.score.score[r] } : {}),
      ...(percentiles ? { percentile: percentiles[r] } : {}),
      top,
      image,
    });
  }
  return out;
}

/**
 * Manifest lines (1-based) whose image the run did not score: rows it held out of training (the test split, or the
 * validation split). They get no suspect check, and the editor says so instead of staying silent.
 */
export function unscoredManifestLines(manifestFile: string, entries: readonly ManifestEntry[], sources: readonly string[] | undefined): number[] {
  if (!sources) return [];
  const scored = new Set(sources.map((src) => path.resolve(src)));
  const dir = path.dirname(path.resolve(manifestFile));
  return entries.filter((e) => !scored.has(path.resolve(dir, e.path))).map((e) => e.line);
}

/** Character range [start, end) of the label on a manifest line, and how a new label must be written there. */
export interface LabelSpan {
  readonly start: number;
  readonly end: number;
  /** Text for label `name` at this place (quoted as the format needs). */
  replacement(name: string): string;
}

/** Where the label of a one-line manifest row sits; undefined for rows this cannot edit safely (multi-line quoted). */
export function labelSpan(lineText: string, format: ManifestFormat): LabelSpan | undefined {
  if (format === 'jsonl') {
    const m = /("label"\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)/.exec(lineText);
    if (!m) return undefined;
    const start = m.index + m[1].length;
    const wasString = m[2].startsWith('"');
    return { start, end: start + m[2].length, replacement: (n) => (wasString || !/^\d+$/.test(n) ? JSON.stringify(n) : n) };
  }
  // CSV path,label: the label is the last field; it may be quoted.
  const trimmedEnd = lineText.replace(/\s+$/, '').length;
  if (lineText[trimmedEnd - 1] === '"') {
    const open = lineText.lastIndexOf(',"', trimmedEnd - 2);
    if (open < 0) return undefined;
    return { start: open + 1, end: trimmedEnd, replacement: csvQuote };
  }
  const comma = lineText.lastIndexOf(',', trimmedEnd - 1);
  if (comma < 0) return undefined;
  let start = comma + 1;
  while (lineText[start] === ' ') start++;
  return { start, end: trimmedEnd, replacement: csvQuote };
}

function csvQuote(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The suspect check of a manifest's text against a score run: its scored rows and the lines the run held out. */
export interface ManifestReview {
  readonly rows: RowSuspect[];
  readonly unscored: number[];
}

/**
 * Parses a manifest's text and joins it with a run's suspects; undefined while the text does not parse (mid-edit).
 * `suspects` is the run's (cached by the caller: reading it parses a parquet table).
 */
export function reviewManifestText(manifestFile: string, text: string, s: RunSuspects, classNames?: readonly string[], percentiles?: Float32Array): ManifestReview | undefined {
  let entries: ManifestEntry[];
  try {
    entries = manifestFormat(manifestFile) === 'jsonl' ? parseJsonlManifest(text, manifestFile) : parseCsvManifest(text, manifestFile);
  } catch {
    return undefined;
  }
  return { rows: manifestRowSuspects(manifestFile, entries, s, classNames, percentiles), unscored: unscoredManifestLines(manifestFile, entries, s.predictions.sources) };
}
