/**
 * Shared pieces of the chart builders. Every builder is a pure function from data to a Vega-Lite v6 spec; all
 * statistics (means, percentile bands, histogram bins, subsamples) are computed here in TypeScript so that the
 * specs stay small and carry only what is drawn.
 *
 * Strings that come from data (series names, group names, titles) only ever travel as data values or titles,
 * never as field names or expressions, so Vega never interprets them; its SVG writer escapes them.
 */

/** Vega format for a fraction shown as a percentage (0.25 -> "25%"). */
export const PERCENT = '.0%';
/** Tooltip/label format with one decimal (0.9512 -> "95.1%"). */
export const PERCENT1 = '.1%';

export const DEFAULT_WIDTH = 420;
export const DEFAULT_HEIGHT = 280;

/** Opacity of the 16th-84th percentile bands, as in the papers' shading. */
export const BAND_OPACITY = 0.2;

/** Legend for line + band charts: solid line symbols (not the pale band fill), full names up to 240 px. */
export const SERIES_LEGEND = { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2, symbolFillOpacity: 0, labelLimit: 240 } as const;

/** Dash pattern of reference rules (full data, best window, baselines). */
export const DASH = [6, 4];

export function checkFinite(fn: string, what: string, v: number): void {
  if (!Number.isFinite(v)) throw new RangeError(`${fn}: ${what} must be a finite number, got ${v}`);
}

/** Accuracies are fractions in [0, 1], as the experiments record them (the axes show them as percentages). */
export function checkAccuracies(fn: string, what: string, values: readonly number[]): void {
  if (values.length === 0) throw new RangeError(`${fn}: ${what} has no accuracies`);
  for (const v of values) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${fn}: ${what}: accuracies are fractions in [0, 1], got ${v}`);
  }
}

export function checkUniqueNames(fn: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new RangeError(`${fn}: series name ${JSON.stringify(n)} is used twice; names label the legend and must differ`);
    seen.add(n);
  }
}

/** `title` as a Vega-Lite title object with an optional subtitle, or undefined when neither is given. */
export function titleOf(text: string | undefined, subtitle?: string): { text: string; subtitle?: string } | undefined {
  if (text === undefined && subtitle === undefined) return undefined;
  return subtitle === undefined ? { text: text ?? '' } : { text: text ?? '', subtitle };
}

/** One entry of a layered spec's `layer` array (vega-lite's index exports only the top-level types). */
export type LayerItem = Extract<import('vega-lite').TopLevelSpec, { layer: unknown }>['layer'][number];
