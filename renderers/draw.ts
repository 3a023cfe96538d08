/**
 * Drawing a Vega-Lite spec in the webview: the theme's config under the spec's own, vega-embed with
 * vega-interpreter (no eval / new Function: `ast: true, expr: expressionInterpreter`), and the small DOM helper the
 * outputs share.
 */
import embed, { type Result } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import type { TopLevelSpec } from 'vega-lite';
import { themeConfig } from './theme';
import type { AnnotateMessage } from '../src/contract/notebookMime';
import type { RendererContext } from './api';

export const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

function mergeConfig(spec: TopLevelSpec): TopLevelSpec {
  const theme = themeConfig() as Record<string, unknown>;
  const own = (spec.config ?? {}) as Record<string, unknown>;
  const config: Record<string, unknown> = { ...theme };
  for (const [k, v] of Object.entries(own)) {
    const t = theme[k];
    config[k] = t && typeof t === 'object' && v && typeof v === 'object' && !Array.isArray(v) ? { ...t, ...v } : v;
  }
  return { ...spec, config } as TopLevelSpec;
}

/** `renderer`: SVG (crisp, and what the tests inspect) unless a chart has so many marks that canvas is needed. */
export async function draw(host: HTMLElement, spec: TopLevelSpec, renderer: 'svg' | 'canvas' = 'svg'): Promise<Result> {
  return embed(host, mergeConfig(spec) as never, {
    renderer,
    ast: true,
    expr: expressionInterpreter,
    // Saving as SVG/PNG stays; nothing that opens an external editor or shows the raw spec.
    actions: { export: true, source: false, compiled: false, editor: false },
  });
}

/** The output's way to post an annotation to the extension, when the notebook lets outputs post messages. */
export function postOf(ctx: RendererContext): ((m: AnnotateMessage) => void) | undefined {
  const post = ctx.postMessage;
  return post ? (m) => post.call(ctx, m) : undefined;
}
