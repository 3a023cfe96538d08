/**
 * N vectors of D float32 values, row-major: embeddings, thumbnails, anything searched for neighbours. The one shape
 * the similarity module takes (a view, never copied unless a function says so).
 */
export interface VectorRows {
  readonly values: Float32Array;
  readonly dim: number;
}

export type Metric = 'cosine' | 'l2';

export function rowCount(v: VectorRows): number {
  if (!(Number.isInteger(v.dim) && v.dim >= 1)) throw new RangeError(`vectors: dimension must be a positive integer, got ${v.dim}`);
  if (v.values.length % v.dim !== 0) throw new RangeError(`vectors: ${v.values.length} values are not rows of ${v.dim}`);
  return v.values.length / v.dim;
}

export function row(v: VectorRows, r: number): Float32Array {
  return v.values.subarray(r * v.dim, (r + 1) * v.dim);
}

/** A copy with every row scaled to unit length (cosine similarity is then a dot product); all-zero rows stay zero. */
export function unitRows(v: VectorRows): VectorRows {
  const n = rowCount(v);
  const out = new Float32Array(v.values.length);
  const d = v.dim;
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = r * d; j < (r + 1) * d; j++) s += v.values[j] * v.values[j];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = r * d; j < (r + 1) * d; j++) out[j] = v.values[j] * inv;
  }
  return { values: out, dim: d };
}

/** The first row holding NaN or an infinity, or -1: neighbours of such a row mean nothing, so callers refuse it. */
export function firstNonFiniteRow(v: VectorRows): number {
  for (let i = 0; i < v.values.length; i++) if (!Number.isFinite(v.values[i])) return Math.floor(i / v.dim);
  return -1;
}
