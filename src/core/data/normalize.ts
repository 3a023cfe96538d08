/**
 * Per-channel standardization: x -> (x/255 - mean[c]) / std[c], with mean/std measured on the TRAIN split
 * only (measuring them on test data would leak it into training).
 *
 * Pixels are uint8, so both steps reduce to 256 possible values per channel: the statistics come from a
 * histogram (exact, one pass, no float accumulation error over millions of pixels) and normalization is
 * a table lookup.
 */
import { exampleSize, type ExampleFeatures, type ImageDataset } from './dataset';

export interface ChannelStats {
  readonly mean: number[];
  readonly std: number[];
}

/** Below this a channel is constant; dividing by ~0 would blow it up, so it is only centered (std = 1). */
const MIN_STD = 1e-6;

/**
 * Mean and population std of pixels/255 per channel, over every pixel of every example; for backbone features, of
 * each feature over the examples (a head on standardized features trains with the same learning rates as on pixels).
 */
export function channelStats(ds: Pick<ImageDataset, 'images' | 'shape' | 'features'>): ChannelStats {
  if (ds.features) return featureStats(ds.features);
  const c = ds.shape[2];
  const hist = new Float64Array(256 * c);
  const px = ds.images;
  // Channel of byte i is i % c; walking pixel-by-pixel avoids a modulo per byte. Counting into Uint32
  // chunks is ~3x faster than Float64 increments; flushing every 2^31 bytes keeps the counts from overflowing.
  const CHUNK = 2 ** 31 - (2 ** 31 % c);
  for (let startByte = 0; startByte < px.length; startByte += CHUNK) {
    const end = Math.min(px.length, startByte + CHUNK);
    const counts = new Uint32Array(256 * c);
    if (c === 1) {
      for (let i = startByte; i < end; i++) counts[px[i]]++;
    } else {
      for (let i = startByte; i < end; i += c) for (let k = 0; k < c; k++) counts[k * 256 + px[i + k]]++;
    }
    for (let j = 0; j < counts.length; j++) hist[j] += counts[j];
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let k = 0; k < c; k++) {
    let n = 0;
    let sum = 0;
    for (let v = 0; v < 256; v++) {
      n += hist[k * 256 + v];
      sum += hist[k * 256 + v] * (v / 255);
    }
    if (n === 0) {
      mean.push(0);
      std.push(1);
      continue;
    }
    const m = sum / n;
    let sq = 0;
    for (let v = 0; v < 256; v++) {
      const d = v / 255 - m;
      sq += hist[k * 256 + v] * d * d;
    }
    const s = Math.sqrt(sq / n);
    mean.push(m);
    std.push(s < MIN_STD ? 1 : s);
  }
  return { mean, std };
}

function featureStats(f: ExampleFeatures): ChannelStats {
  const { values, dim } = f;
  const n = values.length / dim;
  const sum = new Float64Array(dim);
  for (let i = 0; i < values.length; i += dim) for (let k = 0; k < dim; k++) sum[k] += values[i + k];
  const mean = Array.from(sum, (v) => (n ? v / n : 0));
  const sq = new Float64Array(dim);
  for (let i = 0; i < values.length; i += dim) {
    for (let k = 0; k < dim; k++) {
      const d = values[i + k] - mean[k];
      sq[k] += d * d;
    }
  }
  const std = Array.from(sq, (v) => {
    const s = n ? Math.sqrt(v / n) : 1;
    return s < MIN_STD ? 1 : s;
  });
  return { mean, std };
}

/** 256 entries per channel: lut[c*256 + v] = (v/255 - mean[c]) / std[c]. */
export function normalizationTable(stats: ChannelStats): Float32Array {
  const c = stats.mean.length;
  if (stats.std.length !== c) throw new RangeError(`normalization: ${c} means but ${stats.std.length} stds`);
  const lut = new Float32Array(256 * c);
  for (let k = 0; k < c; k++) {
    const m = stats.mean[k];
    const s = stats.std[k];
    for (let v = 0; v < 256; v++) lut[k * 256 + v] = (v / 255 - m) / s;
  }
  return lut;
}

/**
 * Gather the examples at `indices` and normalize them into a float32 NHWC batch (length
 * indices.length * H * W * C). Writes into `out` when given (reuse it across steps to avoid garbage).
 */
export function normalizeBatch(
  ds: Pick<ImageDataset, 'images' | 'shape' | 'labels' | 'features'>,
  indices: ArrayLike<number>,
  stats: ChannelStats,
  out?: Float32Array,
): Float32Array {
  if (ds.features) return standardizeFeatures(ds.features, ds.labels.length, indices, stats, out);
  const c = ds.shape[2];
  if (stats.mean.length !== c) {
    throw new RangeError(`normalizeBatch: stats have ${stats.mean.length} channels, dataset has ${c}`);
  }
  const size = exampleSize(ds);
  const n = indices.length;
  const dst = out ?? new Float32Array(n * size);
  if (dst.length < n * size) throw new RangeError(`normalizeBatch: out has ${dst.length} floats, need ${n * size}`);
  const lut = normalizationTable(stats);
  const count = ds.labels.length;
  const px = ds.images;
  for (let b = 0; b < n; b++) {
    const idx = indices[b];
    if (!(idx >= 0 && idx < count) || !Number.isInteger(idx)) {
      throw new RangeError(`normalizeBatch: index ${idx} out of range [0, ${count})`);
    }
    let o = b * size;
    const start = idx * size;
    const end = start + size;
    if (c === 1) {
      for (let i = start; i < end; i++) dst[o++] = lut[px[i]];
    } else if (c === 3) {
      for (let i = start; i < end; i += 3) {
        dst[o++] = lut[px[i]];
        dst[o++] = lut[256 + px[i + 1]];
        dst[o++] = lut[512 + px[i + 2]];
      }
    } else {
      for (let i = start; i < end; i += c) for (let k = 0; k < c; k++) dst[o++] = lut[k * 256 + px[i + k]];
    }
  }
  return dst;
}

/** The feature rows at `indices`, each feature standardized by the training examples' mean and std. */
function standardizeFeatures(f: ExampleFeatures, count: number, indices: ArrayLike<number>, stats: ChannelStats, out?: Float32Array): Float32Array {
  const { values, dim } = f;
  if (stats.mean.length !== dim) throw new RangeError(`normalizeBatch: stats have ${stats.mean.length} features, dataset has ${dim}`);
  const n = indices.length;
  const dst = out ?? new Float32Array(n * dim);
  if (dst.length < n * dim) throw new RangeError(`normalizeBatch: out has ${dst.length} floats, need ${n * dim}`);
  const inv = stats.std.map((s) => 1 / s);
  for (let b = 0; b < n; b++) {
    const idx = indices[b];
    if (!(idx >= 0 && idx < count) || !Number.isInteger(idx)) throw new RangeError(`normalizeBatch: index ${idx} out of range [0, ${count})`);
    const src = idx * dim;
    const o = b * dim;
    for (let k = 0; k < dim; k++) dst[o + k] = (values[src + k] - stats.mean[k]) * inv[k];
  }
  return dst;
}
