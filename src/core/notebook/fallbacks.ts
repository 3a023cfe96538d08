import { loadVega, renderSvg } from '../charts/render';
import { band } from '../analysis/percentiles';
import { MIME, type GalleryPayload, type PayloadByKind, type PayloadKind } from './mime';
import { checkPayload, payloadSpec, type ChartKind } from './payloadSpec';
import { withTheme } from '../charts/theme';
import { fmtScore, galleryTitle, PNG_DATA_URI } from './galleryText';
import { mapNotes, mapTitle } from '../charts/mapChart';
import { mapPrefix } from './mapPayload';

/**
 * The full output of a cell: our mime type first, then fallbacks that read without Data Diet: `image/svg+xml` (the
 * same chart, rendered in Node, on white so it reads on dark pages too) and a `text/plain` summary. GitHub and
 * Jupyter show the SVG; a terminal or a diff shows the text.
 */
export type OutputItem = { mime: string; json: unknown } | { mime: string; text: string };

export const SVG_MIME = 'image/svg+xml';
export const TEXT_MIME = 'text/plain';

export async function outputItems<K extends PayloadKind>(kind: K, payload: PayloadByKind[K]): Promise<OutputItem[]> {
  checkPayload(kind, payload);
  let svg: string | undefined;
  if (kind === 'gallery') svg = gallerySvg(payload as GalleryPayload);
  // A map's SVG draws a uniform sample of its points: ten thousand dots would make the saved notebook megabytes.
  else if (await vegaAvailable()) svg = await chartSvg(kind as ChartKind, (kind === 'map' ? mapPrefix(payload as PayloadByKind['map'], SVG_MAP_POINTS) : payload) as PayloadByKind[ChartKind]);
  return [
    { mime: MIME[kind], json: payload },
    ...(svg === undefined ? [] : [{ mime: SVG_MIME, text: svg }]),
    { mime: TEXT_MIME, text: summaryText(kind, payload) },
  ];
}

let vegaLoad: Promise<boolean> | undefined;

/**
 * Whether vega and vega-lite can be loaded (charts/render.ts imports them from node_modules at run time). Where
 * they cannot (a build that ships without them), outputs keep our mime type and the text, without the SVG, rather
 * than failing the cell; a spec that does not render is still an error.
 */
function vegaAvailable(): Promise<boolean> {
  vegaLoad ??= loadVega().then(
    () => true,
    (e: unknown) => {
      console.warn(`Data Diet: no SVG fallbacks in notebook outputs, vega could not be loaded: ${(e as Error)?.message ?? e}`);
      return false;
    },
  );
  return vegaLoad;
}

/** The items as the `data` of an .ipynb display_data output (nbformat 4: JSON as objects, text as strings). */
export function ipynbData(items: readonly OutputItem[]): Record<string, unknown> {
  return Object.fromEntries(items.map((it) => [it.mime, 'json' in it ? it.json : it.text]));
}

export async function chartSvg<K extends ChartKind>(kind: K, payload: PayloadByKind[K]): Promise<string> {
  const spec = withTheme(payloadSpec(kind, payload), 'light');
  return renderSvg({ ...spec, config: { ...spec.config, background: '#ffffff' } });
}

/** Points of a map drawn in its SVG fallback (the renderer draws them all). */
export const SVG_MAP_POINTS = 3000;

// ---------------------------------------------------------------------------------------------------------------
// Gallery as SVG: the first thumbnails of every class, with the class name and each example's score.

