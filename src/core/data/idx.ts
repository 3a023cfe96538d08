/**
 * IDX files (the MNIST / Fashion-MNIST container), raw or gzipped.
 *
 * Layout: 2 zero bytes, a dtype byte, a byte with the number of dimensions, then one big-endian uint32 per
 * dimension, then the data, row-major. We only support dtype 0x08 (unsigned byte): that is what every
 * image/label IDX file in the wild uses, and our datasets store raw uint8 pixels anyway.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { DataFormatError, type ImageDataset } from './dataset';

export interface IdxArray {
  readonly dims: number[];
  readonly data: Uint8Array;
}

/** Refuse anything bigger than this before allocating: a corrupt header must not trigger a multi-GB allocation. */
export const IDX_MAX_DATA_BYTES = 2 ** 31;

const DTYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

interface IdxHeader {
  dims: number[];
  headerBytes: number;
  dataBytes: number;
}

/**
 * Parse and validate the header. Returns null when `buf` is too short to hold the whole header (the caller
 * may be peeking at a partial gunzip); throws DataFormatError for anything that is definitely wrong.
 */
function parseIdxHeader(buf: Uint8Array, file: string): IdxHeader | null {
  if (buf.length < 4) return null;
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new DataFormatError(
      file,
      `not an IDX file: bad magic number (first bytes ${hex(buf.subarray(0, 4))}, expected 00 00 <dtype> <ndims>)`,
      'expected an MNIST-style IDX file such as train-images-idx3-ubyte',
    );
  }
  const dtype = buf[2];
  if (dtype !== 0x08) {
    const name = DTYPE_NAMES[dtype] ?? 'unknown';
    throw new DataFormatError(
      file,
      `unsupported IDX dtype byte 0x${dtype.toString(16).padStart(2, '0')} (${name}) at offset 2; only 0x08 (unsigned byte) is supported`,
      'convert the images to unsigned bytes (0-255) when writing the IDX file',
    );
  }
  const ndims = buf[3];
  if (ndims === 0) throw new DataFormatError(file, 'IDX header declares 0 dimensions (byte 3)', 'the header is corrupt; fetch the file again');
  const headerBytes = 4 + 4 * ndims;
  if (buf.length < headerBytes) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  // Float product: exact up to 2^53, and once past that it is far above the limit anyway, so no overflow issue.
  let dataBytes = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    dataBytes *= d;
  }
  if (dataBytes > IDX_MAX_DATA_BYTES) {
    throw new DataFormatError(
      file,
      `IDX header declares dimensions [${dims.join(', ')}] = ${dataBytes} bytes, over the ${IDX_MAX_DATA_BYTES}-byte limit; the header is probably corrupt`,
      'fetch the file again',
    );
  }
  return { dims, headerBytes, dataBytes };
}

/**
 * Gunzip only enough to read the header. A truncated gzip stream inflates without error when flushed with
 * Z_SYNC_FLUSH, so feeding the first few KB gives us the first decompressed bytes cheaply. This lets us
 * refuse absurd declared sizes before inflating (possibly gigabytes of) data.
 */
