/**
 * --image-size for datasets that arrive as arrays (MNIST, IDX, CIFAR): each image resized like a decoded file, so a
 * model for larger inputs can be tried on them too.
 */
import type { ImageDataset } from './dataset';
import { resizeDecoded } from './decodeImage';
import { stackDecoded, type StackedImages } from './decodeImageFiles';
import type { ImageGeometry } from './imageGeometry';

export interface ResizeOptions {
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export async function resizeImages(ds: Pick<ImageDataset, 'images' | 'shape' | 'labels' | 'name'>, g: ImageGeometry & { size: number }, opts: ResizeOptions = {}): Promise<StackedImages> {
  const [height, width, channels] = ds.shape;
  const size = height * width * channels;
  if (channels !== 1 && channels !== 3) throw new RangeError(`resizeImages: ${channels} channels`);
  const stacked = await stackDecoded(
    ds.labels.length,
    async (i) => resizeDecoded({ width, height, channels, data: ds.images.subarray(i * size, (i + 1) * size) }, g),
    { ...opts, geometry: g, nameOf: (i) => `${ds.name} image ${i}` },
  );
  if ('mismatch' in stacked) throw new Error(`resizeImages: image ${stacked.mismatch} came out at another size`);
  return stacked;
}
