import { percentile } from '../analysis/percentiles';
import type { GalleryGroup, GalleryItem, GalleryPayload, GallerySelection, PayloadSource } from './mime';
import { thumbnailDataUri, type ThumbSource } from './thumbnail';

/**
 * Gallery of examples by score: the lowest / highest `perClass` of every class, a percentile band, or a score range,
 * grouped per class. Rows are aligned arrays (a score table: row r is dataset example index[r]).
 */
export interface GalleryInput {
  /** Score name, e.g. "el2n". */
  score: string;
  values: ArrayLike<number>;
  labels: ArrayLike<number>;
  /** Dataset index of each row (default: the row number). */
  index?: ArrayLike<number>;
  selection: GallerySelection;
  /** Images by dataset index, or a function making the data: URI of one. */
  thumbs: ThumbSource | ((datasetIndex: number) => string);
  classNames?: readonly string[];
  predicted?: ArrayLike<number>;
  /** Truthy: label flipped by injected noise. */
  corrupted?: ArrayLike<number | boolean>;
  /** Most thumbnails in all (default 10,000); classes get a share in proportion to their matches. */
  maxItems?: number;
  thumbSize?: number;
  title?: string;
  source?: PayloadSource;
}

export const DEFAULT_MAX_ITEMS = 10_000;

/** Rows of each class matching the selection, ascending by score ('highest': descending), before any cap. */
export function selectRows(input: Pick<GalleryInput, 'values' | 'labels' | 'selection'>): Map<number, number[]> {
  const { values, labels, selection: sel } = input;
  const fn = 'gallery';
  if (labels.length !== values.length) throw new RangeError(`${fn}: ${values.length} scores but ${labels.length} labels`);
  let lo = -Infinity;
  let hi = Infinity;
  if (sel.mode === 'range' || sel.mode === 'percentile') {
    if (!(Number.isFinite(sel.lo) && Number.isFinite(sel.hi) && sel.lo <= sel.hi)) throw new RangeError(`${fn}: ${sel.mode} needs finite lo <= hi, got [${sel.lo}, ${sel.hi}]`);
    if (sel.mode === 'percentile') {
      if (sel.lo < 0 || sel.hi > 100) throw new RangeError(`${fn}: percentiles are in [0, 100], got [${sel.lo}, ${sel.hi}]`);
      const sorted = Float64Array.from(finiteValues(values)).sort();
      if (sorted.length === 0) throw new RangeError(`${fn}: no finite scores`);
      lo = percentile(sorted, sel.lo / 100);
      hi = percentile(sorted, sel.hi / 100);
    } else {
      lo = sel.lo;
      hi = sel.hi;
    }
  }
  if ('perClass' in sel && sel.perClass !== undefined && !(Number.isInteger(sel.perClass) && sel.perClass >= 1)) {
    throw new RangeError(`${fn}: perClass must be a positive integer, got ${sel.perClass}`);
  }
  const byClass = new Map<number, number[]>();
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (!Number.isFinite(v) || v < lo || v > hi) continue;
    const y = labels[r];
    if (!(Number.isInteger(y) && y >= 0)) throw new RangeError(`${fn}: label of row ${r} is ${y}; labels are non-negative integers`);
    let rows = byClass.get(y);
    if (!rows) byClass.set(y, (rows = []));
    rows.push(r);
  }
  const desc = sel.mode === 'highest';
  for (const rows of byClass.values()) rows.sort((a, b) => (desc ? values[b] - values[a] : values[a] - values[b]) || a - b);
  return new Map([...byClass.entries()].sort((a, b) => a[0] - b[0]));
}

function* finiteValues(values: ArrayLike<number>): Generator<number> {
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) yield values[i];
}

/** `k` of `rows`, evenly spaced (first and last included), keeping their order: a band is shown end to end. */
export function evenlySpaced<T>(rows: readonly T[], k: number): T[] {
  if (k >= rows.length) return [...rows];
  if (k <= 0) return [];
  if (k === 1) return [rows[0]];
  return Array.from({ length: k }, (_, j) => rows[Math.round((j * (rows.length - 1)) / (k - 1))]);
}

export function galleryPayload(input: GalleryInput): GalleryPayload {
  const sel = input.selection;
  const byClass = selectRows(input);
  const maxItems = input.maxItems ?? DEFAULT_MAX_ITEMS;
  if (!(Number.isInteger(maxItems) && maxItems >= 1)) throw new RangeError(`gallery: maxItems must be a positive integer, got ${maxItems}`);
  const perClass = sel.perClass;
  // lowest/highest: the first perClass; bands and ranges: perClass spread over the band.
  const take = (rows: number[], k: number) => (sel.mode === 'lowest' || sel.mode === 'highest' ? rows.slice(0, k) : evenlySpaced(rows, k));
  const wanted = [...byClass.values()].reduce((a, rows) => a + Math.min(rows.length, perClass ?? Infinity), 0);
  const share = wanted > maxItems ? maxItems / wanted : 1;
  const index = input.index;
  const thumb = typeof input.thumbs === 'function' ? input.thumbs : (i: number) => thumbnailDataUri(input.thumbs as ThumbSource, i);
  const classNames = input.classNames ? [...input.classNames] : defaultClassNames(input.labels);
  const groups: GalleryGroup[] = [];
  for (const [label, rows] of byClass) {
    const k = Math.floor(Math.min(rows.length, perClass ?? Infinity) * share);
    const items = take(rows, k).map((r): GalleryItem => {
      const datasetIndex = index ? index[r] : r;
      const item: GalleryItem = { index: datasetIndex, label, score: input.values[r], thumb: thumb(datasetIndex) };
      if (input.predicted) item.predicted = input.predicted[r];
      if (input.corrupted) item.corrupted = Boolean(input.corrupted[r]);
      return item;
    });
    groups.push({ label, className: classNames[label] ?? String(label), items, matched: rows.length });
  }
  const out: GalleryPayload = { version: 1, score: input.score, selection: sel, classNames, groups };
  if (input.title !== undefined) out.title = input.title;
  if (input.thumbSize !== undefined) out.thumbSize = input.thumbSize;
  if (input.source) out.source = input.source;
  return out;
}

/** "0", "1", ... up to the largest label: the names of datasets without class names (MNIST digits). */
export function defaultClassNames(labels: ArrayLike<number>): string[] {
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}
