/**
 * A map output: the 2-D map of examples (charts/mapChart.ts) with a choice of colouring above it and an x-y
 * interval brush; the brushed region's examples appear below as a gallery (the first MAP_BRUSH_CAP in review order,
 * mapBrush.ts), with their label, prediction and score. Thumbnails the payload embeds show at once; with renderer
 * messaging the others are asked for (`requestThumbs`) and filled in when they arrive. Large maps are drawn on a
 * canvas (thousands of SVG circles make brushing sluggish).
 *
 * Every string from the payload reaches the DOM as text or as Vega data values (which Vega's renderers escape).
 */
import { mapChart, MAP_BRUSH } from '../src/core/charts/mapChart';
import { brushOrder, MAP_BRUSH_CAP, mapBrushGallery, pointsInBox } from '../src/core/notebook/mapBrush';
import { checkMapPayload, mapColorsOf } from '../src/core/notebook/mapPayload';
import { fitWidth } from '../src/core/notebook/fitWidth';
import { MAX_THUMBS_REQUEST, type ExtensionToRenderer, type MapColor, type MapPayload, type RequestThumbsMessage } from '../src/contract/notebookMime';
import { PNG_DATA_URI } from '../src/core/notebook/galleryText';
import type { RendererContext } from './api';
import { el, postOf } from './draw';
import { LiveChart } from './liveChart';
import { GalleryView } from './gallery';

/** Above this many points the map is drawn on a canvas. */
export const MAP_SVG_MAX_POINTS = 5000;

const COLOR_TEXT: Record<MapColor, string> = { label: 'label', predicted: 'predicted class', score: 'score', suspicion: 'suspicion' };
const HINT = 'Drag a rectangle on the map to see its examples.';
let thumbsSeq = 0;

export class MapOutput {
  private readonly chart: LiveChart;
  private gallery: GalleryView | undefined;
  private readonly below: HTMLElement;
  private readonly thumbs = new Map<number, string>();
  /** Examples the extension had no image for: not asked for again. */
  private readonly unavailable = new Set<number>();
  private color: MapColor;
  private pending: { id: string; indices: number[] } | undefined;
  /** The brushed points shown (ordered, capped) and how many were brushed, for redrawing when thumbnails arrive. */
  private shown: { positions: number[]; brushed: number } | undefined;

  constructor(
    root: ShadowRoot,
    private readonly payload: MapPayload,
    private readonly ctx: RendererContext,
  ) {
    checkMapPayload(payload);
    for (const t of payload.thumbs ?? []) if (PNG_DATA_URI.test(t.thumb)) this.thumbs.set(t.index, t.thumb);
    const colors = mapColorsOf(payload);
    this.color = colors.includes(payload.color) ? payload.color : 'label';
    this.chart = new LiveChart(
      (width) => {
        const height = Math.round(Math.min(560, Math.max(300, (width || 600) * 0.6)));
        const spec = fitWidth(mapChart(this.payload, { color: this.color, brush: true, height }), width);
        return { spec, renderer: this.payload.points.x.length > MAP_SVG_MAX_POINTS ? 'canvas' : 'svg', brush: MAP_BRUSH };
      },
      (value) => this.onBrush(value),
    );
    this.below = el('div', 'dd-below');
    root.append(this.controls(colors), this.chart.host, this.below);
    this.below.append(el('div', 'dd-hint', HINT));
  }

  private controls(colors: MapColor[]): HTMLElement {
    const bar = el('div', 'dd-controls');
    const pick = el('label', 'dd-control', 'colour by ');
    const sel = el('select', 'dd-map-color');
    for (const c of colors) {
      const o = el('option', '', c === 'score' && this.payload.score ? `score (${this.payload.score})` : COLOR_TEXT[c]);
      o.value = c;
      sel.append(o);
    }
    sel.value = this.color;
    sel.addEventListener('change', () => {
      this.color = sel.value as MapColor;
      void this.render();
    });
    pick.append(sel);
    bar.append(pick);
    return bar;
  }

  async render(): Promise<void> {
    await this.chart.render();
  }

  private onBrush(value: Record<string, [number, number]> | undefined): void {
    this.pending = undefined;
    const xr = value?.x;
    const yr = value?.y;
    if (!xr || !yr || xr.length !== 2 || yr.length !== 2) {
      this.shown = undefined;
      this.gallery?.dispose();
      this.gallery = undefined;
      this.below.replaceChildren(el('div', 'dd-hint', HINT));
      return;
    }
    const inside = pointsInBox(this.payload, xr, yr);
    const positions = brushOrder(this.payload, inside, this.color).slice(0, MAP_BRUSH_CAP);
    this.shown = { positions, brushed: inside.length };
    this.showGallery();
    this.askForThumbs();
  }

  private missing(): number[] {
    return (this.shown?.positions ?? []).map((i) => this.payload.points.index[i]).filter((idx) => !this.thumbs.has(idx) && !this.unavailable.has(idx));
  }

  private showGallery(): void {
    if (!this.shown) return;
    const { positions, brushed } = this.shown;
    this.gallery?.dispose();
    this.below.replaceChildren();
    const missing = this.missing().length;
    const canAsk = this.ctx.postMessage !== undefined && this.payload.source !== undefined;
    const notes: string[] = [];
    if (brushed > positions.length) notes.push(`flagged first, then by ${this.color === 'score' ? 'score' : 'suspicion'}`);
    if (missing > 0) notes.push(canAsk ? `loading ${missing} image${missing === 1 ? '' : 's'}…` : `${missing} without an image (the output embeds images for some examples; the Data Diet extension shows them all)`);
    else if (positions.some((i) => this.unavailable.has(this.payload.points.index[i]))) notes.push('some examples have no image');
    const gallery = mapBrushGallery(this.payload, positions, this.thumbs, brushed);
    this.gallery = new GalleryView(this.below, gallery, { note: notes.join(' · '), post: postOf(this.ctx) });
  }

  private askForThumbs(): void {
    const post = this.ctx.postMessage;
    const runId = this.payload.source?.runId;
    const missing = this.missing().slice(0, MAX_THUMBS_REQUEST);
    if (!post || !runId || missing.length === 0) return;
    const requestId = `t${++thumbsSeq}`;
    this.pending = { id: requestId, indices: missing };
    const m: RequestThumbsMessage = { type: 'requestThumbs', requestId, runId, indices: missing };
    post.call(this.ctx, m);
  }

  onMessage(m: ExtensionToRenderer): void {
    if (m.type === 'thumbs' && m.requestId === this.pending?.id) {
      const asked = this.pending.indices;
      this.pending = undefined;
      for (const t of m.thumbs ?? []) if (Number.isInteger(t.index) && typeof t.thumb === 'string' && PNG_DATA_URI.test(t.thumb)) this.thumbs.set(t.index, t.thumb);
      for (const idx of asked) if (!this.thumbs.has(idx)) this.unavailable.add(idx);
      this.showGallery();
      if (m.error) this.below.prepend(el('div', 'dd-note', `Images not loaded: ${m.error}`));
    } else if (m.type === 'annotated') this.gallery?.annotatedMessage(m);
  }

  dispose(): void {
    this.chart.dispose();
    this.gallery?.dispose();
  }
}

