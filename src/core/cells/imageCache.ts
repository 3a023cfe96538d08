import { geometryOfUse, useKey, type DatasetUse } from '../data/datasetUse';
import { loadDataset } from '../data/load';
import type { ThumbSource } from '../notebook/thumbnail';
import { cacheDir } from '../store/runStore';

export type Images = ThumbSource & { readonly classNames?: readonly string[] };

/** Training images by dataset and geometry; a gallery cell runs often and decoding a dataset takes a while. */
export class ImageCache {
  private readonly cache = new Map<string, Promise<Images>>();

  /** `root`: the workspace whose `.datadiet/cache` holds decoded images. */
  constructor(
    private readonly root?: string,
    private readonly max = 2,
  ) {}

  get(use: DatasetUse): Promise<Images> {
    const key = useKey(use);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const loading = loadDataset(use.spec, { geometry: geometryOfUse(use), ...(this.root ? { cacheDir: cacheDir(this.root) } : {}) }).then(
      ({ splits, info }): Images => ({ images: splits.train.images, shape: splits.train.shape, classNames: info.classNames ?? splits.train.classNames }),
    );
    // A failed load is not kept: the user may fix the files and run the cell again.
    loading.catch(() => this.cache.delete(key));
    if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, loading);
    return loading;
  }
}
