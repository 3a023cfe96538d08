/**
 * CIFAR-10 / CIFAR-100 "binary version" batches (https://www.cs.toronto.edu/~kriz/cifar.html).
 *
 * Each file is a plain concatenation of fixed-size records:
 *   CIFAR-10:  <label:1 byte> <3072 pixel bytes>
 *   CIFAR-100: <coarse label:1 byte> <fine label:1 byte> <3072 pixel bytes>   (we train on the fine label)
 * The 3072 pixel bytes are three 32x32 planes (R, then G, then B), each row-major. Our datasets are HWC,
 * so every record is transposed from planar CHW to interleaved HWC while loading.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDirectory, isFile } from './fsutil';
import { DataFormatError, type DatasetSplits, type ImageDataset } from './dataset';

export type CifarVariant = 'cifar10' | 'cifar100';

export const CIFAR_SIDE = 32;
const PLANE = CIFAR_SIDE * CIFAR_SIDE; // 1024
const PIXEL_BYTES = 3 * PLANE; // 3072

interface VariantInfo {
  labelBytes: number;
  numClasses: number;
  /** Upper bound of the coarse label (CIFAR-100 only), checked so a CIFAR-10 file read as CIFAR-100 fails loudly. */
  numCoarse?: number;
  trainFiles: string[];
  testFiles: string[];
  namesFile: string;
  /** Sub-folder name of the official archive, so users may point at its parent too. */
  archiveDir: string;
  defaultNames: readonly string[];
}

export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

/** Fine label names of CIFAR-100 in label order (alphabetical, as in fine_label_names.txt). */
export const CIFAR100_CLASS_NAMES: readonly string[] = [
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle',
  'bowl', 'boy', 'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle',
  'chair', 'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup', 'dinosaur',
  'dolphin', 'elephant', 'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house', 'kangaroo', 'keyboard',
  'lamp', 'lawn_mower', 'leopard', 'lion', 'lizard', 'lobster', 'man', 'maple_tree', 'motorcycle', 'mountain',
  'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid', 'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree',
  'plain', 'plate', 'poppy', 'porcupine', 'possum', 'rabbit', 'raccoon', 'ray', 'road', 'rocket',
  'rose', 'sea', 'seal', 'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake', 'spider',
  'squirrel', 'streetcar', 'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger', 'tractor',
  'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf', 'woman', 'worm',
];

const VARIANTS: Record<CifarVariant, VariantInfo> = {
  cifar10: {
    labelBytes: 1,
    numClasses: 10,
    trainFiles: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
    testFiles: ['test_batch.bin'],
    namesFile: 'batches.meta.txt',
    archiveDir: 'cifar-10-batches-bin',
    defaultNames: CIFAR10_CLASS_NAMES,
  },
  cifar100: {
    labelBytes: 2,
    numClasses: 100,
    numCoarse: 20,
    trainFiles: ['train.bin'],
    testFiles: ['test.bin'],
    namesFile: 'fine_label_names.txt',
    archiveDir: 'cifar-100-binary',
    defaultNames: CIFAR100_CLASS_NAMES,
  },
};

export function cifarRecordSize(variant: CifarVariant): number {
  return VARIANTS[variant].labelBytes + PIXEL_BYTES;
}

function recordSizeError(file: string, size: number, variant: CifarVariant): DataFormatError {
  const info = VARIANTS[variant];
  const rec = info.labelBytes + PIXEL_BYTES;
  return new DataFormatError(
    file,
    `size ${size} bytes is not a multiple of the ${variant} record size ${rec} (${info.labelBytes} label byte${info.labelBytes > 1 ? 's' : ''} + 3072 pixel bytes)`,
    // The usual cause is the wrong variant: both formats are headerless, so only the size tells them apart.
    variant === 'cifar10' ? 'is this a CIFAR-100 file? use cifar100:<dir>' : 'is this a CIFAR-10 file? use cifar10:<dir>',
  );
}

/**
 * Decode the records of one file into `images`/`labels` starting at example `offset`.
 * Split out of loadCifarBatches so the transposition can be tested on a buffer without touching disk.
 */
export function decodeCifarRecords(
  buf: Uint8Array,
  variant: CifarVariant,
  file: string,
  images: Uint8Array,
  labels: Int32Array,
  offset: number,
): number {
  const info = VARIANTS[variant];
  const rec = info.labelBytes + PIXEL_BYTES;
  if (buf.length % rec !== 0) {
    throw recordSizeError(file, buf.length, variant);
  }
  const n = buf.length / rec;
  for (let i = 0; i < n; i++) {
    const base = i * rec;
    if (info.numCoarse !== undefined && buf[base] >= info.numCoarse) {
      throw new DataFormatError(
        file,
        `record ${i} (byte offset ${base}): coarse label ${buf[base]} is out of range [0, ${info.numCoarse})`,
        'is this a CIFAR-10 file? use cifar10:<dir>; otherwise the file is damaged: extract the archive again',
      );
    }
    const label = buf[base + info.labelBytes - 1];
    if (label >= info.numClasses) {
      throw new DataFormatError(
        file,
        `record ${i} (byte offset ${base}): label ${label} is out of range [0, ${info.numClasses})`,
        variant === 'cifar10' ? 'is this a CIFAR-100 file? use cifar100:<dir>; otherwise extract the archive again' : 'the file is damaged: extract the archive again',
      );
    }
    labels[offset + i] = label;
    const px = base + info.labelBytes;
    let o = (offset + i) * PIXEL_BYTES;
    // Planar -> interleaved: pixel p takes its R, G, B from the three planes.
    for (let p = 0; p < PLANE; p++) {
      images[o++] = buf[px + p];
      images[o++] = buf[px + PLANE + p];
      images[o++] = buf[px + 2 * PLANE + p];
    }
  }
  return n;
}

