/**
 * Resizing uint8 images in-process, as torchvision does: bilinear with antialiasing (a triangle filter whose support
 * widens with the downscale factor; PIL's and `torch.nn.functional.interpolate(..., antialias=True)`'s algorithm),
 * then `Resize(S)` + `CenterCrop(S)` or a centred pad. libvips does the same for large images, but its per-image set-up
 * (about a millisecond) would make 60,000 small images take a minute: small images are resized here.
 */
import type { DecodedImage } from './decodeImage';

/** Source index range and normalized weights of each output index along one axis. */
interface AxisWeights {
  readonly start: Int32Array;
  readonly count: Int32Array;
  /** `span` weights per output index. */
  readonly weights: Float32Array;
  readonly span: number;
}

function axisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = inSize / outSize;
  const support = scale >= 1 ? scale : 1;
  const invScale = scale >= 1 ? 1 / scale : 1;
  const span = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * span);
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    for (let j = lo; j < hi; j++) {
      const x = Math.abs((j - center + 0.5) * invScale);
      const w = x < 1 ? 1 - x : 0;
      weights[i * span + (j - lo)] = w;
      total += w;
    }
    if (total > 0) for (let j = 0; j < hi - lo; j++) weights[i * span + j] /= total;
    start[i] = lo;
    count[i] = hi - lo;
  }
  return { start, count, weights, span };
}

/** Bilinear, antialiased resize of an HWC uint8 image. */
export function resizeBilinear(src: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number): Uint8Array {
  if (outWidth === width && outHeight === height) return src.slice(0, width * height * channels);
  const xw = axisWeights(width, outWidth);
  const yw = axisWeights(height, outHeight);
  // Horizontal pass into floats (height x outWidth), then vertical into bytes.
  const mid = new Float32Array(height * outWidth * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      const s = xw.start[x];
      const n = xw.count[x];
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += xw.weights[x * xw.span + k] * src[((y * width) + s + k) * channels + c];
        mid[(y * outWidth + x) * channels + c] = acc;
      }
    }
  }
  const out = new Uint8Array(outHeight * outWidth * channels);
  for (let y = 0; y < outHeight; y++) {
    const s = yw.start[y];
    const n = yw.count[y];
    for (let x = 0; x < outWidth; x++) {
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += yw.weights[y * yw.span + k] * mid[((s + k) * outWidth + x) * channels + c];
        out[(y * outWidth + x) * channels + c] = acc <= 0 ? 0 : acc >= 255 ? 255 : Math.round(acc);
      }
    }
  }
  return out;
}

/** The size an image is scaled to before the crop or pad: torchvision's Resize(S) keeps the aspect ratio. */
export function scaledSize(width: number, height: number, size: number, mode: 'crop' | 'pad'): [number, number] {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  // crop: the shorter side becomes S (torchvision truncates the longer one); pad: the longer side becomes S.
  const other = mode === 'crop' ? Math.trunc((size * long) / short) : Math.max(1, Math.round((size * short) / long));
  return width <= height === (mode === 'crop') ? [size, other] : [other, size];
}

/** torchvision's Resize(S) + CenterCrop(S), or a scale to fit and a centred black pad, of a decoded image. */
export function fitSquare(img: DecodedImage, size: number, mode: 'crop' | 'pad'): DecodedImage {
  const { width, height, channels } = img;
  const [w, h] = scaledSize(width, height, size, mode);
  const scaled = resizeBilinear(img.data, width, height, channels, w, h);
  const out = new Uint8Array(size * size * channels);
  // crop: the window's offset into the scaled image (CenterCrop rounds); pad: the image's offset into the square.
  const dx = mode === 'crop' ? roundHalfEven((w - size) / 2) : Math.floor((size - w) / 2);
  const dy = mode === 'crop' ? roundHalfEven((h - size) / 2) : Math.floor((size - h) / 2);
  for (let y = 0; y < size; y++) {
    const sy = mode === 'crop' ? y + dy : y - dy;
    if (sy < 0 || sy >= h) continue;
    for (let x = 0; x < size; x++) {
      const sx = mode === 'crop' ? x + dx : x - dx;
      if (sx < 0 || sx >= w) continue;
      for (let c = 0; c < channels; c++) out[(y * size + x) * channels + c] = scaled[(sy * w + sx) * channels + c];
    }
  }
  return { width: size, height: size, channels, data: out };
}

/** Python's round(): halves go to the even neighbour, as in torchvision's CenterCrop. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
}
