/**
 * Axis label formats chosen from the data's range, so that adjacent tick labels differ: a fixed '.0%' over
 * accuracies from 91.6% to 92.4% labels every tick "92%".
 */

/** Ticks Vega-Lite aims for on an axis of `pixels` (its default tickCount is ceil(size / 40)). */
export function tickCountFor(pixels: number): number {
  return Math.max(2, Math.ceil(pixels / 40));
}

/**
 * The tick step Vega (d3-array's tickIncrement) takes for `count` ticks over [lo, hi]: 1, 2 or 5 times a power of ten.
 * Same thresholds as d3 so the decimals chosen below match the ticks Vega draws.
 */
export function tickStep(lo: number, hi: number, count: number): number {
  const span = Math.abs(hi - lo);
  const raw = span > 0 ? span / Math.max(1, count) : Math.abs(lo) / 10 || 1;
  const power = Math.floor(Math.log10(raw));
  const error = raw / 10 ** power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.SQRT2 ? 2 : 1;
  return factor * 10 ** power;
}

export interface TickFormatOptions {
  /** Values are fractions shown as percentages (0.916 -> "91.6%"). */
  percent?: boolean;
  /** Ticks the axis aims for (default: 10, at least as fine as Vega's default on a usual chart). */
  count?: number;
}

/**
 * A d3 format for tick labels over `domain` with as many decimals as the tick step needs and no more: '.1%' for
 * [0.916, 0.924], '.0%' for [0, 1], ',.0f' for counts, exponent notation for values below 1e-3.
 */
export function tickFormat(domain: readonly [number, number], opts: TickFormatOptions = {}): string {
  const lo = Math.min(domain[0], domain[1]);
  const hi = Math.max(domain[0], domain[1]);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return opts.percent ? '.0%' : '~g';
  const step = tickStep(lo, hi, opts.count ?? 10);
  // Decimals a step needs: 0.001 -> 3, 0.05 -> 2, 20 -> 0 (the step is one digit times a power of ten).
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  if (opts.percent) return `.${Math.max(0, decimals - 2)}%`;
  const big = Math.max(Math.abs(lo), Math.abs(hi));
  if (big > 0 && big < 1e-3) {
    // Significant digits from the largest magnitude down to the step's.
    const digits = Math.floor(Math.log10(big) + 1e-9) - Math.floor(Math.log10(step) + 1e-9);
    return `.${Math.max(0, digits)}e`;
  }
  return `,.${decimals}f`;
}

/** The [min, max] of the finite values (NaN and nulls ignored); [0, 1] when there are none. */
export function extent(values: Iterable<number | null | undefined>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/**
 * Axis properties for a quantitative axis over `domain` drawn on `pixels`: the format and the tick count it was
 * chosen for, so Vega draws exactly the ticks the format was made for.
 */
export function axisFormat(domain: readonly [number, number], pixels: number, percent = false): { format: string; tickCount: number } {
  const tickCount = tickCountFor(pixels);
  return { format: tickFormat(domain, { percent, count: tickCount }), tickCount };
}
