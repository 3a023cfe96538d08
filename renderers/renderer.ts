/**
 * Data Diet notebook renderer (contributes.notebookRenderer, bundled to dist/renderer.js as an ES module).
 * Charts: payload -> Vega-Lite spec with the same pure builders as the SVG fallbacks, drawn by vega-embed with
 * vega-interpreter (no eval / new Function: `ast: true, expr: expressionInterpreter`). Galleries: see gallery.ts.
 * Histograms with examples (or a run to ask) can be brushed: the brushed score range's gallery appears below; their
 * controls switch the count axis to symmetric-log and, with several groups, between small multiples, stacked and
 * overlaid bars. Charts take the output's width and are redrawn when it changes. Maps: see mapView.ts.
 */
import { brushGallery, examplesInRange } from '../src/core/notebook/brush';
import { fmtScore } from '../src/core/notebook/galleryText';
import { kindOfMime, type AnnotatedMessage, type ExtensionToRenderer, type GalleryPayload, type HistogramPayload, type MapPayload, type PayloadByKind, type PayloadKind, type RequestRangeMessage } from '../src/contract/notebookMime';
import { checkPayload, payloadSpec, withBrush, type ChartKind } from '../src/core/notebook/payloadSpec';
import { fitWidth, FIXED_SIZE_KINDS } from '../src/core/notebook/fitWidth';
import { defaultLayout } from '../src/core/charts/scoreHistogram';
import type { ActivationFunction, RendererContext } from './api';
import { GalleryView } from './gallery';
import { MapOutput } from './mapView';
import css from './styles.css';
import { el, postOf } from './draw';
import { LiveChart, type ChartDrawing } from './liveChart';

interface Output {
  dispose(): void;
  onMessage?(m: ExtensionToRenderer): void;
}

/** A fresh shadow root per output keeps our styles in and the notebook's out. */
function shadowOf(element: HTMLElement): ShadowRoot {
  const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  root.replaceChildren();
  const style = document.createElement('style');
  style.textContent = css;
  root.append(style);
  return root;
}

let requestSeq = 0;

class ChartOutput implements Output {
  private readonly chart: LiveChart;
  private gallery: GalleryView | undefined;
  private readonly below: HTMLElement;
  private pending: string | undefined;
  private payload: PayloadByKind[ChartKind];

  constructor(
    private readonly root: ShadowRoot,
    private readonly kind: ChartKind,
    payload: PayloadByKind[ChartKind],
    private readonly ctx: RendererContext,
  ) {
    this.payload = payload;
    const controls = kind === 'histogram' ? this.histogramControls(payload as HistogramPayload) : undefined;
    this.chart = new LiveChart(
      (width) => this.drawing(width),
      (value) => this.onBrush(value),
    );
    this.below = el('div', 'dd-below');
    root.append(...(controls ? [controls] : []), this.chart.host, this.below);
  }

  /** Log-axis toggle and, with more than two groups, the layout of the groups; each redraws the chart. */
  private histogramControls(h: HistogramPayload): HTMLElement {
    const bar = el('div', 'dd-controls');
    const log = el('label', 'dd-control');
    const box = el('input', '');
    box.type = 'checkbox';
    box.checked = Boolean(h.logCount);
    log.append(box, document.createTextNode(` log ${h.normalize ? 'fraction' : 'count'} axis`));
    log.title = 'Symmetric-log y axis: small bins in a long tail stay visible next to a tall peak';
    box.addEventListener('change', () => this.update({ logCount: box.checked }));
    bar.append(log);
    if (h.groups.length > 2) {
      const pick = el('label', 'dd-control', 'groups ');
      const sel = el('select', '');
      for (const [value, text] of [['facet', 'small multiples'], ['stack', 'stacked'], ['overlay', 'overlaid']] as const) {
        const o = el('option', '', text);
        o.value = value;
        sel.append(o);
      }
      sel.value = h.layout ?? defaultLayout(h.groups.length);
      sel.addEventListener('change', () => this.update({ layout: sel.value as HistogramPayload['layout'] }));
      pick.append(sel);
      bar.append(pick);
    }
    return bar;
  }

  private update(patch: Partial<HistogramPayload>): void {
    this.payload = { ...this.payload, ...patch } as PayloadByKind[ChartKind];
    void this.render();
  }

  private get brushable(): boolean {
    if (this.kind !== 'histogram') return false;
    const h = this.payload as HistogramPayload;
    return (h.examples?.length ?? 0) > 0 || (h.source !== undefined && this.ctx.postMessage !== undefined);
  }

  private drawing(width: number): ChartDrawing {
    const fixed = FIXED_SIZE_KINDS.includes(this.kind);
    let spec = payloadSpec(this.kind, this.payload, width > 0 && !fixed ? { width } : {});
    if (!fixed) spec = fitWidth(spec, width);
    return this.brushable ? { spec: withBrush(spec), brush: 'brush' } : { spec };
  }

