import type { TopLevelSpec } from 'vega-lite';
import type { MapColor, MapPayload } from '../../contract/notebookMime';
import { DEFAULT_HEIGHT, titleOf } from './common';

/**
 * A 2-D map of examples (PCA or UMAP, see analysis/mapCoordinates.ts): one dot per example, coloured by label,
 * predicted class, a score or suspicion, with the flagged examples (suspected label issues) ringed on top. With
 * `brush`, an interval selection named `brush` over x and y greys out the dots outside it; the renderer listens to
 * it and shows the brushed examples as a gallery.
 */
export interface MapChartOptions {
  /** Colouring (default: the payload's). */
  color?: MapColor;
  brush?: boolean;
  width?: number;
  height?: number;
}

/** The interval selection the renderer listens to. */
export const MAP_BRUSH = 'brush';

/** Colour of the rings around flagged examples (VS Code's error red reads on light and dark backgrounds). */
export const FLAGGED_RING = '#e51400';

export interface MapRow {
  /** Position in the payload's points. */
  i: number;
  index: number;
  x: number;
  y: number;
  label: string;
  predicted?: string;
  score?: number | null;
  suspicion?: number;
  flagged?: number;
}

/** One row per point, class ids as their names (so legends and tooltips read as names). */
export function mapRows(p: MapPayload): MapRow[] {
  const name = (c: number) => p.classNames[c] ?? String(c);
  const pts = p.points;
  return pts.x.map((x, i) => {
    const row: MapRow = { i, index: pts.index[i], x, y: pts.y[i], label: name(pts.label[i]) };
    if (pts.predicted) row.predicted = name(pts.predicted[i]);
    if (pts.score) row.score = pts.score[i];
    if (pts.suspicion) row.suspicion = pts.suspicion[i];
    if (pts.flagged) row.flagged = pts.flagged[i];
    return row;
  });
}

/** Dot area by how many there are: small enough that 10,000 do not become one blot. */
export function dotSize(n: number): number {
  return n > 20_000 ? 4 : n > 5_000 ? 8 : n > 1_000 ? 14 : 24;
}

function colorEncoding(p: MapPayload, by: MapColor): Record<string, unknown> {
  const classes = p.classNames.length;
  const nominal = (field: string, title: string) => ({
    field,
    type: 'nominal',
    title,
    // Every class in label order, present or not, so a class keeps its colour whichever way the map is coloured.
    scale: { domain: [...p.classNames], ...(classes > 10 ? { scheme: 'tableau20' } : {}) },
    legend: { columns: classes > 12 ? 2 : 1, symbolLimit: 40, labelLimit: 160 },
  });
  switch (by) {
    case 'label':
      return nominal('label', 'label');
    case 'predicted':
      return nominal('predicted', 'predicted');
    case 'score':
      return { field: 'score', type: 'quantitative', title: p.score ?? 'score', scale: { scheme: 'viridis' } };
    case 'suspicion':
      // Blue: the model agrees with the label; red: it prefers another class.
      return { field: 'suspicion', type: 'quantitative', title: 'suspicion', scale: { domain: [-1, 1], domainMid: 0, scheme: 'redblue', reverse: true } };
  }
}

function axisTitle(p: MapPayload, j: 0 | 1): string {
  if (p.method === 'pca') {
    const share = p.explained?.[j];
    return `PC ${j + 1}${share !== undefined ? ` (${(100 * share).toFixed(1)}% of variance)` : ''}`;
  }
  return `UMAP ${j + 1}`;
}

/** The title: the payload's (or "Map of the examples") and the colouring shown, which the reader can switch. */
export function mapTitle(p: MapPayload, by: MapColor = p.color): string {
  return `${p.title ?? 'Map of the examples'}, coloured by ${by === 'score' ? p.score ?? 'score' : by === 'predicted' ? 'predicted class' : by}`;
}

/** The subtitle: what was mapped, how, and how many of the examples are drawn. */
export function mapNotes(p: MapPayload): string {
  const fmt = (v: number) => v.toLocaleString('en-US');
  const n = p.points.x.length;
  const what = p.input === 'embeddings' ? `embeddings (${fmt(p.dims)} features)` : `predicted probabilities (${fmt(p.dims)} classes; the run has no embeddings)`;
  const how = p.method === 'umap' ? `UMAP of ${what}${p.reducedTo !== undefined ? `, reduced to ${p.reducedTo} principal components first` : ''}` : `PCA of ${what}`;
  const notes = [how, n < p.total ? `a seeded sample of ${fmt(n)} of ${fmt(p.total)} examples` : `${fmt(n)} examples`];
  const flagged = p.points.flagged?.reduce((a, v) => a + v, 0);
  if (flagged !== undefined) notes.push(`${fmt(flagged)} flagged${p.flaggedBy ? ` by ${p.flaggedBy}` : ''} (ringed)`);
  return notes.join('; ');
}

export function mapChart(p: MapPayload, opts: MapChartOptions = {}): TopLevelSpec {
  const by = opts.color ?? p.color;
  if (by !== 'label' && !p.points[by]) throw new RangeError(`map: the points carry no ${by} to colour by`);
  const rows = mapRows(p);
  const n = rows.length;
  const color = colorEncoding(p, by);
  const axis = (j: 0 | 1) => ({ title: axisTitle(p, j), grid: false, ...(p.method === 'umap' ? { labels: false, ticks: false } : {}) });
  const x = { field: 'x', type: 'quantitative', axis: axis(0), scale: { zero: false, nice: false } } as const;
  const y = { field: 'y', type: 'quantitative', axis: axis(1), scale: { zero: false, nice: false } } as const;
  const tooltip = [
    { field: 'index', type: 'quantitative', title: 'example' },
    { field: 'label', type: 'nominal', title: 'label' },
    ...(p.points.predicted ? [{ field: 'predicted', type: 'nominal', title: 'predicted' }] : []),
    ...(p.points.score ? [{ field: 'score', type: 'quantitative', title: p.score ?? 'score', format: '.4~g' }] : []),
    ...(p.points.suspicion ? [{ field: 'suspicion', type: 'quantitative', title: 'suspicion', format: '.3f' }] : []),
  ];
  const dots: Record<string, unknown> = {
    mark: { type: 'circle', size: dotSize(n), opacity: 0.75 },
    encoding: {
      x,
      y,
      // Outside the brush: grey and faint, so the selected region stands out.
      color: opts.brush ? { condition: { param: MAP_BRUSH, ...color }, value: '#8a8a8a' } : color,
      ...(opts.brush ? { opacity: { condition: { param: MAP_BRUSH, value: 0.8 }, value: 0.25 } } : {}),
      tooltip,
    },
    ...(opts.brush ? { params: [{ name: MAP_BRUSH, select: { type: 'interval', encodings: ['x', 'y'] } }] } : {}),
  };
  const layers: Record<string, unknown>[] = [dots];
  if (p.points.flagged?.some((v) => v === 1)) {
    layers.push({
      transform: [{ filter: { field: 'flagged', equal: 1 } }],
      mark: { type: 'point', shape: 'circle', filled: false, size: dotSize(n) * 3, strokeWidth: 1.2, color: FLAGGED_RING, opacity: 0.9 },
      encoding: { x, y, tooltip },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleOf(mapTitle(p, by), mapNotes(p)),
    width: opts.width ?? DEFAULT_HEIGHT + 140,
    height: opts.height ?? DEFAULT_HEIGHT + 140,
    data: { values: rows },
    layer: layers,
  } as unknown as TopLevelSpec;
}
