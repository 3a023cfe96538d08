/**
 * Images of scored examples read back from the paths a score run recorded (predictions/sources.json), for the
 * review queue and the manifest hover. A run folder is data, not something we can trust: a crafted sources.json
 * could name `../../etc/passwd`, an absolute path or a symlink out of the dataset, and the extension host would
 * read it and show its bytes. So every path must resolve (realpath) to a file inside the dataset root, the
 * manifest's folder or the image folder, by the same rule as manifest paths (resolveInsideRoot). Reads are
 * asynchronous and capped in bytes (and in pixels, by the decoder), so a huge or hostile file never stalls the host.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFormatError } from '../data/dataset';
import { decodeImageBuffer, type DecodedImage } from '../data/decodeImage';
import { parseDatasetSpec } from '../data/load';
import type { ImageGeometry } from '../data/imageGeometry';
import { resolveInsideRoot } from '../data/manifest';
import { thumbnailDataUri } from '../notebook/thumbnail';

/** Largest image file read for display (64 MiB): far above any real training image. */
export const MAX_SOURCE_IMAGE_BYTES = 64 * 1024 * 1024;

/**
 * The folder a dataset's image paths must stay in: a manifest's folder or an image folder (relative spec paths
 * are resolved against the workspace root, as annotation targets do); undefined for binary datasets (IDX, CIFAR),
 * which have no image files.
 */
export function datasetRootOf(spec: string, workspaceRoot = process.cwd()): string | undefined {
  let parsed;
  try {
    parsed = parseDatasetSpec(spec);
  } catch {
    return undefined;
  }
  if (!parsed.path) return undefined;
  if (parsed.kind === 'csv' || parsed.kind === 'jsonl') return path.dirname(path.resolve(workspaceRoot, parsed.path));
  if (parsed.kind === 'folder') return path.resolve(workspaceRoot, parsed.path);
  return undefined;
}

/** Where a source path came from, for messages: the file that listed it and the place in it. */
export interface SourceWhere {
  readonly file: string;
  readonly place: string;
}

/** The real path of `src` if it is a file inside `root`; else a DataFormatError naming where it was listed. */
export function checkSourcePath(root: string, src: string, where: SourceWhere, rootReal?: string): string {
  let real: string;
  try {
    real = rootReal ?? fs.realpathSync(root);
  } catch {
    throw new DataFormatError(where.file, `${where.place}: the dataset folder ${root} does not exist`, 'restore the dataset folder, or score the dataset again');
  }
  const r = resolveInsideRoot(root, src, real);
  if (r.ok) return r.real;
  const fix = 'images are only read from inside the dataset folder; if this run folder came from elsewhere, score the dataset again';
  if (r.why === 'outside') throw new DataFormatError(where.file, `${where.place}: image path "${src}" is outside the dataset folder ${root}; not read`, fix);
  if (r.why === 'symlink-out') throw new DataFormatError(where.file, `${where.place}: image path "${src}" leads (through a symlink) outside the dataset folder ${root}; not read`, fix);
  if (r.why === 'missing') throw new DataFormatError(where.file, `${where.place}: image file not found: ${src}`, 'the dataset changed since it was scored; restore the file or score again');
  throw new DataFormatError(where.file, `${where.place}: not a file: ${src}`, 'score the dataset again');
}

/** Reads and decodes one source image, refusing paths outside `root` and files over MAX_SOURCE_IMAGE_BYTES. */
export async function readSourceImage(root: string, src: string, where: SourceWhere, rootReal?: string, geometry?: ImageGeometry): Promise<DecodedImage> {
  const real = checkSourcePath(root, src, where, rootReal);
  const fh = await fs.promises.open(real, 'r');
  try {
    const { size } = await fh.stat();
    if (size > MAX_SOURCE_IMAGE_BYTES) {
      throw new DataFormatError(where.file, `${where.place}: image ${src} is ${size} bytes, over the ${MAX_SOURCE_IMAGE_BYTES}-byte limit; not read`, 'downscale the image, or remove it from the dataset');
    }
    const buf = await fh.readFile();
    return await decodeImageBuffer(buf, real, { context: `${where.place} of ${where.file}`, geometry });
  } finally {
    await fh.close();
  }
}

/** A small LRU of values by key (thumbnails: a hover or a queue page should not decode the same file twice). */
export class LruCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity = 256) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }
  get size(): number {
    return this.map.size;
  }
}

export interface SourceThumbnail {
  /** data:image/png URI, at most `maxSide` pixels a side. */
  readonly uri: string;
  readonly width: number;
  readonly height: number;
}

/**
 * A checked, cached thumbnail of one source image (the manifest hover). Cached by real path and modification
 * time, so hovering the same row again reads nothing and an edited image is read afresh.
 */
export async function sourceThumbnail(root: string, src: string, where: SourceWhere, cache?: LruCache<SourceThumbnail>, maxSide = 64): Promise<SourceThumbnail> {
  const real = checkSourcePath(root, src, where);
  const key = `${real}:${(await fs.promises.stat(real)).mtimeMs}`;
  const hit = cache?.get(key);
  if (hit) return hit;
  const img = await readSourceImage(root, src, where);
  const t = { uri: thumbnailDataUri({ images: img.data, shape: [img.height, img.width, img.channels] }, 0, maxSide), width: img.width, height: img.height };
  cache?.set(key, t);
  return t;
}
