/** Helpers that write small dataset files in the real on-disk formats, for the data loader tests. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DataFormatError } from '../../../../src/core/data/dataset';

/** A fresh temp directory, removed when the process exits. */
export function tempDir(prefix = 'datadiet-data-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Bytes of an IDX ubyte file. */
export function idxBytes(dims: number[], data: ArrayLike<number>, dtype = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = dtype;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Array.from(data))]);
}

export function write(file: string, bytes: Uint8Array | string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

/** Write an RGBA PNG; `pixel(x, y)` returns [r, g, b] or [r, g, b, a]. */
export function writePng(file: string, w: number, h: number, pixel: (x: number, y: number) => number[]): string {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b, a = 255] = pixel(x, y);
      png.data.set([r, g, b, a], (y * w + x) * 4);
    }
  }
  return write(file, PNG.sync.write(png));
}

/** Write a true grayscale (color type 0) PNG. */
export function writeGrayPng(file: string, w: number, h: number, value: (x: number, y: number) => number): string {
  const png = new PNG({ width: w, height: h, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  const data = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = value(x, y);
  png.data = data;
  return write(file, PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
}

export function writeJpeg(file: string, w: number, h: number, pixel: (x: number, y: number) => number[], quality = 95): string {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b] = pixel(x, y);
      data.set([r, g, b, 255], (y * w + x) * 4);
    }
  }
  return write(file, jpeg.encode({ width: w, height: h, data }, quality).data);
}

/** One CIFAR record: label byte(s) then R, G, B planes of 32x32, with value(c, y, x) per pixel. */
export function cifarRecord(labels: number[], value: (c: number, y: number, x: number) => number): Buffer {
  const rec = Buffer.alloc(labels.length + 3072);
  labels.forEach((l, i) => (rec[i] = l));
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) rec[labels.length + c * 1024 + y * 32 + x] = value(c, y, x) & 255;
  }
  return rec;
}

/** Assert that `fn` throws a DataFormatError whose message contains every fragment. */
export function assertDataError(fn: () => unknown, ...fragments: (string | RegExp)[]): DataFormatError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  return checkDataError(err, fragments);
}

/** Assert that `fn` rejects with a DataFormatError whose message contains every fragment (the async loaders). */
export async function assertDataRejects(fn: () => Promise<unknown>, ...fragments: (string | RegExp)[]): Promise<DataFormatError> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  return checkDataError(err, fragments);
}

function checkDataError(err: unknown, fragments: readonly (string | RegExp)[]): DataFormatError {
  if (!(err instanceof DataFormatError)) {
    throw new Error(`expected a DataFormatError, got ${err === undefined ? 'no error' : String(err)}`);
  }
  for (const f of fragments) {
    const ok = typeof f === 'string' ? err.message.includes(f) : f.test(err.message);
    if (!ok) throw new Error(`error message ${JSON.stringify(err.message)} lacks ${String(f)}`);
  }
  return err;
}

/** An IDX dataset with its own splits in `<root>/idx`: 6 train and 3 test 2x2 images of 3 classes; returns the folder. */
export function tinyIdxDataset(root: string): string {
  const d = path.join(root, 'idx');
  write(path.join(d, 'train-images-idx3-ubyte'), idxBytes([6, 2, 2], Array.from({ length: 24 }, (_, i) => i * 10)));
  write(path.join(d, 'train-labels-idx1-ubyte'), idxBytes([6], [0, 1, 2, 0, 1, 2]));
  write(path.join(d, 't10k-images-idx3-ubyte'), idxBytes([3, 2, 2], Array.from({ length: 12 }, (_, i) => 250 - i)));
  write(path.join(d, 't10k-labels-idx1-ubyte'), idxBytes([3], [2, 1, 0]));
  return d;
}
