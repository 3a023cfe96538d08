/**
 * Where the label of a horizontal reference rule (e.g. "full data 95.1%") goes so that it does not sit on the
 * curves: at the right or left end of the plot, above or below the rule, whichever the data leaves free.
 */
export interface ReferenceLabelPlace {
  end: 'right' | 'left';
  side: 'above' | 'below';
}

/** A drawn point with its vertical extent (a band's lo..hi, or lo = hi for a bare point). */
export interface Extent1D {
  x: number;
  lo: number;
  hi: number;
}

/**
 * `reach`: the fraction of the x range next to each end that the label covers. Tries the right end first (the
 * reading order of a legend), then the left; when the data crosses the rule at both ends, the side of the rule with
 * fewer points near the right end.
 */
export function referenceLabel(points: readonly Extent1D[], y: number, reach = 0.35): ReferenceLabelPlace {
  if (points.length === 0) return { end: 'right', side: 'above' };
  const xs = points.map((p) => p.x);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const span = x1 - x0;
  const near = (end: 'right' | 'left') => points.filter((p) => (end === 'right' ? p.x >= x1 - reach * span : p.x <= x0 + reach * span));
  for (const end of ['right', 'left'] as const) {
    const there = near(end);
    if (there.every((p) => p.hi <= y)) return { end, side: 'above' };
    if (there.every((p) => p.lo >= y)) return { end, side: 'below' };
  }
  const there = near('right');
  const above = there.filter((p) => (p.lo + p.hi) / 2 > y).length;
  return { end: 'right', side: above <= there.length - above ? 'above' : 'below' };
}
