import { decodeImage } from '../data/decodeImage';
import { exampleSize } from '../data/dataset';
import { loadDataset } from '../data/load';
import type { PixelSource } from './neighbours';

/**
 * Pixels of the scored examples in prediction-row order: decoded from each row's source file when the dataset has
 * files (manifests, folders), else taken from the binary dataset by index.
 */
export function rowPixels(spec: string, index: Int32Array, sources?: readonly string[]): PixelSource {
  if (sources) {
    const first = decodeImage(sources[0]);
    const shape = [first.height, first.width, first.channels] as const;
    const size = first.data.length;
    const images = new Uint8Array(size * sources.length);
    sources.forEach((f, r) => {
      const img = r === 0 ? first : decodeImage(f);
      if (img.data.length !== size || img.channels !== first.channels) throw new Error(`${f}: image size differs from ${sources[0]}`);
      images.set(img.data, r * size);
    });
    return { images, shape };
  }
  const train = loadDataset(spec).splits.train;
  const size = exampleSize(train);
  const images = new Uint8Array(size * index.length);
  index.forEach((i, r) => images.set(train.images.subarray(i * size, (i + 1) * size), r * size));
  return { images, shape: train.shape };
}
