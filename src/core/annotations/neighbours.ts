/**
 * Nearest neighbours in pixel space (squared L2 over raw uint8 pixels), for the review queue: "does this image
 * look like the other examples of its claimed class, or like those of the predicted class?". Pixel space is
 * crude but needs no model and is exactly what the user sees; for MNIST it finds convincing look-alikes.
 */
export interface PixelSource {
  readonly images: Uint8Array;
  readonly shape: readonly [number, number, number];
}

/** The k examples among `candidates` closest to example `query` (itself excluded), nearest first. */
export function nearestInPixels(src: PixelSource, query: number, candidates: ArrayLike<number>, k: number): number[] {
  const size = src.shape[0] * src.shape[1] * src.shape[2];
  const q = src.images.subarray(query * size, (query + 1) * size);
  const best: { i: number; d: number }[] = [];
  for (let j = 0; j < candidates.length; j++) {
    const i = candidates[j];
    if (i === query) continue;
    const base = i * size;
    let d = 0;
    const worst = best.length === k ? best[k - 1].d : Infinity;
    for (let t = 0; t < size && d < worst; t++) {
      const diff = src.images[base + t] - q[t];
      d += diff * diff;
    }
    if (d >= worst) continue;
    let at = best.length;
    while (at > 0 && (best[at - 1].d > d || (best[at - 1].d === d && best[at - 1].i > i))) at--;
    best.splice(at, 0, { i, d });
    if (best.length > k) best.pop();
  }
  return best.map((b) => b.i);
}
