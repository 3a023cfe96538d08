/**
 * Decode one image file to compact uint8 pixels (HWC; 1 channel when gray, else RGB), optionally resized to the
 * dataset's geometry. Shared by the image-folder and manifest loaders and the review queue, so all treat files alike.
 *
 * Two decoders, each where it is faster: small PNGs (up to 128x128, the MNIST- and CIFAR-like case) go through pngjs, whose
 * in-process decode beats libvips' per-image setup several times over; every other image goes through sharp
 * (libvips): JPEG, WebP, GIF, TIFF, AVIF, large PNGs, EXIF orientation, CMYK and 16-bit colour, and resizing.
 * Alpha is dropped, as torchvision's `convert('RGB')` does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { DataFormatError } from './dataset';
import { describeGeometry, NATIVE_GEOMETRY, type ImageGeometry } from './imageGeometry';
import { fitSquare } from './resample';
import { sharpModule } from './sharpModule';

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** 1 (gray) or 3 (RGB). Alpha is always dropped. */
  readonly channels: 1 | 3;
  /** height * width * channels bytes, HWC row-major. */
  readonly data: Uint8Array;
}

/** Extensions we treat as images. Files with other extensions are skipped by the folder loader. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif'];

export function hasImageExtension(file: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/**
 * Largest image we decode (64 megapixels). A 100-byte PNG can declare 30000x30000 pixels; decoding it would take
 * gigabytes and minutes. libvips checks the declared size before decoding.
 */
export const MAX_IMAGE_PIXELS = 64 * 1024 * 1024;

/** PNGs up to this many pixels decode faster in-process (pngjs) than through libvips (bench:images). */
const SMALL_PNG_PIXELS = 128 * 128;

export type ImageFormat = 'PNG' | 'JPEG' | 'WebP' | 'GIF' | 'TIFF' | 'AVIF' | 'BMP' | 'HEIC';

