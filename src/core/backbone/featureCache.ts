/**
 * On-disk cache of extracted features: `<cacheDir>/features-<key>.f32` (raw float32, example-major) with a small
 * header `<cacheDir>/features-<key>.json`. The key hashes everything the features depend on, so a hit is always
 * the right data; the header (count, dim, byte length, checksum) catches a damaged file, which is then recomputed.
 * Both files are written atomically, the data first: a header on disk always describes a complete data file.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../store/atomicWrite';
import { evictOldest, touchEntry } from '../store/cacheEviction';
import { canonicalJson } from '../store/canonicalJson';

/** Bump when extraction changes in a way the key does not see (e.g. a fix in preprocessing). */
export const FEATURE_CACHE_VERSION = 1;

/** Feature matrices kept (least recently used go first). */
export const FEATURE_CACHE_ENTRIES = 16;
const HEADER_FORMAT = 'datadiet-features';

export interface FeatureMatrix {
  /** count * dim values, example-major. */
  readonly values: Float32Array;
  readonly count: number;
  readonly dim: number;
}

export interface FeatureCacheKeyParts {
  readonly backboneFingerprint: string;
  /** The dataset's content fingerprint (data/fingerprint.ts) or any string that changes with the examples. */
  readonly datasetFingerprint: string;
  /** Everything else the features depend on: input size, range, resize method (see preprocess.ts). */
  readonly preprocessing: object;
}

interface FeatureHeader {
  readonly format: typeof HEADER_FORMAT;
  readonly version: number;
  readonly key: string;
  readonly count: number;
  readonly dim: number;
  readonly dtype: 'float32';
  readonly byteOrder: 'LE' | 'BE';
  readonly byteLength: number;
  readonly sha256: string;
}

export type CacheOutcome = 'hit' | 'computed' | 'recomputed';

export interface CachedFeatures extends FeatureMatrix {
  readonly outcome: CacheOutcome;
  /** Why a cached copy was not used ('recomputed' only). */
  readonly problem?: string;
  readonly file: string;
}

export function featureCacheKey(parts: FeatureCacheKeyParts): string {
  const canonical = canonicalJson({ v: FEATURE_CACHE_VERSION, backbone: parts.backboneFingerprint, dataset: parts.datasetFingerprint, preprocessing: parts.preprocessing });
  return createHash('sha256').update(canonical).digest('hex');
}

export function featureCacheFiles(cacheDir: string, key: string): { data: string; header: string } {
  // The key becomes a file name: only plain characters, never a path.
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(key)) throw new Error(`feature cache key "${key}" must be letters, digits, - or _`);
  return { data: path.join(cacheDir, `features-${key}.f32`), header: path.join(cacheDir, `features-${key}.json`) };
}

/** Returns the cached features for `key`, or computes, stores and returns them. */
export async function cachedFeatures(cacheDir: string, key: string, compute: () => Promise<FeatureMatrix>): Promise<CachedFeatures> {
  const files = featureCacheFiles(cacheDir, key);
  const found = readCached(files, key);
  if ('values' in found) {
    touchEntry(files.header);
    return { ...found, outcome: 'hit', file: files.data };
  }
  const fresh = await compute();
  if (fresh.values.length !== fresh.count * fresh.dim) {
    throw new Error(`computed features hold ${fresh.values.length} values, not count ${fresh.count} x dim ${fresh.dim}`);
  }
  const bytes = new Uint8Array(fresh.values.buffer, fresh.values.byteOffset, fresh.values.byteLength);
  const header: FeatureHeader = {
    format: HEADER_FORMAT,
    version: FEATURE_CACHE_VERSION,
    key,
    count: fresh.count,
    dim: fresh.dim,
    dtype: 'float32',
    byteOrder: os.endianness(),
    byteLength: bytes.byteLength,
    sha256: sha256(bytes),
  };
  writeFileAtomic(files.data, bytes);
  writeJsonAtomic(files.header, header);
  // Features are count x dim floats each: keep those of the last few datasets (train and test split each).
  evictOldest(cacheDir, 'features-', '.f32', FEATURE_CACHE_ENTRIES);
  return { ...fresh, outcome: found.problem === undefined ? 'computed' : 'recomputed', problem: found.problem, file: files.data };
}

type ReadResult = FeatureMatrix | { readonly problem?: string };

/** The cached matrix, or why there is none usable (problem undefined: simply absent). */
function readCached(files: { data: string; header: string }, key: string): ReadResult {
  if (!fs.existsSync(files.header)) return {};
  let header: Partial<FeatureHeader>;
  try {
    header = JSON.parse(fs.readFileSync(files.header, 'utf8')) as Partial<FeatureHeader>;
  } catch {
    return { problem: `${files.header} is not valid JSON` };
  }
  const { count, dim, byteLength } = header;
  if (header.format !== HEADER_FORMAT || header.version !== FEATURE_CACHE_VERSION || header.key !== key || header.dtype !== 'float32' || header.byteOrder !== os.endianness()) {
    return { problem: `${files.header} is for another key, version or layout` };
  }
  if (!isCount(count) || !isCount(dim) || byteLength !== count * dim * 4) return { problem: `${files.header}: count, dim and byteLength disagree` };
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(files.data);
  } catch {
    return { problem: `${files.data} is missing` };
  }
  if (bytes.byteLength !== byteLength) return { problem: `${files.data} holds ${bytes.byteLength} bytes, the header says ${byteLength}` };
  if (sha256(bytes) !== header.sha256) return { problem: `${files.data} does not match its checksum` };
  // Copy into a fresh, aligned buffer: a Buffer may sit at any offset of a shared pool.
  const values = new Float32Array(count * dim);
  new Uint8Array(values.buffer).set(bytes);
  return { values, count, dim };
}

function isCount(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
