import { PNG } from 'pngjs';

/** Images to make thumbnails from: an ImageDataset's raw pixels (uint8, HWC, example-major). */
export interface ThumbSource {
  readonly images: Uint8Array;
  readonly shape: readonly [number, number, number];
}

/** Longest side of a thumbnail in pixels; bigger images are box-averaged down (MNIST and CIFAR stay as they are). */
export const DEFAULT_MAX_SIDE = 64;

/**
 * Example `index` as a PNG data: URI. Grayscale stays one channel (smaller payloads); the renderer scales the
 * image up with nearest-neighbour sampling, so 28x28 digits stay crisp.
 */
export function thumbnailDataUri(src: ThumbSource, index: number, maxSide = DEFAULT_MAX_SIDE): string {
  const [h, w, c] = src.shape;
  const size = h * w * c;
  const n = Math.floor(src.images.length / size);
  if (!(Number.isInteger(index) && index >= 0 && index < n)) throw new RangeError(`thumbnail: example ${index} is not in the dataset (${n} images)`);
  if (c !== 1 && c !== 3) throw new RangeError(`thumbnail: images with ${c} channels are not supported (1 or 3)`);
  // Integer box factor keeps every output pixel an average of whole input pixels.
  const f = Math.max(1, Math.ceil(Math.max(h, w) / maxSide));
  const oh = Math.floor(h / f);
  const ow = Math.floor(w / f);
  const base = index * size;
  const px = Buffer.alloc(oh * ow * c);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      for (let k = 0; k < c; k++) {
        let sum = 0;
        for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) sum += src.images[base + ((y * f + dy) * w + (x * f + dx)) * c + k];
        px[(y * ow + x) * c + k] = Math.round(sum / (f * f));
      }
    }
  }
  return `data:image/png;base64,${encodePng(px, ow, oh, c).toString('base64')}`;
}

/** Raw 8-bit gray (c = 1) or RGB (c = 3) pixels as PNG bytes. */
export function encodePng(px: Uint8Array, width: number, height: number, c: 1 | 3 | 4 | number): Buffer {
  // pngjs's writer takes RGBA input whatever the output color type.
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    if (c === 1) rgba.fill(px[i], i * 4, i * 4 + 3);
    else for (let k = 0; k < 3; k++) rgba[i * 4 + k] = px[i * c + k];
    rgba[i * 4 + 3] = c === 4 ? px[i * 4 + 3] : 255;
  }
  const png = new PNG({ width, height });
  png.data = rgba;
  return PNG.sync.write(png, { colorType: c === 1 ? 0 : c === 4 ? 6 : 2, inputColorType: 6, inputHasAlpha: true });
}
