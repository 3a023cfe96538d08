/**
 * Image-folder datasets ("ImageFolder" layout, as in torchvision):
 *   root/<class>/<image>                         -> one dataset
 *   root/train/<class>/<image>, root/test/<class>/<image> -> train/test splits
 * Labels are the indices of the sorted class-folder names. Images may sit in nested folders under their
 * class folder. Hidden entries (starting with '.') and files without an image extension (README, .DS_Store,
 * Thumbs.db) are skipped silently; a .png/.jpg that fails to decode is an error, since skipping it would
 * quietly change the dataset.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFormatError, type DatasetSplits, type ImageDataset } from './dataset';
import { hasImageExtension, IMAGE_EXTENSIONS } from './decodeImage';
import { cachedDecode, type CachedDecodeOptions } from './decodedCache';
import { splitStacked } from './stackedImages';
import { compareNames, isDirectory } from './fsutil';

function visibleEntries(dir: string): fs.Dirent[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.name.startsWith('.'))
      .sort((a, b) => compareNames(a.name, b.name));
  } catch (e) {
    throw new DataFormatError(dir, `cannot read directory: ${(e as Error).message}`);
  }
}

/** Dirent type, following symlinks (datasets are often assembled from symlinked folders). */
function entryKind(dir: string, e: fs.Dirent): 'file' | 'dir' | 'other' {
  if (e.isFile()) return 'file';
  if (e.isDirectory()) return 'dir';
  if (e.isSymbolicLink()) {
    try {
      const st = fs.statSync(path.join(dir, e.name));
      return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
    } catch {
      return 'other'; // dangling link
    }
  }
  return 'other';
}

/** Sorted names of the visible sub-folders of `dir`. */
export function listClassFolders(dir: string): string[] {
  return visibleEntries(dir)
    .filter((e) => entryKind(dir, e) === 'dir')
    .map((e) => e.name);
}

/** Image files under `dir`, recursively, in sorted path order (so example order is reproducible). */
export function listImageFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number, ancestors: readonly string[]): void => {
    // A symlink back to a folder above would recurse forever; real datasets are never 32 levels deep either.
    let real = d;
    try {
      real = fs.realpathSync(d);
    } catch {
      /* unreadable: visibleEntries reports it */
    }
    const loop = ancestors.indexOf(real);
    if (loop >= 0) throw new DataFormatError(d, `symlink loop: this folder is ${real}, which contains it`, 'remove the symlink loop');
    if (depth > 32) throw new DataFormatError(d, 'folders nested more than 32 levels deep', 'flatten the folder structure');
    for (const e of visibleEntries(d)) {
      const kind = entryKind(d, e);
      const p = path.join(d, e.name);
      if (kind === 'dir') walk(p, depth + 1, [...ancestors, real]);
      else if (kind === 'file' && hasImageExtension(e.name)) out.push(p);
    }
  };
  walk(dir, 0, []);
  return out;
}

/** True for root/train/<class> + root/test/<class>. */
export function isSplitLayout(root: string): boolean {
  const sub = listClassFolders(root);
  if (!sub.includes('train') || !sub.includes('test')) return false;
  // A dataset with classes literally named "train" and "test" would hold images, not class folders, there.
  return listClassFolders(path.join(root, 'train')).length > 0;
}

export interface ScannedFolder {
  classNames: string[];
  files: string[];
  labels: number[];
}

/**
 * List every image and its label. `classNames` fixes the label numbering (for a test split, the train
 * split's classes); otherwise the sorted sub-folder names define it.
 */
export function scanFolder(root: string, classNames?: readonly string[]): ScannedFolder {
  if (!isDirectory(root)) throw new DataFormatError(root, 'directory not found');
  const folders = listClassFolders(root);
  if (folders.length === 0) {
    const looseImages = visibleEntries(root).some((e) => entryKind(root, e) === 'file' && hasImageExtension(e.name));
    throw new DataFormatError(
      root,
      looseImages ? 'images found directly in the folder, but no class sub-folders' : 'no class sub-folders found (empty dataset folder)',
      'expected one sub-folder per class: root/<class>/<image>.png',
    );
  }
  const names = classNames ? [...classNames] : folders;
  const files: string[] = [];
  const labels: number[] = [];
  for (const folder of folders) {
    const dir = path.join(root, folder);
    const label = names.indexOf(folder);
    if (label < 0) {
      throw new DataFormatError(
        dir,
        `class folder '${folder}' does not exist in the training split (classes: ${names.join(', ')})`,
        'train/ and test/ need the same class folders: rename or remove it',
      );
    }
    const images = listImageFiles(dir);
    if (images.length === 0) {
      throw new DataFormatError(dir, `class folder '${folder}' contains no images (${IMAGE_EXTENSIONS.join(', ')})`, 'add images to it or remove the folder');
    }
    for (const f of images) {
      files.push(f);
      labels.push(label);
    }
  }
  return { classNames: names, files, labels };
}

function toDataset(name: string, scan: ScannedFolder, images: Uint8Array, shape: [number, number, number]): ImageDataset {
  return {
    name,
    images,
    labels: Int32Array.from(scan.labels),
    shape,
    numClasses: scan.classNames.length,
    classNames: scan.classNames,
    sources: scan.files.map((f) => path.resolve(f)),
  };
}

/** Load root/<class>/<image> as one dataset. */
export async function loadImageFolderDataset(root: string, opts: CachedDecodeOptions = {}, name = path.basename(path.resolve(root))): Promise<ImageDataset> {
  const scan = scanFolder(root);
  const { images, shape } = await cachedDecode(scan.files, opts);
  return toDataset(name, scan, images, shape);
}

/**
 * Load root/train/<class> and root/test/<class>. Both splits are decoded as one list, so they share image size and
 * channel count (a model built for the train shape must accept the test images) and one cache entry.
 */
export async function loadImageFolderSplits(root: string, opts: CachedDecodeOptions = {}, name = path.basename(path.resolve(root))): Promise<DatasetSplits> {
  const trainScan = scanFolder(path.join(root, 'train'));
  const testScan = scanFolder(path.join(root, 'test'), trainScan.classNames);
  const all = await cachedDecode([...trainScan.files, ...testScan.files], opts);
  const [train, test] = splitStacked(all, trainScan.files.length);
  return {
    train: toDataset(`${name}/train`, trainScan, train, all.shape),
    test: toDataset(`${name}/test`, testScan, test, all.shape),
  };
}

export type ImageFolderResult =
  | { readonly layout: 'split'; readonly splits: DatasetSplits }
  | { readonly layout: 'single'; readonly dataset: ImageDataset };

/** Detect the layout and load accordingly. */
export async function loadImageFolder(root: string, opts: CachedDecodeOptions = {}): Promise<ImageFolderResult> {
  if (!isDirectory(root)) throw new DataFormatError(root, 'directory not found');
  return isSplitLayout(root)
    ? { layout: 'split', splits: await loadImageFolderSplits(root, opts) }
    : { layout: 'single', dataset: await loadImageFolderDataset(root, opts) };
}
