/**
 * A chart kept current in its host: drawn at the host's width, redrawn when the theme changes or the width moves by
 * RESIZE_STEP or more, its brush signal passed on once the mouse rests, and everything stopped on dispose (a draw
 * that finishes after dispose is finalized at once). Histograms and maps are this plus their own spec and brush.
 */
import type { Result } from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import { draw, el } from './draw';
import { onThemeChange } from './theme';

/** Width changes smaller than this (scrollbars appearing, sub-pixel layout) do not redraw the chart. */
const RESIZE_STEP = 24;
/** Brushing and resizing fire on every move: act once they rest this long (ms). */
const REST_MS = 150;

export interface ChartDrawing {
  readonly spec: TopLevelSpec;
  readonly renderer?: 'svg' | 'canvas';
  /** The selection signal whose value goes to onBrush, when the chart can be brushed. */
  readonly brush?: string;
}

export class LiveChart {
  readonly host: HTMLElement = el('div', 'dd-chart');
  private result: Result | undefined;
  private readonly stopTheme: () => void;
  private readonly resize: ResizeObserver | undefined;
  private brushTimer: ReturnType<typeof setTimeout> | undefined;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private drawnWidth = 0;
  private disposed = false;

  constructor(
    /** The chart for a width in CSS pixels (0 before layout). */
    private readonly drawing: (width: number) => ChartDrawing,
    private readonly onBrush: (value: Record<string, [number, number]> | undefined) => void,
  ) {
    this.stopTheme = onThemeChange(() => void this.render());
    if (typeof ResizeObserver !== 'undefined') {
      this.resize = new ResizeObserver(() => {
        clearTimeout(this.resizeTimer);
        this.resizeTimer = setTimeout(() => {
          if (Math.abs(this.host.clientWidth - this.drawnWidth) >= RESIZE_STEP) void this.render();
        }, REST_MS);
      });
      this.resize.observe(this.host);
    }
  }

  /** Draws afresh; false when the output was disposed meanwhile. */
  async render(): Promise<boolean> {
    this.result?.finalize();
    this.host.replaceChildren();
    const width = this.host.clientWidth;
    this.drawnWidth = width;
    const d = this.drawing(width);
    const result = await draw(this.host, d.spec, d.renderer);
    if (this.disposed) {
      result.finalize();
      return false;
    }
    this.result = result;
    if (d.brush) {
      result.view.addSignalListener(d.brush, (_name, value) => {
        clearTimeout(this.brushTimer);
        this.brushTimer = setTimeout(() => this.onBrush(value as Record<string, [number, number]> | undefined), REST_MS);
      });
    }
    return true;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.brushTimer);
    clearTimeout(this.resizeTimer);
    this.resize?.disconnect();
    this.stopTheme();
    this.result?.finalize();
  }
}
