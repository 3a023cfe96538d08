import type { TopLevelSpec } from 'vega-lite';
import type { PayloadKind } from './mime';

/** Charts that keep their builder's size in any output: a confusion matrix stays square. */
export const FIXED_SIZE_KINDS: readonly PayloadKind[] = ['confusionMatrix'];

/** Narrowest chart the renderer draws, in CSS pixels; a narrower output scrolls instead of squeezing the plot. */
export const MIN_CHART_WIDTH = 280;

/**
 * The spec sized to `width` CSS pixels, axes and legend included (Vega-Lite autosize "fit-x"), so a chart fills the
 * notebook output instead of a fixed 420 px. Facet and concat specs cannot be fitted by Vega-Lite: their builders
 * split the width among the panels themselves, so they are returned as they are.
 */
export function fitWidth(spec: TopLevelSpec, width: number): TopLevelSpec {
  const s = spec as object;
  if ('facet' in s || 'hconcat' in s || 'vconcat' in s || 'concat' in s) return spec;
  if (!(width > 0)) return spec;
  return { ...spec, width: Math.max(MIN_CHART_WIDTH, Math.floor(width)), autosize: { type: 'fit-x', contains: 'padding' } } as TopLevelSpec;
}
