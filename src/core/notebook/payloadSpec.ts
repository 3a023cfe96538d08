import type { TopLevelSpec } from 'vega-lite';
import { confusionMatrixChart } from '../charts/confusionMatrix';
import { curves } from '../charts/curves';
import { heatmap } from '../charts/heatmap';
import { mapChart } from '../charts/mapChart';
import { pruningCurve } from '../charts/pruningCurve';
import { scatter } from '../charts/scatter';
import { trainingCurves } from '../charts/trainingCurves';
import { histogramChart } from '../charts/scoreHistogram';
import { withTheme, type ThemeKind } from '../charts/theme';
import { windowSweep } from '../charts/windowSweep';
import { MIME, type PayloadByKind, type PayloadKind } from './mime';

/**
 * Payload -> Vega-Lite spec with the pure chart builders: the one place both the renderer (in the notebook
 * webview) and the fallbacks (SVG saved in the .ipynb) turn data into a picture, so the two always agree.
 */

const nan = (v: number | null): number => (v === null ? NaN : v);

/** A clear error for a payload this renderer cannot read (version from a newer Data Diet, or not an object). */
export function checkPayload(kind: PayloadKind, payload: unknown): void {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new TypeError(`${MIME[kind]}: the output is not a JSON object`);
  const v = (payload as { version?: unknown }).version;
  if (v !== 1) throw new TypeError(`${MIME[kind]}: payload version ${JSON.stringify(v)} is not supported (this Data Diet reads version 1); update the extension`);
}

/** Subtitle notes of a chart built from a partial (cancelled) run. */
function partialTitle(spec: TopLevelSpec, partial: boolean | undefined): TopLevelSpec {
  if (!partial) return spec;
  const t = spec.title;
  const note = 'partial: the run was cancelled';
  if (t === undefined) return { ...spec, title: { text: '', subtitle: note } };
  if (typeof t === 'string' || Array.isArray(t)) return { ...spec, title: { text: t, subtitle: note } };
  const sub = (t as { subtitle?: string }).subtitle;
  return { ...spec, title: { ...t, subtitle: sub ? `${sub}; ${note}` : note } } as TopLevelSpec;
}

export type ChartKind = Exclude<PayloadKind, 'gallery'>;

