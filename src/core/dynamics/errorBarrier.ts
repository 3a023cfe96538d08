/**
 * Error barrier between two networks along the segment joining them (Frankle et al. 2020; Data Diet eq. 5):
 *   barrier = max over alpha of  err(alpha) - [(1 - alpha) err(0) + alpha err(1)],
 * the largest rise of the error above the straight line between the endpoint errors. 0 when the two networks
 * are linearly connected; errors are fractions in [0, 1], so is the barrier (it can dip below 0 if the
 * midpoints are better than both ends; reported as is).
 */
export interface BarrierResult {
  readonly barrier: number;
  /** Where the maximum is. */
  readonly alpha: number;
  /** err(alpha) minus the endpoint line, per alpha. */
  readonly excess: number[];
}

export function errorBarrier(alphas: readonly number[], errors: readonly number[]): BarrierResult {
  if (alphas.length !== errors.length) throw new RangeError(`errorBarrier: ${alphas.length} alphas but ${errors.length} errors`);
  if (alphas.length < 2 || alphas[0] !== 0 || alphas[alphas.length - 1] !== 1) throw new RangeError('errorBarrier: alphas must run from 0 to 1 (both endpoints are needed)');
  for (let i = 1; i < alphas.length; i++) if (!(alphas[i] > alphas[i - 1])) throw new RangeError('errorBarrier: alphas must increase');
  for (const e of errors) if (!(e >= 0 && e <= 1)) throw new RangeError(`errorBarrier: errors are fractions in [0, 1], got ${e}`);
  const e0 = errors[0];
  const e1 = errors[errors.length - 1];
  const excess = alphas.map((a, i) => errors[i] - ((1 - a) * e0 + a * e1));
  let best = 0;
  for (let i = 1; i < excess.length; i++) if (excess[i] > excess[best]) best = i;
  return { barrier: excess[best], alpha: alphas[best], excess };
}

/** n + 1 evenly spaced alphas from 0 to 1, exact at both ends. */
export function alphaGrid(n: number): number[] {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`alphaGrid: need a positive number of intervals, got ${n}`);
  return Array.from({ length: n + 1 }, (_, i) => (i === n ? 1 : i / n));
}
