import * as path from 'node:path';
import { exampleSize } from '../data/dataset';
import type { DecodedImage } from '../data/decodeImage';
import { loadDataset } from '../data/load';
import { datasetRows, describeRowOrder, TEST_SPLIT } from '../data/datasetRows';
import { geometryOfUse, type DatasetUse } from '../data/datasetUse';
import { cacheDir } from '../store/runStore';
import type { PixelSource } from './neighbours';
import { datasetRootOf, readSourceImage } from './sourceImages';
import * as fs from 'node:fs';

export interface RowPixels extends PixelSource {
  /** Rows whose image was not read (outside the dataset folder, missing, corrupt, another size): why, to show instead. */
  readonly problems: ReadonlyMap<number, string>;
}

export interface RowPixelsOptions {
  /** Workspace root: relative dataset paths in `spec` are resolved against it. */
  readonly root?: string;
  /** The file that listed `sources` (named in messages). */
  readonly sourcesFile?: string;
  /** Files read at once; the event loop runs between batches. */
  readonly concurrency?: number;
}

/**
 * Pixels of the scored examples in prediction-row order: decoded from each row's source file when the dataset has
 * files (manifests, folders), else taken from the binary dataset by dataset row (train example i is row i, test
 * example j row trainCount + j: an audit's test rows show their test images). Source files are read asynchronously,
 * a few at a time, and only from inside the dataset's folder (sourceImages.ts): a row whose file is refused or
 * unreadable gets black pixels and a message in `problems`, so one bad row never hides the others.
 */
export async function rowPixels(use: DatasetUse, index: Int32Array, sources?: readonly string[], opts: RowPixelsOptions = {}): Promise<RowPixels> {
  const geometry = geometryOfUse(use);
  const root = sources ? datasetRootOf(use.spec, opts.root) : undefined;
  if (sources && root !== undefined) {
    const file = opts.sourcesFile ?? 'predictions/sources.json';
    const problems = new Map<number, string>();
    const decoded: (DecodedImage | undefined)[] = new Array(sources.length);
    let rootReal: string | undefined;
    try {
      rootReal = fs.realpathSync(root);
    } catch {
      // checkSourcePath reports the missing folder on every row.
    }
    const batch = Math.max(1, opts.concurrency ?? 8);
    for (let start = 0; start < sources.length; start += batch) {
      const rows = Array.from({ length: Math.min(batch, sources.length - start) }, (_, j) => start + j);
      await Promise.all(
        rows.map(async (r) => {
          try {
            decoded[r] = await readSourceImage(root, String(sources[r]), { file, place: `row ${r}` }, rootReal, geometry);
          } catch (e) {
            problems.set(r, (e as Error).message);
          }
        }),
      );
    }
    const first = decoded.find((d) => d !== undefined);
    const shape = first ? ([first.height, first.width, first.channels] as const) : ([1, 1, 1] as const);
    const size = shape[0] * shape[1] * shape[2];
    const images = new Uint8Array(size * sources.length);
    decoded.forEach((img, r) => {
      if (!img) return;
      if (img.data.length !== size || img.channels !== shape[2]) {
        problems.set(r, `${path.basename(String(sources[r]))}: image is ${img.width}x${img.height}x${img.channels}, the others ${shape[1]}x${shape[0]}x${shape[2]}`);
        return;
      }
      images.set(img.data, r * size);
    });
    return { images, shape, problems };
  }
  const { splits, info } = await loadDataset(use.spec, { geometry, ...(opts.root ? { cacheDir: cacheDir(opts.root) } : {}) });
  // Rows are dataset rows: train indices, then (an audit's) test rows (datasetRows.ts). A held-out split's rows follow
  // its source, whose files give the pixels above; without them, rows are read as the train indices score runs use.
  const rows = info.heldOut ? datasetRows(splits.train.labels.length, 0) : datasetRows(splits.train.labels.length, splits.test.labels.length);
  const size = exampleSize(splits.train);
  const images = new Uint8Array(size * index.length);
  const problems = new Map<number, string>();
  index.forEach((i, r) => {
    if (!(Number.isInteger(i) && i >= 0 && i < rows.count)) {
      problems.set(r, `row ${i} is not in ${use.spec} (rows 0..${rows.count - 1}: ${describeRowOrder(rows)})`);
      return;
    }
    const ds = rows.split[i] === TEST_SPLIT ? splits.test : splits.train;
    const at = rows.at[i];
    images.set(ds.images.subarray(at * size, (at + 1) * size), r * size);
  });
  return { images, shape: splits.train.shape, problems };
}
