/**
 * Decode PNG / JPEG files to compact uint8 pixels, and stack decoded images into one dataset array.
 * Shared by the image-folder and manifest loaders so both treat files identically.
 *
 * Pure-JS decoders (pngjs, jpeg-js) keep the extension free of native builds. Both decode to RGB(A); we
 * store a 1-channel copy when an image is grayscale (R == G == B everywhere), which also covers gray PNGs
 * and palette PNGs with gray palettes, and gray JPEGs (jpeg-js replicates Y into R, G and B).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DataFormatError } from './dataset';

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** 1 (gray) or 3 (RGB). Alpha is always dropped. */
  readonly channels: 1 | 3;
  /** height * width * channels bytes, HWC row-major. */
  readonly data: Uint8Array;
}

/** Extensions we treat as images. Files with other extensions are skipped by the folder loader. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

export function hasImageExtension(file: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Largest image we decode (64 megapixels). Checked on the declared size before decoding: a 100-byte PNG can declare
 * 30000x30000 pixels, which makes pngjs allocate gigabytes and stall the engine for minutes.
 */
export const MAX_IMAGE_PIXELS = 64 * 1024 * 1024;

const UNSUPPORTED_FORMATS: readonly [string, (b: Uint8Array) => boolean][] = [
  ['GIF', (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46],
  ['BMP', (b) => b[0] === 0x42 && b[1] === 0x4d],
  ['WebP', (b) => b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45],
  ['TIFF', (b) => (b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2a)],
];

/** What a non-PNG/JPEG file looks like, for the error message: a known image format, empty, or its first bytes. */
function describeHeader(buf: Uint8Array): string {
  if (buf.length === 0) return 'the file is empty (0 bytes)';
  const known = UNSUPPORTED_FORMATS.find(([, is]) => buf.length >= 12 && is(buf));
  if (known) return `it is a ${known[0]} image, which is not supported`;
  const first = Array.from(buf.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `unrecognized file header: first bytes ${first}`;
}

function tooLarge(file: string, kind: string, width: number, height: number, where: string): DataFormatError {
  return new DataFormatError(
    file,
    `${kind} header declares ${width}x${height} pixels, over the ${MAX_IMAGE_PIXELS / (1024 * 1024)}-megapixel limit${where}; the header is probably corrupt`,
    'downscale the image, or remove the file',
  );
}

/*
 * The decoders' own messages ("waitng on finished stream", "marker was not found") describe their internals, not
 * the file: we say what is wrong with the file instead, from its bytes.
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

/**
 * Decode by content (magic bytes), not by extension: a JPEG saved as .png is common in scraped datasets and
 * decodes fine. `context` is appended to error messages (e.g. "listed at line 4 of labels.csv").
 */
export function decodeImageBuffer(buf: Uint8Array, file: string, context = ''): DecodedImage {
  const where = context ? ` (${context})` : '';
  let rgba: Uint8Array;
  let stride: 3 | 4;
  let width: number;
  let height: number;
  if (buf.length >= 8 && PNG_MAGIC.every((b, i) => buf[i] === b)) {
    // IHDR is always the first chunk: width and height are the big-endian uint32s at offsets 16 and 20.
    if (buf.length >= 24) {
      const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      const w = view.getUint32(16, false);
      const h = view.getUint32(20, false);
      if (w * h > MAX_IMAGE_PIXELS) throw tooLarge(file, 'PNG', w, h, where);
    }
    try {
      // pngjs expands palette, gray and 16-bit images to 8-bit RGBA.
      const png = PNG.sync.read(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
      ({ width, height } = png);
      rgba = png.data;
      stride = 4;
    } catch {
      throw new DataFormatError(file, `cannot decode PNG: ${pngProblem(buf)}${where}`, 'the file is corrupt or truncated; re-export it or remove it');
    }
  } else if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) {
    try {
      const img = jpeg.decode(buf, {
        useTArray: true,
        formatAsRGBA: false,
        maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
        maxMemoryUsageInMB: 1024,
      });
      ({ width, height } = img);
      rgba = img.data;
      stride = 3;
    } catch {
      throw new DataFormatError(file, `cannot decode JPEG: ${jpegProblem(buf)}${where}`, 'the file is corrupt or truncated; re-export it or remove it');
    }
  } else {
    throw new DataFormatError(file, `not a PNG or JPEG image (${describeHeader(buf)})${where}`, 'convert it to PNG, or remove it');
  }
  if (width === 0 || height === 0 || rgba.length < width * height * stride) {
    throw new DataFormatError(file, `decoded to an empty or incomplete ${width}x${height} image${where}`, 'the file is corrupt or truncated; re-export it or remove it');
  }
  return toCompact(rgba, width, height, stride);
}

/** Read and decode one image file. */
export function decodeImage(file: string, context = ''): DecodedImage {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    const where = context ? ` (${context})` : '';
    throw new DataFormatError(file, `cannot read image: ${(e as Error).message}${where}`);
  }
  return decodeImageBuffer(buf, file, context);
}

/** Drop alpha, and collapse to one channel when R == G == B for every pixel. */
function toCompact(src: Uint8Array, width: number, height: number, stride: 3 | 4): DecodedImage {
  const n = width * height;
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
  const data = new Uint8Array(n * 3);
  for (let p = 0, o = 0, d = 0; p < n; p++, o += stride) {
    data[d++] = src[o];
    data[d++] = src[o + 1];
    data[d++] = src[o + 2];
  }
  return { width, height, channels: 3, data };
}

export interface StackedImages {
  readonly images: Uint8Array;
  readonly shape: [number, number, number];
}

/**
 * Concatenate decoded images into one N*H*W*C array. All images must have one size (see checkSameSize). Channels: 1 if every image is gray, else 3,
 * with gray images replicated into R, G, B. Pass `channels` to force a count (so train and test agree).
 */
export function stackImages(
  decoded: readonly DecodedImage[],
  files: readonly string[],
  channels?: 1 | 3,
): StackedImages {
  if (decoded.length === 0) throw new Error('stackImages: no images');
  checkSameSize(decoded, files);
  const { width, height } = decoded[0];
  const c = channels ?? stackedChannels(decoded);
  const size = height * width * c;
  const images = new Uint8Array(decoded.length * size);
  for (let i = 0; i < decoded.length; i++) {
    const d = decoded[i];
    const base = i * size;
    if (d.channels === c) {
      images.set(d.data, base);
    } else if (c === 3) {
      for (let p = 0, o = base; p < d.data.length; p++, o += 3) {
        const v = d.data[p];
        images[o] = v;
        images[o + 1] = v;
        images[o + 2] = v;
      }
    } else {
      throw new DataFormatError(files[i], 'color image cannot be stored in a 1-channel dataset');
    }
  }
  return { images, shape: [height, width, c] };
}

/**
 * Throw a DataFormatError naming the first image whose size differs from the first one (and both sizes).
 * We do not resize: silently resampling would change what the scores measure.
 */
export function checkSameSize(
  decoded: readonly DecodedImage[],
  files: readonly string[],
  contexts?: readonly string[],
): void {
  if (decoded.length === 0) return;
  const { width, height } = decoded[0];
  const where = (i: number): string => (contexts?.[i] ? ` (${contexts[i]})` : '');
  for (let i = 1; i < decoded.length; i++) {
    const d = decoded[i];
    if (d.width !== width || d.height !== height) {
      throw new DataFormatError(
        files[i],
        `image is ${d.width}x${d.height}${where(i)} but ${files[0]}${where(0)} is ${width}x${height}; all images must have the same size`,
        'resize the images to one size first',
      );
    }
  }
}

/** 1 if every image is grayscale, else 3. */
export function stackedChannels(decoded: Iterable<DecodedImage>): 1 | 3 {
  for (const d of decoded) if (d.channels === 3) return 3;
  return 1;
}
