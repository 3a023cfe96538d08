import type { MapColor, MapMethod, MapPayload, MapPoints, PayloadSource } from './mime';

/**
 * The map payload from its points' columns (one entry per drawn point, in drawing order), rounded for a compact
 * JSON: coordinates to 5 significant digits (far below a pixel), scores to 5, suspicion to 4 decimals.
 */
export interface MapPayloadInput {
  method: MapMethod;
  input: MapPayload['input'];
  dims: number;
  reducedTo?: number;
  explained?: readonly [number, number];
  /** Row-major n x 2. */
  xy: ArrayLike<number>;
  index: ArrayLike<number>;
  labels: ArrayLike<number>;
  predicted?: ArrayLike<number>;
  score?: { name: string; values: ArrayLike<number> };
  suspicion?: ArrayLike<number>;
  flagged?: { by: string; values: ArrayLike<number> };
  color: MapColor;
  classNames: readonly string[];
  /** Rows the run has (>= the points). */
  total: number;
  /** Thumbnail of a dataset row, or undefined where there is none; embedded for `thumbRows`. */
  thumb?: (datasetIndex: number) => string | undefined;
  /** Positions (in the points) whose thumbnails are embedded. */
  thumbRows?: readonly number[];
  thumbSize?: number;
  title?: string;
  source?: PayloadSource;
}

const sig5 = (v: number) => Number(v.toPrecision(5));
const dec4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** Which colourings the input can show. */
export function mapColorsOf(p: { points: MapPoints }): MapColor[] {
  const out: MapColor[] = ['label'];
  if (p.points.predicted) out.push('predicted');
  if (p.points.score) out.push('score');
  if (p.points.suspicion) out.push('suspicion');
  return out;
}

export function mapPayload(input: MapPayloadInput): MapPayload {
  const fn = 'map payload';
  const n = input.index.length;
  const same = (what: string, a: ArrayLike<unknown> | undefined, per = 1) => {
    if (a && a.length !== n * per) throw new RangeError(`${fn}: ${what} has ${a.length} entries for ${n} points`);
  };
  same('xy', input.xy, 2);
  same('labels', input.labels);
  same('predicted', input.predicted);
  same('score', input.score?.values);
  same('suspicion', input.suspicion);
  same('flagged', input.flagged?.values);
  if (!(Number.isInteger(input.total) && input.total >= n)) throw new RangeError(`${fn}: total ${input.total} must be an integer >= the ${n} points`);
  const x: number[] = new Array(n);
  const y: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const a = input.xy[i * 2];
    const b = input.xy[i * 2 + 1];
    if (!Number.isFinite(a) || !Number.isFinite(b)) throw new RangeError(`${fn}: point ${i} (example ${input.index[i]}) has coordinates (${a}, ${b})`);
    x[i] = sig5(a);
    y[i] = sig5(b);
  }
  const points: MapPoints = { x, y, index: Array.from(input.index), label: Array.from(input.labels) };
  if (input.predicted) points.predicted = Array.from(input.predicted);
  if (input.score) points.score = Array.from(input.score.values, (v) => (Number.isFinite(v) ? sig5(v) : null));
  if (input.suspicion) points.suspicion = Array.from(input.suspicion, dec4);
  if (input.flagged) points.flagged = Array.from(input.flagged.values, (v) => (v ? 1 : 0));
  const out: MapPayload = {
    version: 1,
    method: input.method,
    input: input.input,
    dims: input.dims,
    color: input.color,
    classNames: [...input.classNames],
    points,
    total: input.total,
  };
  if (!mapColorsOf(out).includes(input.color)) throw new RangeError(`${fn}: colouring by ${input.color} needs the ${input.color} of every point`);
  if (input.reducedTo !== undefined) out.reducedTo = input.reducedTo;
  if (input.explained) out.explained = [dec4(input.explained[0]), dec4(input.explained[1])];
  if (input.score) out.score = input.score.name;
  if (input.flagged) out.flaggedBy = input.flagged.by;
  if (input.thumb && input.thumbRows?.length) {
    const thumbs: { index: number; thumb: string }[] = [];
    for (const r of input.thumbRows) {
      const t = input.thumb(points.index[r]);
      if (t !== undefined) thumbs.push({ index: points.index[r], thumb: t });
    }
    out.thumbs = thumbs;
  }
  if (input.thumbSize !== undefined) out.thumbSize = input.thumbSize;
  if (input.title !== undefined) out.title = input.title;
  if (input.source) out.source = input.source;
  return out;
}

/**
 * Points whose thumbnails a map embeds, at most `cap`: the flagged ones first (most suspicious first, up to half the
 * cap: they are what a reviewer brushes), then the others in drawing order (a uniform sample, since the points are
 * in a seeded random order), so that a brush anywhere finds some images without the extension.
 */
export function mapThumbRows(n: number, cap: number, flagged?: ArrayLike<number>, suspicion?: ArrayLike<number>): number[] {
  const want = Math.min(n, Math.max(0, cap));
  const chosen: number[] = [];
  const taken = new Uint8Array(n);
  if (flagged) {
    const rows = Array.from({ length: n }, (_, i) => i).filter((i) => flagged[i]);
    if (suspicion) rows.sort((a, b) => suspicion[b] - suspicion[a] || a - b);
    for (const r of rows.slice(0, Math.floor(want / 2))) {
      chosen.push(r);
      taken[r] = 1;
    }
  }
  for (let i = 0; i < n && chosen.length < want; i++) if (!taken[i]) chosen.push(i);
  return chosen;
}

/** The first `m` points of a map (a uniform sample: points are in random order), without thumbnails. */
export function mapPrefix(p: MapPayload, m: number): MapPayload {
  const n = p.points.x.length;
  if (m >= n && !p.thumbs) return p;
  const cut = <T>(a: T[] | undefined) => a?.slice(0, m);
  const pts = p.points;
  const points: MapPoints = { x: pts.x.slice(0, m), y: pts.y.slice(0, m), index: pts.index.slice(0, m), label: pts.label.slice(0, m) };
  if (pts.predicted) points.predicted = cut(pts.predicted);
  if (pts.score) points.score = cut(pts.score);
  if (pts.suspicion) points.suspicion = cut(pts.suspicion);
  if (pts.flagged) points.flagged = cut(pts.flagged);
  const out: MapPayload = { ...p, points };
  delete out.thumbs;
  return out;
}

/**
 * A clear error for a map payload whose columns do not line up (a payload from a kernel is not trusted to be
 * well-formed; the schema says the same, but the renderer does not run a validator).
 */
export function checkMapPayload(p: MapPayload): void {
  const pts = p.points as Partial<MapPoints> | undefined;
  if (!pts || !Array.isArray(pts.x)) throw new TypeError('map: the payload has no points.x');
  const n = pts.x.length;
  for (const k of ['y', 'index', 'label', 'predicted', 'score', 'suspicion', 'flagged'] as const) {
    const col = pts[k];
    if (col === undefined && (k === 'predicted' || k === 'score' || k === 'suspicion' || k === 'flagged')) continue;
    if (!Array.isArray(col) || col.length !== n) throw new TypeError(`map: points.${k} must have one entry per point (${n}), got ${Array.isArray(col) ? col.length : typeof col}`);
  }
  if (!Array.isArray(p.classNames)) throw new TypeError('map: the payload has no classNames');
}
