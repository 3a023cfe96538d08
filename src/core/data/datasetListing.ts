/**
 * A dataset's examples without their pixels: labels and source files of the train and test splits, as loadDataset
 * would split them. For what needs only to know which examples exist (checking annotation keys), so that a folder of
 * photos is not decoded, and a folder of several image sizes is not refused, just to list it.
 */
import * as path from 'node:path';
import { listClassFolders, isSplitLayout, scanFolder } from './imageFolder';
import { heldOutIndices, loadDataset, parseDatasetSpec } from './load';
import { manifestLabels, readManifestEntries, resolveManifestPaths } from './manifest';

export interface SplitListing {
  readonly labels: Int32Array;
  readonly sources?: readonly string[];
}

export interface DatasetListing {
  readonly train: SplitListing;
  readonly test: SplitListing;
  /** Whether the test split was held out of a source without one (rows then follow the source: datasetRows.ts). */
  readonly heldOut: boolean;
}

export async function listDataset(spec: string, seed = 0): Promise<DatasetListing> {
  const parsed = parseDatasetSpec(spec);
  if (parsed.kind === 'folder' && parsed.path) {
    const root = parsed.path;
    if (isSplitLayout(root)) {
      const train = scanFolder(path.join(root, 'train'));
      const test = scanFolder(path.join(root, 'test'), train.classNames);
      return { train: listing(train.labels, train.files), test: listing(test.labels, test.files), heldOut: false };
    }
    if (listClassFolders(root).length > 0) {
      const all = scanFolder(root);
      return heldOut(Int32Array.from(all.labels), all.files.map((f) => path.resolve(f)), all.classNames.length, seed);
    }
  }
  if ((parsed.kind === 'csv' || parsed.kind === 'jsonl') && parsed.path) {
    const entries = readManifestEntries(parsed.path, parsed.kind);
    const { labels, numClasses } = manifestLabels(entries, parsed.path);
    return heldOut(labels, resolveManifestPaths(parsed.path, entries), numClasses, seed);
  }
  // Array datasets (MNIST, IDX, CIFAR) read in a moment and have no files per example.
  const { splits } = await loadDataset(spec, { seed });
  return { train: { labels: splits.train.labels, sources: splits.train.sources }, test: { labels: splits.test.labels, sources: splits.test.sources }, heldOut: false };
}

function listing(labels: readonly number[], files: readonly string[]): SplitListing {
  return { labels: Int32Array.from(labels), sources: files.map((f) => path.resolve(f)) };
}

/** The held-out test split loadDataset carves out of a split-less source (the same draw). */
function heldOut(labels: Int32Array, sources: readonly string[], numClasses: number, seed: number): DatasetListing {
  const { trainIndices, valIndices } = heldOutIndices({ labels, numClasses }, seed);
  const pick = (idx: Int32Array): SplitListing => ({ labels: Int32Array.from(idx, (i) => labels[i]), sources: Array.from(idx, (i) => sources[i]) });
  return { train: pick(trainIndices), test: pick(valIndices), heldOut: true };
}