  async render(): Promise<void> {
    const drawn = await this.chart.render();
    if (drawn && this.brushable && !this.gallery) this.below.replaceChildren(el('div', 'dd-hint', 'Drag across the histogram to see the examples in a score range.'));
  }

  private onBrush(value: Record<string, [number, number]> | undefined): void {
    const range = value && Object.values(value)[0];
    this.gallery?.dispose();
    this.gallery = undefined;
    this.pending = undefined;
    if (!range || range.length !== 2) {
      this.below.replaceChildren(el('div', 'dd-hint', 'Drag across the histogram to see the examples in a score range.'));
      return;
    }
    const h = this.payload as HistogramPayload;
    const lo = Math.min(range[0], range[1]);
    const hi = Math.max(range[0], range[1]);
    const about = examplesInRange(h, lo, hi);
    const local = brushGallery(h, lo, hi);
    const shown = local.groups.reduce((a, g) => a + g.items.length, 0);
    this.showGallery(local, `${shown.toLocaleString('en-US')} sampled of about ${about.toLocaleString('en-US')} examples with ${h.score} in [${fmtScore(lo)}, ${fmtScore(hi)}]`);
    if (h.source && this.ctx.postMessage) {
      const requestId = `r${++requestSeq}`;
      this.pending = requestId;
      const m: RequestRangeMessage = { type: 'requestRange', requestId, runId: h.source.runId, score: h.source.score ?? h.score, lo, hi };
      this.ctx.postMessage(m);
    }
  }

  private showGallery(p: GalleryPayload, note: string): void {
    this.gallery?.dispose();
    this.below.replaceChildren();
    this.gallery = new GalleryView(this.below, p, { note, post: postOf(this.ctx) });
  }

  onMessage(m: ExtensionToRenderer): void {
    if (m.type === 'rangeGallery' && m.requestId === this.pending) {
      this.pending = undefined;
      if (m.gallery) {
        try {
          checkPayload('gallery', m.gallery);
          this.showGallery(m.gallery, 'from the run');
        } catch (e) {
          this.below.append(el('div', 'dd-error', String((e as Error).message ?? e)));
        }
      } else if (m.error) this.below.append(el('div', 'dd-note', `Showing the sample only: ${m.error}`));
    } else if (m.type === 'annotated') this.gallery?.annotatedMessage(m as AnnotatedMessage);
  }

  dispose(): void {
    this.chart.dispose();
    this.gallery?.dispose();
  }
}

class GalleryOutput implements Output {
  private readonly view: GalleryView;
  constructor(root: ShadowRoot, payload: GalleryPayload, ctx: RendererContext) {
    const host = el('div', 'dd-gallery-host');
    root.append(host);
    this.view = new GalleryView(host, payload, { post: postOf(ctx) });
  }
  onMessage(m: ExtensionToRenderer): void {
    if (m.type === 'annotated') this.view.annotatedMessage(m);
  }
  dispose(): void {
    this.view.dispose();
  }
}

export const activate: ActivationFunction = (ctx) => {
  const outputs = new Map<string, Output>();
  ctx.onDidReceiveMessage?.((raw) => {
    const m = raw as ExtensionToRenderer;
    if (!m || typeof m !== 'object' || (m.type !== 'rangeGallery' && m.type !== 'annotated' && m.type !== 'thumbs')) return;
    for (const o of outputs.values()) o.onMessage?.(m);
  });
  return {
    async renderOutputItem(item, element, signal) {
      outputs.get(item.id)?.dispose();
      outputs.delete(item.id);
      const root = shadowOf(element);
      const kind: PayloadKind | undefined = kindOfMime(item.mime);
      try {
        if (!kind) throw new TypeError(`Data Diet cannot render ${item.mime}`);
        const payload = item.json();
        checkPayload(kind, payload);
        if (kind === 'gallery') {
          outputs.set(item.id, new GalleryOutput(root, payload as GalleryPayload, ctx));
          return;
        }
        if (kind === 'map') {
          const map = new MapOutput(root, payload as MapPayload, ctx);
          outputs.set(item.id, map);
          signal?.addEventListener('abort', () => map.dispose());
          await map.render();
          return;
        }
        const out = new ChartOutput(root, kind, payload as PayloadByKind[ChartKind], ctx);
        outputs.set(item.id, out);
        signal?.addEventListener('abort', () => out.dispose());
        await out.render();
      } catch (e) {
        root.append(el('div', 'dd-error', `Data Diet could not draw this output: ${(e as Error)?.message ?? String(e)}`));
      }
    },
    disposeOutputItem(id) {
      for (const [k, o] of outputs) {
        if (id === undefined || k === id) {
          o.dispose();
          outputs.delete(k);
        }
      }
    },
  };
};
