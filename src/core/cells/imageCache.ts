import { datasetRows, TRAIN_SPLIT, type DatasetRows } from '../data/datasetRows';
import { geometryOfUse, useKey, type DatasetUse } from '../data/datasetUse';
import { loadDataset } from '../data/load';
import { thumbnailDataUri, type ThumbSource } from '../notebook/thumbnail';
import { cacheDir } from '../store/runStore';

/**
 * A dataset's images as cells show them: the train split (what score tables index), and, for tables that number
 * the rows of both splits (an audit's, imported predictions': they have a `split` column), the test split and the
 * dataset rows (data/datasetRows.ts).
 */
export type Images = ThumbSource & { readonly classNames?: readonly string[]; readonly test?: ThumbSource; readonly rows?: DatasetRows };

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
      ({ splits, info }): Images => ({
        images: splits.train.images,
        shape: splits.train.shape,
        classNames: info.classNames ?? splits.train.classNames,
        test: { images: splits.test.images, shape: splits.test.shape },
        rows: datasetRows(splits.train.labels.length, splits.test.labels.length, info.heldOut),
      }),
    );
    // A failed load is not kept: the user may fix the files and run the cell again.
    loading.catch(() => this.cache.delete(key));
    if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, loading);
    return loading;
  }
}

/**
 * The thumbnail of a table's row `index`: a train-split index, or with `datasetRowIndex` (the table has a `split`
 * column) a dataset row, looked up in its split. '' for a row the images do not have.
 */
export function rowThumbs(images: Images, datasetRowIndex: boolean): (index: number) => string {
  const count = (src: ThumbSource) => Math.floor(src.images.length / (src.shape[0] * src.shape[1] * src.shape[2]));
  const inside = (src: ThumbSource, i: number) => Number.isInteger(i) && i >= 0 && i < count(src);
  if (!datasetRowIndex || !images.rows || !images.test) return (i) => (inside(images, i) ? thumbnailDataUri(images, i) : '');
  const { rows, test } = images;
  return (row) => {
    if (!(Number.isInteger(row) && row >= 0 && row < rows.count)) return '';
    const src = rows.split[row] === TRAIN_SPLIT ? images : test;
    return inside(src, rows.at[row]) ? thumbnailDataUri(src, rows.at[row]) : '';
  };
}