export interface CifarOptions {
  name?: string;
  classNames?: readonly string[];
}

/** Load and concatenate CIFAR binary batch files (in the given order) into one dataset. */
export function loadCifarBatches(files: readonly string[], variant: CifarVariant, opts: CifarOptions = {}): ImageDataset {
  const info = VARIANTS[variant];
  if (!info) throw new Error(`loadCifarBatches: unknown variant ${String(variant)}`);
  if (files.length === 0) throw new Error('loadCifarBatches: no files given');
  const rec = info.labelBytes + PIXEL_BYTES;
  // Size everything from stat first so the output arrays are allocated once, not grown per file.
  let total = 0;
  for (const f of files) {
    let size: number;
    try {
      size = fs.statSync(f).size;
    } catch (e) {
      throw new DataFormatError(f, `cannot read: ${(e as Error).message}`);
    }
    if (size === 0) throw new DataFormatError(f, 'the file is empty (0 bytes, no records)', 'the download or extraction was probably interrupted; extract the archive again');
    if (size % rec !== 0) {
      throw recordSizeError(f, size, variant);
    }
    total += size / rec;
  }
  const images = new Uint8Array(total * PIXEL_BYTES);
  const labels = new Int32Array(total);
  let offset = 0;
  for (const f of files) offset += decodeCifarRecords(fs.readFileSync(f), variant, f, images, labels, offset);
  if (offset !== total) throw new DataFormatError(files.join(', '), 'files changed size while being read');
  const classNames = opts.classNames ?? info.defaultNames;
  return {
    name: opts.name ?? variant,
    images,
    labels,
    shape: [CIFAR_SIDE, CIFAR_SIDE, 3],
    numClasses: info.numClasses,
    classNames,
  };
}

/** Read a names file (one name per line; the official ones end with blank lines). */
export function readCifarClassNames(file: string, variant: CifarVariant): string[] {
  const names = fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const want = VARIANTS[variant].numClasses;
  if (names.length !== want) {
    throw new DataFormatError(file, `lists ${names.length} class names, expected ${want} for ${variant}`, `write one name per line, ${want} lines, in label order (or delete the file to use the standard names)`);
  }
  return names;
}

/** The folder holding the batches: `dir`, or the archive's inner folder under it. */
function cifarRoot(dir: string, variant: CifarVariant): string {
  const info = VARIANTS[variant];
  const expected = [...info.trainFiles, ...info.testFiles];
  const inner = path.join(dir, info.archiveDir);
  return !expected.some((f) => isFile(path.join(dir, f))) && isDirectory(inner) ? inner : dir;
}

/** Records in each official batch file: CIFAR-10's six batches hold 10,000 each, CIFAR-100's train.bin 50,000. */
export function expectedCifarRecords(variant: CifarVariant, file: string): number {
  return variant === 'cifar100' && path.basename(file) === 'train.bin' ? 50_000 : 10_000;
}

/**
 * One warning per batch file whose record count differs from the official one. A file cut on a record boundary
 * loads without error (its size is still a multiple of the record size), and would silently train on less data.
 */
export function cifarBatchWarnings(dir: string, variant: CifarVariant): string[] {
  const info = VARIANTS[variant];
  const root = cifarRoot(dir, variant);
  const rec = cifarRecordSize(variant);
  const warnings: string[] = [];
  for (const name of [...info.trainFiles, ...info.testFiles]) {
    const file = path.join(root, name);
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      continue; // missing files are loadCifarDir's error
    }
    const records = Math.floor(size / rec);
    const want = expectedCifarRecords(variant, file);
    if (records !== want) {
      warnings.push(`${file}: ${records.toLocaleString('en-US')} records, but an official ${variant} batch of this name holds ${want.toLocaleString('en-US')} (truncated or not the original file? extract the archive again)`);
    }
  }
  return warnings;
}

/**
 * Load a CIFAR directory as extracted from the official binary archive. Accepts the archive's inner folder
 * (cifar-10-batches-bin / cifar-100-binary) or its parent.
 */
export function loadCifarDir(dir: string, variant: CifarVariant): DatasetSplits {
  const info = VARIANTS[variant];
  if (!info) throw new Error(`loadCifarDir: unknown variant ${String(variant)}`);
  if (!isDirectory(dir)) throw new DataFormatError(dir, 'directory not found');
  const root = cifarRoot(dir, variant);
  const expected = [...info.trainFiles, ...info.testFiles];
  const missing = expected.filter((f) => !isFile(path.join(root, f)));
  if (missing.length > 0) {
    throw new DataFormatError(
      root,
      `missing ${variant} file(s): ${missing.join(', ')} (expected ${expected.join(', ')})`,
      `extract the binary version of ${variant === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} here`,
    );
  }
  const namesPath = path.join(root, info.namesFile);
  const classNames = isFile(namesPath) ? readCifarClassNames(namesPath, variant) : info.defaultNames;
  return {
    train: loadCifarBatches(info.trainFiles.map((f) => path.join(root, f)), variant, { name: `${variant}/train`, classNames }),
    test: loadCifarBatches(info.testFiles.map((f) => path.join(root, f)), variant, { name: `${variant}/test`, classNames }),
  };
}