/** Thumbnails per class in the SVG fallback (the renderer shows them all). */
export const SVG_PER_CLASS = 12;

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function gallerySvg(p: GalleryPayload): string {
  const t = 48;
  const gap = 6;
  const labelW = 120;
  // A gallery of duplicates names its groups' warnings under each name: one more line.
  const rowH = t + (p.groups.some((g) => g.flags?.length) ? 30 : 18);
  const head = 24;
  const cols = Math.max(1, Math.min(SVG_PER_CLASS, ...p.groups.map((g) => g.items.length)));
  const width = labelW + cols * (t + gap);
  const height = head + Math.max(1, p.groups.length) * rowH + 4;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`);
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  parts.push(`<text x="4" y="16" font-size="13" fill="#3b3b3b">${xmlEscape(galleryTitle(p))}</text>`);
  if (p.groups.length === 0) parts.push(`<text x="4" y="${head + 20}" fill="#616161">No examples match.</text>`);
  p.groups.forEach((g, row) => {
    const y = head + row * rowH;
    parts.push(`<text x="4" y="${y + t / 2}" fill="#3b3b3b">${xmlEscape(g.className)}</text>`);
    parts.push(`<text x="4" y="${y + t / 2 + 14}" fill="#616161">${g.items.length < g.matched ? `${g.items.length} of ${g.matched}` : `${g.matched}`}</text>`);
    if (g.flags?.length) parts.push(`<text x="4" y="${y + t / 2 + 28}" fill="#bf8803" font-size="10">${xmlEscape(g.flags.join(', '))}</text>`);
    g.items.slice(0, SVG_PER_CLASS).forEach((it, c) => {
      const x = labelW + c * (t + gap);
      // The schema allows only data:image/png;base64 URIs; anything else is not embedded.
      if (PNG_DATA_URI.test(it.thumb)) {
        parts.push(`<image x="${x}" y="${y}" width="${t}" height="${t}" href="${it.thumb}" style="image-rendering:pixelated"/>`);
      }
      const mark = it.predicted !== undefined && it.predicted !== it.label ? '#e51400' : '#616161';
      parts.push(`<text x="${x}" y="${y + t + 12}" fill="${mark}" font-size="10">${xmlEscape(fmtScore(it.score))}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------------------------
// text/plain

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const int = (v: number) => v.toLocaleString('en-US');

export function summaryText<K extends PayloadKind>(kind: K, payload: PayloadByKind[K]): string {
  const lines: string[] = [];
  const title = (payload as { title?: string }).title;
  switch (kind) {
    case 'histogram': {
      const p = payload as PayloadByKind['histogram'];
      lines.push(title ?? `Distribution of ${p.score}`);
      const lo = p.edges[0];
      const hi = p.edges[p.edges.length - 1];
      lines.push(`${p.edges.length - 1} bins over [${fmtScore(lo)}, ${fmtScore(hi)}]`);
      p.groups.forEach((g, i) => {
        const total = p.counts[i].reduce((a, c) => a + c, 0);
        const peak = p.counts[i].indexOf(Math.max(...p.counts[i]));
        lines.push(`${g}: ${int(total)} examples, most in [${fmtScore(p.edges[peak])}, ${fmtScore(p.edges[peak + 1])})`);
      });
      if (p.nonFinite) lines.push(`${int(p.nonFinite)} non-finite scores left out`);
      break;
    }
    case 'pruningCurve': {
      const p = payload as PayloadByKind['pruningCurve'];
      lines.push(title ?? 'Pruning curve', 'test accuracy: mean [16th-84th percentile] over seeds');
      if (p.fullData) {
        const b = band(p.fullData);
        lines.push(`full data: ${pct(b.mean)} [${pct(b.lo)}-${pct(b.hi)}] (${p.fullData.length} seeds)`);
      }
      for (const s of p.series) {
        lines.push(`${s.name}: ${s.points.map((q) => { const b = band(q.accuracies); return `${pct(q.fractionPruned)} pruned ${pct(b.mean)} [${pct(b.lo)}-${pct(b.hi)}]`; }).join('; ')}`);
      }
      break;
    }
    case 'windowSweep': {
      const p = payload as PayloadByKind['windowSweep'];
      lines.push(title ?? 'Sliding-window sweep', `window of ${int(p.size)} of ${int(p.n)} examples sorted by ${p.score ?? 'score'}`);
      for (const q of [...p.points].sort((a, b) => a.offset - b.offset)) {
        const t = band(q.test);
        const v = q.val.length ? `, validation ${pct(band(q.val).mean)}` : '';
        lines.push(`start ${pct(q.offset / p.n)}: test ${pct(t.mean)} [${pct(t.lo)}-${pct(t.hi)}]${v}${p.best?.offset === q.offset ? '  <- best on validation' : ''}`);
      }
      break;
    }
    case 'heatmap': {
      const p = payload as PayloadByKind['heatmap'];
      const vals = p.values.flat().filter((v): v is number => v !== null);
      lines.push(title ?? `${p.valueTitle ?? 'Gradient norm'} over training`, `${int(p.examples.length)} examples x ${int(p.epochs.length)} epochs`);
      if (vals.length) lines.push(`values in [${fmtScore(Math.min(...vals))}, ${fmtScore(Math.max(...vals))}]`);
      break;
    }
    case 'scatter': {
      const p = payload as PayloadByKind['scatter'];
      lines.push(title ?? `${p.y.name} vs ${p.x.name}`);
      if (p.spearman !== undefined) lines.push(p.spearman === null ? 'Spearman rho undefined' : `Spearman rho = ${p.spearman.toFixed(3)}`);
      lines.push(`${int(p.points.length)} of ${int(p.finite)} examples shown (${int(p.total)} in all)`);
      break;
    }
    case 'curves': {
      const p = payload as PayloadByKind['curves'];
      lines.push(title ?? `${p.yTitle} vs ${p.xTitle}`);
      const f = p.yFormat === '.0%' ? pct : (v: number) => fmtScore(v);
      for (const s of p.series) lines.push(`${s.name}: ${s.x.map((x, i) => `${x}: ${s.y[i] === null ? '-' : f(s.y[i] as number)}`).join(', ')}`);
      if (p.baseline) lines.push(`${p.baseline.name}: ${typeof p.baseline.y === 'number' ? f(p.baseline.y) : p.baseline.y.map((v) => (v === null ? '-' : f(v))).join(', ')}`);
      break;
    }
    case 'trainingCurves': {
      const p = payload as PayloadByKind['trainingCurves'];
      lines.push(title ?? 'Training curves', 'epoch: loss / accuracy per split');
      for (const e of p.epochs) {
        const parts = (['train', 'validation', 'test'] as const).flatMap((k) => (e[k] ? [`${k} ${e[k]!.loss.toFixed(4)} / ${pct(e[k]!.accuracy)}`] : []));
        lines.push(`${e.epoch}: ${parts.join(', ')}`);
      }
      break;
    }
    case 'confusionMatrix': {
      const p = payload as PayloadByKind['confusionMatrix'];
      lines.push(title ?? `Confusion matrix (${p.split})`, 'rows: true class; columns: predicted class');
      const w = Math.max(...p.labels.map((l) => l.length), ...p.matrix.flat().map((v) => String(v).length));
      lines.push(['', ...p.labels].map((l) => l.padStart(w)).join(' '));
      p.matrix.forEach((row, t) => lines.push([p.labels[t], ...row.map(String)].map((v) => v.padStart(w)).join(' ')));
      break;
    }
    case 'map': {
      const p = payload as PayloadByKind['map'];
      const n = p.points.x.length;
      lines.push(mapTitle(p), mapNotes(p));
      if (n > SVG_MAP_POINTS) lines.push(`(the SVG draws ${int(SVG_MAP_POINTS)} of the ${int(n)} points)`);
      const flagged = p.points.flagged?.reduce((a, v) => a + v, 0) ?? 0;
      if (flagged > 0 && p.points.suspicion) {
        const top = p.points.x
          .map((_, i) => i)
          .filter((i) => p.points.flagged![i])
          .sort((a, b) => p.points.suspicion![b] - p.points.suspicion![a] || a - b)
          .slice(0, 5)
          .map((i) => `#${p.points.index[i]} ${p.classNames[p.points.label[i]] ?? p.points.label[i]}${p.points.predicted ? ` (pred ${p.classNames[p.points.predicted[i]] ?? p.points.predicted[i]})` : ''}`);
        lines.push(`most suspicious flagged: ${top.join(', ')}`);
      }
      break;
    }
    case 'gallery': {
      const p = payload as PayloadByKind['gallery'];
      lines.push(galleryTitle(p));
      if (p.groups.length === 0) lines.push('No examples match.');
      for (const g of p.groups) {
        const shown = g.items.slice(0, 5).map((it) => `#${it.index} ${fmtScore(it.score)}${it.predicted !== undefined && it.predicted !== it.label ? ` (pred ${p.classNames[it.predicted] ?? it.predicted})` : ''}`);
        lines.push(`${g.className}${g.flags?.length ? ` [${g.flags.join(', ')}]` : ''}: ${g.items.length} of ${g.matched}${shown.length ? ': ' + shown.join(', ') + (g.items.length > 5 ? ', ...' : '') : ''}`);
      }
      break;
    }
  }
  if ((payload as { partial?: boolean }).partial) lines.push('(partial: the run was cancelled)');
  return lines.join('\n');
}
