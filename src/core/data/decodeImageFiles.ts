/**
 * Decode a dataset's image files into one N*H*W*C uint8 array, several at a time. Pixels go straight into the
 * dataset's array (never a float copy, never a list of all decoded images): 1 channel while every image so far is
 * gray, widened to RGB once at the first colour image.
 */
import { DataFormatError } from './dataset';
import { decodeImage, imageSizeOf, type DecodedImage } from './decodeImage';
import { describeGeometry, NATIVE_GEOMETRY, type ImageGeometry } from './imageGeometry';
import { forEachInFlight } from './inFlight';
import { DECODE_CONCURRENCY } from './sharpModule';
import { plural } from '../plural';

export interface StackedImages {
  readonly images: Uint8Array;
  readonly shape: [number, number, number];
}

export interface DecodeFilesOptions {
  readonly geometry?: ImageGeometry;
  /** Per file, appended to its error messages (e.g. "line 4 of labels.csv"). */
  readonly contexts?: readonly (string | undefined)[];
  /** Called with the number of images decoded so far. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** The largest array one dataset may take: V8 typed arrays stop at 4 GiB. */
export const MAX_DATASET_BYTES = 2 ** 32 - 1;

export async function decodeImageFiles(files: readonly string[], opts: DecodeFilesOptions = {}): Promise<StackedImages> {
  if (files.length === 0) throw new Error('decodeImageFiles: no images');
  const geometry = opts.geometry ?? NATIVE_GEOMETRY;
  const stacked = await stackDecoded(files.length, (i) => decodeImage(files[i], { context: opts.contexts?.[i], geometry }), { ...opts, nameOf: (i) => files[i] });
  if ('mismatch' in stacked) throw await mixedSizesError(files, opts.contexts, 0, stacked.mismatch, opts.signal);
  return stacked;
}

export interface StackOptions extends DecodeFilesOptions {
  /** The file (or name) of example i, for errors. */
  readonly nameOf: (i: number) => string;
}

/**
 * Decode `n` images (several in flight) into one array. All must have the first one's size: else the index of the
 * first that differs is returned and decoding stops.
 */
export async function stackDecoded(n: number, decode: (i: number) => Promise<DecodedImage>, opts: StackOptions): Promise<StackedImages | { mismatch: number }> {
  const geometry = opts.geometry ?? NATIVE_GEOMETRY;
  const first = await decode(0);
  const { width, height } = first;
  const pixels = width * height;
  let channels: 1 | 3 = first.channels;
  let images = allocate(n, pixels, channels, opts.nameOf(0), geometry);
  put(images, 0, first, pixels, channels);
  let mismatch: number | undefined;
  let done = 1;
  const decodeInto = async (i: number): Promise<boolean> => {
    const img = await decode(i);
    if (img.width !== width || img.height !== height) {
      mismatch ??= i;
      return false;
    }
    if (img.channels === 3 && channels === 1) {
      images = widenToRgb(images, n, pixels, opts.nameOf(i), geometry);
      channels = 3;
    }
    put(images, i, img, pixels, channels);
    opts.onProgress?.(++done, n);
    return true;
  };
  await forEachInFlight(n - 1, DECODE_CONCURRENCY, (j) => decodeInto(j + 1), opts.signal);
  return mismatch !== undefined ? { mismatch } : { images, shape: [height, width, channels] };
}

function allocate(n: number, pixels: number, channels: 1 | 3, file: string, g: ImageGeometry): Uint8Array {
  const bytes = n * pixels * channels;
  if (bytes > MAX_DATASET_BYTES) {
    const side = Math.sqrt(pixels);
    throw new DataFormatError(
      file,
      `${n.toLocaleString('en-US')} images of ${Number.isInteger(side) ? `${side}x${side}` : `${pixels.toLocaleString('en-US')} pixels`}x${channels} take ${(bytes / 2 ** 30).toFixed(1)} GiB, over the 4 GiB one dataset may hold (${describeGeometry(g)})`,
      'give a smaller --image-size, or use a subset of the images',
    );
  }
  return new Uint8Array(bytes);
}

function put(images: Uint8Array, i: number, img: DecodedImage, pixels: number, channels: 1 | 3): void {
  const base = i * pixels * channels;
  if (img.channels === channels) {
    images.set(img.data, base);
    return;
  }
  for (let p = 0, o = base; p < pixels; p++, o += 3) {
    const v = img.data[p];
    images[o] = v;
    images[o + 1] = v;
    images[o + 2] = v;
  }
}

/** Gray images decoded so far, replicated into R, G and B. */
function widenToRgb(gray: Uint8Array, n: number, pixels: number, file: string, g: ImageGeometry): Uint8Array {
  const rgb = allocate(n, pixels, 3, file, g);
  for (let p = 0, o = 0; p < gray.length; p++, o += 3) {
    const v = gray[p];
    rgb[o] = v;
    rgb[o + 1] = v;
    rgb[o + 2] = v;
  }
  return rgb;
}

/** How many sizes a mixed-size error lists. */
const SIZES_LISTED = 5;

/**
 * Mixed sizes without --image-size: survey every file's header (cheap: no pixels are decoded) and say how the
 * sizes are spread, with an example of each, and how to bring them to one.
 */
async function mixedSizesError(
  files: readonly string[],
  contexts: readonly (string | undefined)[] | undefined,
  a: number,
  b: number,
  signal?: AbortSignal,
): Promise<DataFormatError> {
  const counts = new Map<string, { count: number; example: number }>();
  const survey = async (i: number): Promise<void> => {
    const size = await imageSizeOf(files[i]);
    const key = size ? `${size.width}x${size.height}` : 'unreadable';
    const c = counts.get(key);
    if (c) {
      c.count++;
      if (i < c.example) c.example = i;
    } else counts.set(key, { count: 1, example: i });
  };
  await forEachInFlight(files.length, DECODE_CONCURRENCY, survey, signal);
  const sizes = [...counts].sort((x, y) => y[1].count - x[1].count || x[1].example - y[1].example);
  const where = (i: number) => `${files[i]}${contexts?.[i] ? ` (${contexts[i]})` : ''}`;
  const listed = sizes.slice(0, SIZES_LISTED).map(([size, c]) => `${size}: ${plural(c.count, 'image')} (e.g. ${where(c.example)})`);
  const more = sizes.length > SIZES_LISTED ? `; and ${plural(sizes.length - SIZES_LISTED, 'more size')}` : '';
  return new DataFormatError(
    files[b],
    `this image is not the size of ${files[a]}; the images have ${sizes.length} different sizes: ${listed.join('; ')}${more}`,
    'give --image-size S to bring every image to SxS (the shorter side scaled to S, then the centre cropped; --resize pad keeps the whole image and pads it)',
  );
}