const FORMAT_MAGIC: readonly [ImageFormat, (b: Uint8Array) => boolean][] = [
  ['PNG', (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47],
  ['JPEG', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['GIF', (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46],
  ['WebP', (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP'],
  ['TIFF', (b) => (b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2a)],
  ['AVIF', (b) => ascii(b, 4, 8) === 'ftyp' && /^avi[fs]$/.test(ascii(b, 8, 12))],
  ['HEIC', (b) => ascii(b, 4, 8) === 'ftyp' && /^(heic|heix|mif1)$/.test(ascii(b, 8, 12))],
  ['BMP', (b) => b[0] === 0x42 && b[1] === 0x4d],
];

/** Formats the bundled decoders read. */
const SUPPORTED: ReadonlySet<ImageFormat> = new Set(['PNG', 'JPEG', 'GIF', 'WebP', 'TIFF', 'AVIF']);

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

/** The format a file's first bytes announce (its extension may lie: a JPEG saved as .png is common). */
export function imageFormatOf(buf: Uint8Array): ImageFormat | undefined {
  if (buf.length < 12) return buf.length >= 3 && FORMAT_MAGIC[1][1](buf) ? 'JPEG' : undefined;
  return FORMAT_MAGIC.find(([, is]) => is(buf))?.[0];
}

/** What an undecodable file looks like, for the error message: empty, an unsupported format, or its first bytes. */
function describeHeader(buf: Uint8Array): string {
  if (buf.length === 0) return 'the file is empty (0 bytes)';
  const format = imageFormatOf(buf);
  if (format) return `it is a ${format} image, which is not supported`;
  const first = Array.from(buf.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `unrecognized file header: first bytes ${first}`;
}

function tooLarge(file: string, format: string, width: number | undefined, height: number | undefined, where: string): DataFormatError {
  const size = width && height ? `${width}x${height} pixels` : 'more pixels than that';
  return new DataFormatError(
    file,
    `${format} header declares ${size}, over the ${MAX_IMAGE_PIXELS / (1024 * 1024)}-megapixel limit${where}; the header is probably corrupt`,
    'downscale the image, or remove the file',
  );
}

/*
 * The decoders' own messages ("waitng on finished stream", "VipsJpeg: premature end of JPEG image") describe their
 * internals, not the file: we say what is wrong with the file instead, from its bytes.
 */

/** Why a PNG that failed to decode is bad: cut short (no IEND chunk at the end), or damaged inside. */
export function pngProblem(buf: Uint8Array): string {
  const end = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).subarray(-12);
  return end.includes(Buffer.from('IEND'))
    ? `the image data is damaged (${buf.length} bytes, complete to its end marker)`
    : `the file ends early (${buf.length} bytes, no IEND end chunk): it was cut off while being written or copied`;
}

/** Why a JPEG that failed to decode is bad: cut short (no FFD9 end marker), or damaged inside. */
export function jpegProblem(buf: Uint8Array): string {
  const n = buf.length;
  return n >= 2 && buf[n - 2] === 0xff && buf[n - 1] === 0xd9
    ? `the image data is damaged (${n} bytes, complete to its end marker)`
    : `the file ends early (${n} bytes, no end-of-image marker): it was cut off while being written or copied`;
}

function damaged(format: ImageFormat, buf: Uint8Array): string {
  if (format === 'PNG') return pngProblem(buf);
  if (format === 'JPEG') return jpegProblem(buf);
  return `the image data is damaged or cut off (${buf.length} bytes)`;
}

const CORRUPT_FIX = 'the file is corrupt or truncated; re-export it or remove it';

export interface DecodeOptions {
  /** Appended to error messages, e.g. "line 4 of labels.csv". */
  readonly context?: string;
  /** Output size; default: the image's own. */
  readonly geometry?: ImageGeometry;
}

/** Decode by content (magic bytes), not by extension. */
export async function decodeImageBuffer(buf: Uint8Array, file: string, opts: DecodeOptions = {}): Promise<DecodedImage> {
  const where = opts.context ? ` (${opts.context})` : '';
  const geometry = opts.geometry ?? NATIVE_GEOMETRY;
  const format = imageFormatOf(buf);
  if (!format || !SUPPORTED.has(format)) {
    throw new DataFormatError(file, `not an image we can read (${describeHeader(buf)})${where}`, `convert it to PNG or JPEG, or remove it`);
  }
  if (format === 'PNG' && buf.length >= 24) {
    // IHDR is always the first chunk: width and height are the big-endian uint32s at offsets 16 and 20.
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const w = view.getUint32(16, false);
    const h = view.getUint32(20, false);
    if (w * h > MAX_IMAGE_PIXELS) throw tooLarge(file, format, w, h, where);
    if (w * h <= SMALL_PNG_PIXELS && w > 0 && h > 0) {
      const small = decodeSmallPng(buf, file, where);
      return resizeDecoded(small, geometry);
    }
  }
  return decodeWithSharp(buf, format, file, where, geometry);
}

/**
 * Read and decode one image file. The read is synchronous: dataset files are small, and an asynchronous read costs
 * more than the decode of a small PNG (this runs in the engine or a worker, never on the extension host).
 */
export async function decodeImage(file: string, opts: DecodeOptions = {}): Promise<DecodedImage> {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    const where = opts.context ? ` (${opts.context})` : '';
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message;
    throw new DataFormatError(file, `cannot read image: ${why}${where}`);
  }
  return decodeImageBuffer(buf, file, opts);
}

function decodeSmallPng(buf: Uint8Array, file: string, where: string): DecodedImage {
  let png: PNG;
  try {
    // pngjs expands palette, gray and 16-bit images to 8-bit RGBA.
    png = PNG.sync.read(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
  } catch {
    throw new DataFormatError(file, `cannot decode PNG: ${pngProblem(buf)}${where}`, CORRUPT_FIX);
  }
  if (png.data.length < png.width * png.height * 4) {
    throw new DataFormatError(file, `decoded to an empty or incomplete ${png.width}x${png.height} image${where}`, CORRUPT_FIX);
  }
  return toCompact(png.data, png.width, png.height, 4);
}

function resizeOptions(g: ImageGeometry & { size: number }) {
  // 'cover' scales the shorter side to the size and crops the centre (torchvision Resize + CenterCrop); 'contain'
  // scales the longer side and pads. Bilinear, antialiased by libvips' reduce: torchvision's default, and what
  // resample.ts does for small images.
  return {
    width: g.size,
    height: g.size,
    fit: g.resize === 'crop' ? ('cover' as const) : ('contain' as const),
    position: 'centre',
    kernel: 'linear' as const,
    background: { r: 0, g: 0, b: 0, alpha: 1 },
  };
}

/** A decoded image brought to the geometry in-process (resample.ts); one already that size is returned as it is. */
export function resizeDecoded(img: DecodedImage, g: ImageGeometry): DecodedImage {
  return g.size === undefined || (img.width === g.size && img.height === g.size) ? img : fitSquare(img, g.size, g.resize);
}

async function decodeWithSharp(buf: Uint8Array, format: ImageFormat, file: string, where: string, g: ImageGeometry): Promise<DecodedImage> {
  const sharp = sharpModule();
  // failOn 'warning': a cut-off JPEG only warns in libjpeg and would decode with a gray bottom; PIL refuses it too.
  let pipeline = sharp(buf, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'warning', pages: 1 }).autoOrient();
  if (g.size !== undefined) pipeline = pipeline.resize(resizeOptions(g as ImageGeometry & { size: number }));
  let out: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    out = await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/pixel limit/i.test(message)) {
      const meta = await sharp(buf, { limitInputPixels: false }).metadata().catch(() => undefined);
      throw tooLarge(file, format, meta?.width, meta?.height, where);
    }
    throw new DataFormatError(file, `cannot decode ${format}: ${damaged(format, buf)}${where}`, CORRUPT_FIX);
  }
  const { data, info } = out;
  if (info.width === 0 || info.height === 0 || info.channels !== 3 || data.length < info.width * info.height * 3) {
    throw new DataFormatError(file, `decoded to an empty or incomplete ${info.width}x${info.height} image${where}`, CORRUPT_FIX);
  }
  return toCompact(data, info.width, info.height, 3);
}

/** Drop alpha, and collapse to one channel when R == G == B for every pixel. */
function toCompact(src: Uint8Array, width: number, height: number, stride: 1 | 3 | 4): DecodedImage {
  const n = width * height;
  if (stride === 1) return { width, height, channels: 1, data: Uint8Array.from(src.subarray(0, n)) };
  let gray = true;
  for (let p = 0, o = 0; p < n; p++, o += stride) {
    if (src[o] !== src[o + 1] || src[o] !== src[o + 2]) {
      gray = false;
      break;
    }
  }
  if (gray) {
    const data = new Uint8Array(n);
    for (let p = 0, o = 0; p < n; p++, o += stride) data[p] = src[o];
    return { width, height, channels: 1, data };
  }
  if (stride === 3) return { width, height, channels: 3, data: new Uint8Array(src.buffer, src.byteOffset, n * 3) };
  const data = new Uint8Array(n * 3);
  for (let p = 0, o = 0, d = 0; p < n; p++, o += stride) {
    data[d++] = src[o];
    data[d++] = src[o + 1];
    data[d++] = src[o + 2];
  }
  return { width, height, channels: 3, data };
}

/** Oriented width and height from the header alone, for the size survey of a mixed folder. */
export async function imageSizeOf(file: string): Promise<{ width: number; height: number } | undefined> {
  try {
    const meta = await sharpModule()(file, { limitInputPixels: false }).metadata();
    const o = meta.autoOrient ?? meta;
    return o.width && o.height ? { width: o.width, height: o.height } : undefined;
  } catch {
    return undefined;
  }
}
