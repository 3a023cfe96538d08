import type { Config } from 'vega-lite';
import { chartConfig, type ThemeKind } from '../src/core/charts/theme';

/**
 * The chart theme inside the notebook webview: VS Code marks the body with vscode-light / vscode-dark /
 * vscode-high-contrast (plus vscode-high-contrast-light) and defines --vscode-* CSS variables. The base palette
 * comes from the kind; text, grid and font follow the variables of the actual color theme where they are set.
 */
export function themeKind(body: HTMLElement = document.body): ThemeKind {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-dark')) return 'dark';
  return 'light';
}

function cssVar(name: string): string | undefined {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim() || getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v === '' ? undefined : v;
}

export function themeConfig(): Config {
  const kind = themeKind();
  const base = chartConfig(kind) as Record<string, Record<string, unknown>>;
  const fg = cssVar('--vscode-editor-foreground') ?? cssVar('--vscode-foreground');
  const muted = cssVar('--vscode-descriptionForeground');
  const font = cssVar('--vscode-font-family');
  const grid = kind.startsWith('high-contrast') ? cssVar('--vscode-contrastBorder') : cssVar('--vscode-editorWidget-border') ?? cssVar('--vscode-panel-border');
  const over: Record<string, Record<string, unknown>> = {};
  const put = (k: string, v: Record<string, unknown>) => (over[k] = { ...(base[k] ?? {}), ...v });
  if (fg) {
    put('axis', { labelColor: fg, titleColor: fg });
    put('legend', { labelColor: fg, titleColor: fg });
    put('header', { labelColor: fg, titleColor: fg });
    put('title', { color: fg });
    put('text', { color: fg });
  }
  if (muted) put('title', { subtitleColor: muted });
  if (grid) {
    put('axis', { gridColor: grid });
    put('view', { stroke: grid });
  }
  return { ...base, ...over, ...(font ? { font } : {}) } as Config;
}

/** Calls `onChange` when VS Code switches the color theme (it rewrites the body's classes and the variables). */
export function onThemeChange(onChange: () => void): () => void {
  const html = document.documentElement;
  const state = () => `${document.body.className}|${html.getAttribute('style') ?? ''}|${document.body.getAttribute('style') ?? ''}`;
  let last = state();
  const obs = new MutationObserver(() => {
    const now = state();
    if (now !== last) {
      last = now;
      onChange();
    }
  });
  obs.observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
  obs.observe(html, { attributes: true, attributeFilter: ['class', 'style'] });
  return () => obs.disconnect();
}
