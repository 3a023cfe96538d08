import type { GalleryGroup, GalleryItem, GalleryPayload, HistogramPayload } from './mime';

/**
 * Brushing a histogram: the examples embedded in its payload whose score lies in the brushed range, as a gallery
 * grouped per class (ascending score), and how many examples the bins hold in that range. Pure, so the renderer and
 * the tests share it.
 */
export function brushGallery(h: HistogramPayload, lo: number, hi: number): GalleryPayload {
  if (!(lo <= hi)) [lo, hi] = [hi, lo];
  const names = h.classNames ?? [];
  const byClass = new Map<number, GalleryItem[]>();
  for (const it of h.examples ?? []) {
    if (!(it.score >= lo && it.score <= hi)) continue;
    let g = byClass.get(it.label);
    if (!g) byClass.set(it.label, (g = []));
    g.push(it);
  }
  const groups: GalleryGroup[] = [...byClass.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([label, items]) => ({ label, className: names[label] ?? String(label), items: items.sort((a, b) => a.score - b.score || a.index - b.index), matched: items.length }));
  const out: GalleryPayload = { version: 1, score: h.score, selection: { mode: 'range', lo, hi }, classNames: [...names], groups };
  if (h.source) out.source = h.source;
  if (h.thumbSize !== undefined) out.thumbSize = h.thumbSize;
  return out;
}

/**
 * Examples the histogram holds in [lo, hi], all groups together: whole bins inside the range count fully, the bins
 * cut by its ends in proportion to the part covered (the bins do not say where inside them the examples lie).
 */
export function examplesInRange(h: HistogramPayload, lo: number, hi: number): number {
  if (!(lo <= hi)) [lo, hi] = [hi, lo];
  let total = 0;
  for (let b = 0; b + 1 < h.edges.length; b++) {
    const a = h.edges[b];
    const z = h.edges[b + 1];
    const cover = z > a ? Math.max(0, Math.min(hi, z) - Math.max(lo, a)) / (z - a) : lo <= a && a <= hi ? 1 : 0;
    if (cover > 0) for (const c of h.counts) total += cover * c[b];
  }
  return Math.round(total);
}