function peekGzipHeader(buf: Uint8Array, file: string): IdxHeader {
  for (let take = 4096; ; take *= 4) {
    const part = buf.subarray(0, Math.min(take, buf.length));
    let out: Buffer;
    try {
      out = zlib.gunzipSync(part, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch (e) {
      throw new DataFormatError(file, `corrupt gzip data: ${(e as Error).message}`, 'the file is damaged; fetch the file again');
    }
    const header = parseIdxHeader(out, file);
    if (header) return header;
    if (part.length === buf.length) {
      throw new DataFormatError(file, `truncated: the file decompresses to ${out.length} bytes, too short for an IDX header`, 'fetch the file again');
    }
  }
}

function gunzipBounded(buf: Uint8Array, file: string, expected: number): Buffer {
  try {
    // One byte over the expected size is enough to detect trailing data without inflating a gzip bomb.
    return zlib.gunzipSync(buf, { maxOutputLength: expected + 1 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new DataFormatError(file, `decompresses to more than the ${expected} bytes its IDX header declares`, 'the file is damaged; fetch the file again');
    }
    // A stream cut short: decompress what is there so the error can say how much is missing.
    if (err.code === 'Z_BUF_ERROR') {
      let partial: Buffer | undefined;
      try {
        partial = zlib.gunzipSync(buf, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: expected + 1 });
      } catch {
        partial = undefined;
      }
      const got = partial ? `, only ${partial.length} decompress` : '';
      throw new DataFormatError(file, `truncated gzip stream: the header declares ${expected} bytes${got}`, 'the download was probably interrupted; fetch the file again');
    }
    throw new DataFormatError(file, `corrupt gzip data: ${err.message}`, 'the file is damaged; fetch the file again');
  }
}

/** Parse an IDX buffer already in memory. `file` is used for error messages only. */
export function parseIdx(input: Uint8Array, file: string): IdxArray {
  let buf = input;
  let header: IdxHeader | null;
  if (isGzip(buf)) {
    header = peekGzipHeader(buf, file);
    buf = gunzipBounded(buf, file, header.headerBytes + header.dataBytes);
  } else {
    header = parseIdxHeader(buf, file);
    if (!header) throw new DataFormatError(file, `truncated: ${buf.length} bytes is too short for an IDX header`, 'the download was probably interrupted; fetch the file again');
  }
  const need = header.headerBytes + header.dataBytes;
  if (buf.length < need) {
    throw new DataFormatError(
      file,
      `truncated: header declares dimensions [${header.dims.join(', ')}] needing ${need} bytes, but only ${buf.length} are present`,
      'the download was probably interrupted; fetch the file again',
    );
  }
  if (buf.length > need) {
    throw new DataFormatError(
      file,
      `${buf.length - need} unexpected bytes after the ${need} bytes the IDX header declares (at offset ${need})`,
      'the header does not match the data; fetch the file again',
    );
  }
  // Copy into a fresh plain Uint8Array (Buffer#slice would only make a view): callers get a tight buffer,
  // offset 0, that does not pin the whole file buffer.
  return { dims: header.dims, data: new Uint8Array(buf.subarray(header.headerBytes, need)) };
}

export function readIdx(file: string): IdxArray {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new DataFormatError(file, `cannot read: ${(e as Error).message}`, 'check that the file exists and is readable');
  }
  return parseIdx(buf, file);
}

export interface IdxPairOptions {
  /** Number of classes; labels must lie in [0, numClasses). 'auto' = max label + 1. Default 10. */
  numClasses?: number | 'auto';
  classNames?: readonly string[];
}

/** Combine an images IDX file ([N,H,W] or [N,H,W,C]) and a labels IDX file ([N]) into one dataset. */
export function loadIdxPair(imagesFile: string, labelsFile: string, name: string, opts: IdxPairOptions = {}): ImageDataset {
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  return idxPairToDataset(images, labels, imagesFile, labelsFile, name, opts);
}

/** The validation half of loadIdxPair, separate so it can be tested on in-memory arrays. */
export function idxPairToDataset(
  images: IdxArray,
  labels: IdxArray,
  imagesFile: string,
  labelsFile: string,
  name: string,
  opts: IdxPairOptions = {},
): ImageDataset {
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new DataFormatError(
      imagesFile,
      `image IDX file must have 3 dimensions [N, H, W] or 4 [N, H, W, C], got [${images.dims.join(', ')}]`,
      'is this the labels file? check which file is which',
    );
  }
  if (labels.dims.length !== 1) {
    throw new DataFormatError(labelsFile, `label IDX file must have 1 dimension [N], got [${labels.dims.join(', ')}]`, 'write one label byte per example, not one-hot rows');
  }
  const [n, h, w] = images.dims;
  const c = images.dims.length === 4 ? images.dims[3] : 1;
  if (labels.dims[0] !== n) {
    throw new DataFormatError(
      imagesFile,
      `holds ${n} images but ${labelsFile} holds ${labels.dims[0]} labels`,
      'the images and labels files must come from the same split',
    );
  }
  let maxLabel = -1;
  for (let i = 0; i < labels.data.length; i++) if (labels.data[i] > maxLabel) maxLabel = labels.data[i];
  const numClasses = opts.numClasses === 'auto' ? maxLabel + 1 : opts.numClasses ?? 10;
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new DataFormatError(labelsFile, `invalid number of classes ${numClasses}`);
  }
  if (maxLabel >= numClasses) {
    const at = labels.data.indexOf(maxLabel);
    throw new DataFormatError(
      labelsFile,
      `label ${maxLabel} at index ${at} (byte offset ${labels.dims.length * 4 + 4 + at}) is out of range [0, ${numClasses})`,
      `labels must be class indices 0..${numClasses - 1}; for other class counts use idx:<dir>`,
    );
  }
  if (opts.classNames && opts.classNames.length !== numClasses) {
    throw new Error(`loadIdxPair: ${opts.classNames.length} class names given for ${numClasses} classes`);
  }
  return {
    name,
    images: images.data,
    labels: Int32Array.from(labels.data),
    shape: [h, w, c],
    numClasses,
    ...(opts.classNames ? { classNames: opts.classNames } : {}),
  };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
