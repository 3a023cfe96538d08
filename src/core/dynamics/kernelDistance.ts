/**
 * Kernel velocity between two Gram matrices of the same examples (Fort et al. 2020, Data Diet eq. 7):
 *   v = 1 - <K1, K2>_F / (||K1||_F ||K2||_F),
 * a cosine distance, so it ignores the kernel's overall scale (which grows and shrinks with the learning rate).
 * Accumulated in float64: Grams of 1000 x 1000 entries lose digits in float32 sums.
 */
export function kernelDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`kernelDistance: Gram matrices differ in size (${a.length} vs ${b.length} entries)`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (!(na > 0 && nb > 0)) throw new RangeError('kernelDistance: a Gram matrix is all zeros');
  // Rounding can push the cosine a hair past 1.
  return Math.max(0, 1 - dot / Math.sqrt(na * nb));
}
