import type { TopLevelSpec } from 'vega-lite';

/**
 * The x axis of a layered curves spec ends at the data instead of the next round number: on a log axis over k,
 * "nice" would stretch 2,000 to 10,000 and leave most of the plot empty.
 */
export function tightX(spec: TopLevelSpec): TopLevelSpec {
  const layered = spec as { layer?: { encoding?: { x?: { scale?: Record<string, unknown> } } }[] };
  for (const l of layered.layer ?? []) {
    const x = l.encoding?.x;
    if (x?.scale) x.scale = { ...x.scale, nice: false };
  }
  return spec;
}