export function payloadSpec<K extends ChartKind>(kind: K, payload: PayloadByKind[K], opts: { width?: number; height?: number } = {}): TopLevelSpec {
  checkPayload(kind, payload);
  const size = { width: opts.width, height: opts.height };
  switch (kind) {
    case 'histogram': {
      const p = payload as PayloadByKind['histogram'];
      if (p.counts.length !== p.groups.length) throw new RangeError(`histogram: ${p.groups.length} groups but ${p.counts.length} rows of counts`);
      for (const c of p.counts) if (c.length !== p.edges.length - 1) throw new RangeError(`histogram: ${p.edges.length} edges need ${p.edges.length - 1} counts per group, got ${c.length}`);
      const h = { edges: p.edges, groups: p.groups, counts: p.counts, nonFinite: p.nonFinite ?? 0 };
      return partialTitle(histogramChart(h, { score: p.score, normalize: p.normalize, layout: p.layout, logCount: p.logCount, title: p.title, ...size }), p.partial);
    }
    case 'pruningCurve': {
      const p = payload as PayloadByKind['pruningCurve'];
      return partialTitle(pruningCurve({ series: p.series, fullData: p.fullData, title: p.title, ...size }), p.partial);
    }
    case 'windowSweep': {
      const p = payload as PayloadByKind['windowSweep'];
      return partialTitle(windowSweep({ size: p.size, n: p.n, points: p.points, best: p.best, score: p.score, title: p.title, ...size }), p.partial);
    }
    case 'heatmap': {
      const p = payload as PayloadByKind['heatmap'];
      return partialTitle(heatmap({ examples: p.examples, epochs: p.epochs, values: p.values.map((r) => r.map(nan)), valueTitle: p.valueTitle, logColor: p.logColor, title: p.title, ...size }), p.partial);
    }
    case 'scatter': {
      const p = payload as PayloadByKind['scatter'];
      const spec = scatter({
        x: { name: p.x.name, values: p.points.map((q) => q.x) },
        y: { name: p.y.name, values: p.points.map((q) => q.y) },
        groups: p.groups ? { name: p.groups.name, rest: p.groups.rest, member: p.points.map((q) => q.group === p.groups!.name) } : undefined,
        spearman: p.spearman === undefined ? undefined : nan(p.spearman),
        maxPoints: Math.max(1, p.points.length),
        xScale: p.x.scale,
        yScale: p.y.scale,
        title: p.title,
        ...size,
      });
      // The drawn points are a sample: say of how many, and keep the examples' own ids in the tooltip.
      const fmt = (v: number) => v.toLocaleString('en-US');
      const notes = [p.points.length < p.finite ? `${fmt(p.points.length)} of ${fmt(p.finite)} examples shown` : `${fmt(p.points.length)} examples`];
      if (p.finite < p.total) notes.push(`${fmt(p.total - p.finite)} left out (non-finite)`);
      const t = spec.title as { text: string };
      const rows = ((spec.data as { values: { index: number }[] }).values ?? []).map((r) => ({ ...r, index: p.points[r.index].index }));
      return partialTitle({ ...spec, title: { text: t.text, subtitle: notes.join('; ') }, data: { values: rows } } as TopLevelSpec, p.partial);
    }
    case 'curves': {
      const p = payload as PayloadByKind['curves'];
      const b = p.baseline;
      return partialTitle(
        curves({
          title: p.title,
          xTitle: p.xTitle,
          yTitle: p.yTitle,
          series: p.series.map((s) => ({ name: s.name, x: s.x, y: s.y.map(nan) })),
          baseline: b ? { name: b.name, y: typeof b.y === 'number' ? b.y : b.y.map(nan), x: b.x } : undefined,
          xScale: p.xScale,
          yFormat: p.yFormat,
          ...size,
        }),
        p.partial,
      );
    }
    case 'trainingCurves': {
      const p = payload as PayloadByKind['trainingCurves'];
      return partialTitle(trainingCurves({ epochs: p.epochs, title: p.title, ...size }), p.partial);
    }
    case 'map': {
      const p = payload as PayloadByKind['map'];
      return partialTitle(mapChart(p, size), p.partial);
    }
    case 'confusionMatrix': {
      const p = payload as PayloadByKind['confusionMatrix'];
      // The matrix stays square: a wide output does not stretch it.
      return partialTitle(confusionMatrixChart({ labels: p.labels, matrix: p.matrix, split: p.split, title: p.title }), p.partial);
    }
  }
  throw new RangeError(`no chart for payload kind ${JSON.stringify(kind)}`);
}

/**
 * The histogram's spec with an x-interval brush named `brush` (the renderer listens to it); in small multiples the
 * brush belongs to the panels' unit spec, where Vega-Lite requires selections to be defined.
 */
export function withBrush(spec: TopLevelSpec): TopLevelSpec {
  const params = [{ name: 'brush', select: { type: 'interval', encodings: ['x'] } }];
  const facet = spec as { facet?: unknown; spec?: Record<string, unknown> };
  if (facet.facet && facet.spec) return { ...spec, spec: { ...facet.spec, params } } as TopLevelSpec;
  return { ...spec, params } as TopLevelSpec;
}

export function themedSpec<K extends ChartKind>(kind: K, payload: PayloadByKind[K], theme: ThemeKind, opts: { width?: number; height?: number; brush?: boolean } = {}): TopLevelSpec {
  const spec = payloadSpec(kind, payload, opts);
  return withTheme(opts.brush && kind === 'histogram' ? withBrush(spec) : spec, theme);
}
