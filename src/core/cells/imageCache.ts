import { loadDataset } from '../data/load';
import type { ThumbSource } from '../notebook/thumbnail';

export type Images = ThumbSource & { readonly classNames?: readonly string[] };

/** Training images by dataset spec; a gallery cell runs often and MNIST takes a second to read. */
export class ImageCache {
  private readonly cache = new Map<string, Images>();

  constructor(private readonly max = 2) {}

  get(spec: string): Images {
    const hit = this.cache.get(spec);
    if (hit) return hit;
    const { splits, info } = loadDataset(spec);
    const images: Images = { images: splits.train.images, shape: splits.train.shape, classNames: info.classNames ?? splits.train.classNames };
    if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(spec, images);
    return images;
  }
}
