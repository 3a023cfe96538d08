import type { Config, TopLevelSpec } from 'vega-lite';

/**
 * Chart colors for VS Code's theme kinds. A static spec cannot read the webview's CSS variables, so these are
 * constants close to the default themes (Light/Dark Modern, High Contrast, High Contrast Light): their editor
 * foreground, `descriptionForeground` and the `charts.*` palette. The background is transparent so the chart sits
 * on whatever the editor/webview paints.
 */
export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export const THEME_KINDS: readonly ThemeKind[] = ['light', 'dark', 'high-contrast', 'high-contrast-light'];

interface Palette {
  fg: string;
  muted: string;
  grid: string;
  domain: string;
  category: string[];
  /** Line width of the data marks and reference rules. */
  stroke: number;
  gridOpacity: number;
}

// Category orders follow VS Code's charts.* colors: blue, orange, green, red, purple, yellow, then extras.
const PALETTES: Record<ThemeKind, Palette> = {
  light: {
    fg: '#3b3b3b',
    muted: '#616161',
    grid: '#e5e5e5',
    domain: '#8a8a8a',
    category: ['#1a85ff', '#d18616', '#388a34', '#e51400', '#652d90', '#bf8803', '#00838f', '#c2185b', '#5d4037', '#616161'],
    stroke: 2,
    gridOpacity: 1,
  },
  dark: {
    fg: '#cccccc',
    muted: '#9d9d9d',
    grid: '#3c3c3c',
    domain: '#6e6e6e',
    category: ['#3794ff', '#d18616', '#89d185', '#f14c4c', '#b180d7', '#cca700', '#4dd0e1', '#f06292', '#bcaaa4', '#9d9d9d'],
    stroke: 2,
    gridOpacity: 1,
  },
  'high-contrast': {
    fg: '#ffffff',
    muted: '#ffffff',
    grid: '#6fc3df',
    domain: '#ffffff',
    category: ['#3794ff', '#ff9d00', '#89d185', '#f14c4c', '#d4a8ff', '#ffff00', '#00ffff', '#ff6ec7', '#ffffff', '#c0c0c0'],
    stroke: 3,
    gridOpacity: 0.5,
  },
  'high-contrast-light': {
    fg: '#000000',
    muted: '#000000',
    grid: '#0f4a85',
    domain: '#000000',
    category: ['#0f4a85', '#b5200d', '#166b16', '#7c2b90', '#8a5a00', '#006b75', '#b0006e', '#000000', '#4d4d4d', '#5c3a00'],
    stroke: 3,
    gridOpacity: 0.35,
  },
};

export function chartConfig(kind: ThemeKind): Config {
  const p = PALETTES[kind];
  if (!p) throw new RangeError(`chartConfig: unknown theme kind ${JSON.stringify(kind)} (one of ${THEME_KINDS.join(', ')})`);
  const axisColors = {
    domainColor: p.domain,
    tickColor: p.domain,
    gridColor: p.grid,
    gridOpacity: p.gridOpacity,
    labelColor: p.fg,
    titleColor: p.fg,
  };
  return {
    background: 'transparent',
    font: 'system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif',
    view: { stroke: p.grid },
    title: { color: p.fg, subtitleColor: p.muted, anchor: 'start' },
    axis: { ...axisColors, labelFontSize: 11, titleFontSize: 12 },
    legend: { labelColor: p.fg, titleColor: p.fg, labelFontSize: 11 },
    header: { labelColor: p.fg, titleColor: p.fg },
    range: { category: p.category },
    mark: { color: p.category[0] },
    line: { strokeWidth: p.stroke },
    point: { size: p.stroke * 15 },
    rule: { color: p.muted, strokeWidth: p.stroke - 1 },
    text: { color: p.fg, fontSize: 11 },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of config objects; `over` wins, arrays are replaced whole. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

/** The spec with the theme's config underneath its own (a builder's or caller's config entries win). */
export function withTheme<S extends TopLevelSpec>(spec: S, kind: ThemeKind): S & { config: Config } {
  const own = (spec.config ?? {}) as Record<string, unknown>;
  return { ...spec, config: merge(chartConfig(kind) as Record<string, unknown>, own) as Config };
}
