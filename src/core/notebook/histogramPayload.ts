import { DEFAULT_BINS, histogram } from '../charts/scoreHistogram';
import { defaultClassNames, evenlySpaced } from './galleryPayload';
import type { GalleryItem, HistogramPayload, PayloadSource } from './mime';
import { thumbnailDataUri, type ThumbSource } from './thumbnail';

/**
 * Score histogram payload: the bins that are drawn (not the raw scores), optionally split in two groups (e.g. clean
 * vs corrupted) or per class, and a sample of examples per bin for brushing a score range into a gallery.
 */
export interface HistogramPayloadInput {
  /** Score name (x-axis title). */
  score: string;
  values: ArrayLike<number>;
  labels?: ArrayLike<number>;
  /** Dataset index of each row (default: the row number). */
  index?: ArrayLike<number>;
  /** 'class': one group per label; or two groups by membership (truthy = `name`). */
  split?: 'class' | { name: string; member: ArrayLike<boolean | number>; rest?: string };
  classNames?: readonly string[];
  bins?: number;
  normalize?: boolean;
  /** Drawing of the groups and count axis the chart starts with (see HistogramPayload). */
  layout?: HistogramPayload['layout'];
  logCount?: boolean;
  title?: string;
  source?: PayloadSource;
  /** Embed up to `perBin` examples of every bin (evenly spaced by score inside the bin) with thumbnails. */
  examples?: {
    thumbs: ThumbSource | ((datasetIndex: number) => string);
    perBin?: number;
    predicted?: ArrayLike<number>;
    corrupted?: ArrayLike<number | boolean>;
    thumbSize?: number;
  };
}

/** Default examples embedded per bin: 40 bins x 16 = at most 640 thumbnails (~0.2 MB for MNIST). */
export const DEFAULT_PER_BIN = 16;

/** Bin of v for ascending edges: the last b with edges[b] <= v, the last bin closed (as charts/scoreHistogram). */
export function binOf(edges: readonly number[], v: number): number {
  const bins = edges.length - 1;
  let lo = 0;
  let hi = bins - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid] <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function histogramPayload(input: HistogramPayloadInput): HistogramPayload {
  const fn = 'histogram payload';
  const { values, labels } = input;
  const n = values.length;
  if (labels && labels.length !== n) throw new RangeError(`${fn}: ${n} scores but ${labels.length} labels`);
  const split = input.split;
  const base = histogram(values, input.bins ?? DEFAULT_BINS, split && split !== 'class' ? split : undefined);
  let { groups, counts } = base;
  const classNames = input.classNames ? [...input.classNames] : labels ? defaultClassNames(labels) : undefined;
  if (split === 'class') {
    if (!labels) throw new RangeError(`${fn}: splitting by class needs the labels`);
    const names = classNames!;
    const perClass = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(values[i])) continue;
      const y = labels[i];
      let c = perClass.get(y);
      if (!c) perClass.set(y, (c = new Array<number>(base.edges.length - 1).fill(0)));
      c[binOf(base.edges, values[i])]++;
    }
    const ys = [...perClass.keys()].sort((a, b) => a - b);
    groups = ys.map((y) => names[y] ?? String(y));
    if (new Set(groups).size !== groups.length) throw new RangeError(`${fn}: class names must differ to split by class`);
    counts = ys.map((y) => perClass.get(y)!);
  }
  const out: HistogramPayload = { version: 1, score: input.score, edges: base.edges, groups, counts };
  if (base.nonFinite > 0) out.nonFinite = base.nonFinite;
  if (input.normalize) out.normalize = true;
  if (input.layout !== undefined) out.layout = input.layout;
  if (input.logCount) out.logCount = true;
  if (input.title !== undefined) out.title = input.title;
  if (input.source) out.source = input.source;
  const ex = input.examples;
  if (ex) {
    if (!labels) throw new RangeError(`${fn}: examples need the labels`);
    const perBin = ex.perBin ?? DEFAULT_PER_BIN;
    const byBin: number[][] = Array.from({ length: base.edges.length - 1 }, () => []);
    for (let i = 0; i < n; i++) if (Number.isFinite(values[i])) byBin[binOf(base.edges, values[i])].push(i);
    const thumb = typeof ex.thumbs === 'function' ? ex.thumbs : (i: number) => thumbnailDataUri(ex.thumbs as ThumbSource, i);
    const items: GalleryItem[] = [];
    for (const rows of byBin) {
      rows.sort((a, b) => values[a] - values[b] || a - b);
      for (const r of evenlySpaced(rows, perBin)) {
        const datasetIndex = input.index ? input.index[r] : r;
        const item: GalleryItem = { index: datasetIndex, label: labels[r], score: values[r], thumb: thumb(datasetIndex) };
        if (ex.predicted) item.predicted = ex.predicted[r];
        if (ex.corrupted) item.corrupted = Boolean(ex.corrupted[r]);
        items.push(item);
      }
    }
    out.examples = items;
    out.examplesTotal = n - base.nonFinite;
    if (classNames) out.classNames = classNames;
    if (ex.thumbSize !== undefined) out.thumbSize = ex.thumbSize;
  }
  return out;
}
