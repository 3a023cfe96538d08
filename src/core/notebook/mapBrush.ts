import type { MapColor, GalleryGroup, GalleryItem, GalleryPayload, MapPayload } from './mime';

/**
 * Brushing a map: the points inside the brushed rectangle, in review order, and the gallery of the first of them.
 * Pure, so the renderer and the tests share it.
 */

/** Examples a brushed map shows at a time. */
export const MAP_BRUSH_CAP = 48;

/** Positions (in the payload's points) of the points inside [x0, x1] x [y0, y1], ends in any order. */
export function pointsInBox(p: MapPayload, xr: readonly [number, number], yr: readonly [number, number]): number[] {
  const [x0, x1] = xr[0] <= xr[1] ? xr : [xr[1], xr[0]];
  const [y0, y1] = yr[0] <= yr[1] ? yr : [yr[1], yr[0]];
  const out: number[] = [];
  const { x, y } = p.points;
  for (let i = 0; i < x.length; i++) if (x[i] >= x0 && x[i] <= x1 && y[i] >= y0 && y[i] <= y1) out.push(i);
  return out;
}

/**
 * Review order of brushed points: flagged suspects first, then by the value the map is coloured by when it is one
 * (highest score, or highest suspicion), else by suspicion; ties by example. What a reviewer wants to see first.
 */
export function brushOrder(p: MapPayload, positions: readonly number[], color: MapColor = p.color): number[] {
  const pts = p.points;
  const flagged = (i: number) => pts.flagged?.[i] ?? 0;
  const key = (i: number): number => {
    const v = color === 'score' ? pts.score?.[i] : pts.suspicion?.[i];
    return typeof v === 'number' && Number.isFinite(v) ? v : -Infinity;
  };
  return [...positions].sort((a, b) => flagged(b) - flagged(a) || key(b) - key(a) || pts.index[a] - pts.index[b]);
}

/**
 * The gallery of brushed points (already ordered and capped), grouped per class in label order. Each item's score is
 * the map's score table value, or its suspicion when the map has no score; a point without a thumbnail in `thumbs`
 * gets an empty one (the gallery shows "no image" until it arrives).
 */
export function mapBrushGallery(p: MapPayload, positions: readonly number[], thumbs: ReadonlyMap<number, string>, brushed: number): GalleryPayload {
  const pts = p.points;
  const scoreOf = (i: number): number => {
    const s = pts.score ? pts.score[i] : pts.suspicion?.[i];
    return typeof s === 'number' ? s : NaN;
  };
  const byClass = new Map<number, GalleryItem[]>();
  for (const i of positions) {
    const item: GalleryItem = { index: pts.index[i], label: pts.label[i], score: scoreOf(i), thumb: thumbs.get(pts.index[i]) ?? '' };
    if (pts.predicted) item.predicted = pts.predicted[i];
    let g = byClass.get(item.label);
    if (!g) byClass.set(item.label, (g = []));
    g.push(item);
  }
  const groups: GalleryGroup[] = [...byClass.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([label, items]) => ({ label, className: p.classNames[label] ?? String(label), items, matched: items.length }));
  const scoreName = pts.score ? p.score ?? 'score' : 'suspicion';
  const out: GalleryPayload = {
    version: 1,
    title: `${brushed.toLocaleString('en-US')} brushed example${brushed === 1 ? '' : 's'}${positions.length < brushed ? `, the first ${positions.length} shown` : ''}`,
    score: scoreName,
    // The selection a gallery payload records is a score range; a brushed region is not one, so it records the
    // shown scores' extent (the title says what was brushed).
    selection: { mode: 'range', ...extent(positions.map(scoreOf)) },
    classNames: [...p.classNames],
    groups,
  };
  if (p.source) out.source = p.source.score ? p.source : { runId: p.source.runId };
  if (p.thumbSize !== undefined) out.thumbSize = p.thumbSize;
  return out;
}

function extent(values: readonly number[]): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  return lo <= hi ? { lo, hi } : { lo: 0, hi: 0 };
}
