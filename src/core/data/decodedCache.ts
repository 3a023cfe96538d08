/**
 * Decoded images kept on disk under `.datadiet/cache/`, so a dataset of image files is decoded once: later loads
 * of the same files at the same geometry read one uint8 file instead of decoding every image again.
 *
 * The key covers every file's path, size and modification time (as a build tool's file index does), the geometry
 * and the decoder version, so any changed, added or removed file, or another --image-size, misses the cache. Entries
 * are written atomically (temporary file, then rename; the header last), and only the most recently used are kept.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeImageFiles, type DecodeFilesOptions, type StackedImages } from './decodeImageFiles';
import { writeFileAtomic } from '../store/atomicWrite';
import { evictOldest, touchEntry } from '../store/cacheEviction';
import { describeGeometry, NATIVE_GEOMETRY, type ImageGeometry } from './imageGeometry';

/** Bump when decoding changes what pixels a file gives, so old entries are never read. */
const CACHE_VERSION = 'datadiet-decoded-v1';

/** How many decoded datasets the cache keeps (least recently used go first). */
export const CACHE_ENTRIES = 8;

interface CacheHeader {
  readonly version: string;
  readonly count: number;
  readonly shape: [number, number, number];
  readonly bytes: number;
  readonly geometry: string;
  readonly first: string;
}

export interface CachedImages extends StackedImages {
  /** True when read from the cache, false when decoded (and then stored). */
  readonly fromCache: boolean;
}

export interface CachedDecodeOptions extends DecodeFilesOptions {
  /** `.datadiet/cache`; without it every load decodes. */
  readonly cacheDir?: string;
}

/** What a cache entry is made from: source files (by path, size and mtime), a geometry, and which part of them. */
export interface CacheSource {
  readonly files: readonly string[];
  readonly geometry?: ImageGeometry;
  /** Tells apart entries made from the same files (e.g. the train and test images of one IDX folder). */
  readonly part?: string;
}

/** sha256 over the version, the geometry, the part and each file's path, size and mtime. */
export function decodedCacheKey(src: CacheSource): string {
  const h = createHash('sha256').update(`${CACHE_VERSION}\0${describeGeometry(src.geometry ?? NATIVE_GEOMETRY)}\0${src.part ?? ''}`);
  for (const f of src.files) {
    const st = fs.statSync(f, { bigint: true });
    h.update(`\0${path.resolve(f)}\0${st.size}\0${st.mtimeNs}`);
  }
  return h.digest('hex').slice(0, 40);
}

/** `make()`'s images, from the cache when an entry for `src` with `count` examples is there, else made and stored. */
export async function cachedImages(cacheDir: string | undefined, src: CacheSource, count: number, make: () => Promise<StackedImages>): Promise<CachedImages> {
  if (!cacheDir) return { ...(await make()), fromCache: false };
  let key: string;
  try {
    key = decodedCacheKey(src);
  } catch {
    // A file vanished between listing and stat: making the images names it properly.
    return { ...(await make()), fromCache: false };
  }
  const hit = readEntry(cacheDir, key, count);
  if (hit) return { ...hit, fromCache: true };
  const made = await make();
  writeEntry(cacheDir, key, made, count, describeGeometry(src.geometry ?? NATIVE_GEOMETRY), src.files[0] ?? '');
  return { ...made, fromCache: false };
}

/** Decode image files, through the cache. */
export async function cachedDecode(files: readonly string[], opts: CachedDecodeOptions = {}): Promise<CachedImages> {
  const out = await cachedImages(opts.cacheDir, { files, geometry: opts.geometry }, files.length, () => decodeImageFiles(files, opts));
  if (out.fromCache) opts.onProgress?.(files.length, files.length);
  return out;
}

function entryPaths(dir: string, key: string): { header: string; pixels: string } {
  return { header: path.join(dir, `images-${key}.json`), pixels: path.join(dir, `images-${key}.u8`) };
}

function readEntry(dir: string, key: string, count: number): StackedImages | undefined {
  const p = entryPaths(dir, key);
  let header: CacheHeader;
  try {
    header = JSON.parse(fs.readFileSync(p.header, 'utf8')) as CacheHeader;
  } catch {
    return undefined;
  }
  const [h, w, c] = header.shape ?? [];
  if (header.version !== CACHE_VERSION || header.count !== count || header.bytes !== count * h * w * c) return undefined;
  try {
    const images = readWhole(p.pixels, header.bytes);
    if (!images) return undefined;
    touchEntry(p.header);
    return { images, shape: [h, w, c] };
  } catch {
    return undefined;
  }
}

/** The whole file into one array, in chunks (one read call stops at 2 GiB); undefined if its size is not `bytes`. */
function readWhole(file: string, bytes: number): Uint8Array | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.fstatSync(fd).size !== bytes) return undefined;
    const out = new Uint8Array(bytes);
    const CHUNK = 1 << 30;
    for (let off = 0; off < bytes; ) {
      const n = fs.readSync(fd, out, off, Math.min(CHUNK, bytes - off), off);
      if (n <= 0) return undefined;
      off += n;
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

/** Best effort: a cache that cannot be written (read-only workspace, full disk) only costs the next load time. */
function writeEntry(dir: string, key: string, s: StackedImages, count: number, geometry: string, first: string): void {
  const p = entryPaths(dir, key);
  const header: CacheHeader = { version: CACHE_VERSION, count, shape: s.shape, bytes: s.images.byteLength, geometry, first };
  try {
    // Pixels first, header last: an entry without its header is never read.
    writeFileAtomic(p.pixels, s.images);
    writeFileAtomic(p.header, JSON.stringify(header));
  } catch {
    fs.rmSync(p.pixels, { force: true });
    return;
  }
  try {
    evictOldest(dir, 'images-', '.u8', CACHE_ENTRIES);
  } catch {
    /* an unreadable cache folder keeps its old entries */
  }
}
