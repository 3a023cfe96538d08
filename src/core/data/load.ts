/**
 * One entry point from a user-typed dataset spec (CLI argument, settings value) to train/test splits.
 *
 *   mnist | fashion-mnist            built-in offline copies (optionally mnist:<dir>, fashion-mnist:<dir>)
 *   cifar10:<dir> | cifar100:<dir>   CIFAR binary batches
 *   idx:<dir>                        any four MNIST-format IDX files
 *   folder:<dir>                     root/<class>/ images, or root/train/<class> + root/test/<class>; a folder
 *                                    with a manifest at its root (labels.csv next to images/) is that manifest
 *   csv:<file> | jsonl:<file>        manifests
 *   <path>                           auto-detected from what is there
 *
 * Sources with no test split of their own (manifests, single image folders) get a seeded, stratified 1/6
 * held out as test, recorded in `info.heldOut` so every score still maps back to its original example.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cifarBatchWarnings, loadCifarDir } from './cifar';
import { cachedImages, type CachedDecodeOptions } from './decodedCache';
import type { ImageGeometry } from './imageGeometry';
import { resizeImages } from './resizeImages';
import { DataFormatError, type DatasetSplits, type ImageDataset } from './dataset';
import { isDirectory, isFile } from './fsutil';
import { checkAtLeastTwoClasses } from './classCount';
import { listClassFolders, loadImageFolder } from './imageFolder';
import { loadManifest, manifestFormat } from './manifest';
import { rootManifestOf } from './rootManifest';
import { defaultMnistDir, findIdxFiles, loadIdxDir, loadMnist, type MnistKind } from './mnist';
import { RandomStream } from '../randomStreams';
import { partitionInPlace, validationIndices } from './split';

export type DatasetKind = 'mnist' | 'fashion-mnist' | 'cifar10' | 'cifar100' | 'idx' | 'folder' | 'csv' | 'jsonl';

export const DATASET_KINDS: readonly DatasetKind[] = ['mnist', 'fashion-mnist', 'cifar10', 'cifar100', 'idx', 'folder', 'csv', 'jsonl'];

export const ACCEPTED_SPECS = [
  'mnist',
  'fashion-mnist',
  'mnist:<dir> / fashion-mnist:<dir> (the four IDX files, raw or .gz)',
  'cifar10:<dir>',
  'cifar100:<dir>',
  'idx:<dir>',
  'folder:<dir> (one sub-folder per class, or train/ and test/ each with class sub-folders, or a labels.csv / .jsonl manifest next to the images)',
  'csv:<file> (path,label rows)',
  'jsonl:<file> ({"path":..., "label":...} per line)',
  '<path> (auto-detected: IDX files, CIFAR batches, class sub-folders, .csv or .jsonl manifest)',
];

/** Fraction of a split-less source held out as its test split. */
export const HELD_OUT_TEST_FRACTION = 1 / 6;

export interface HeldOutSplit {
  readonly fraction: number;
  readonly seed: number;
  /** Original example index (row of the manifest / position in the folder listing) of each train example. */
  readonly trainIndices: Int32Array;
  /** Original example index of each test example. */
  readonly testIndices: Int32Array;
}

export interface DatasetInfo {
  readonly kind: DatasetKind;
  /** Files or directories the data was read from. */
  readonly sources: string[];
  readonly classNames?: readonly string[];
  /** Present when the test split was carved out of a source that has none. */
  readonly heldOut?: HeldOutSplit;
  /** Human-readable remarks worth showing to the user (e.g. how the test split was made). */
  readonly notes: string[];
  /** Problems that do not stop loading but may change results (e.g. a truncated CIFAR batch): shown as warnings. */
  readonly warnings?: string[];
}

export interface LoadedDataset {
  readonly splits: DatasetSplits;
  readonly info: DatasetInfo;
}

export interface LoadOptions {
  /** Seed of the held-out test split for split-less sources. Default 0. */
  readonly seed?: number;
  /** Size every image is brought to (--image-size, --resize); default: their own, which must agree. */
  readonly geometry?: ImageGeometry;
  /** `.datadiet/cache`: decoded (and resized) images are kept there; without it every load decodes. */
  readonly cacheDir?: string;
  /** Images decoded so far, while image files are decoded. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface ParsedSpec {
  readonly kind: DatasetKind;
  /** Absolute path, absent for the built-in mnist / fashion-mnist. */
  readonly path?: string;
}

function specError(spec: string, problem: string): DataFormatError {
  return new DataFormatError(spec, problem, `accepted forms: ${ACCEPTED_SPECS.join('; ')}`);
}

function expandPath(p: string): string {
  const home = p === '~' || p.startsWith('~/') || p.startsWith(`~${path.sep}`);
  return path.resolve(home ? path.join(os.homedir(), p.slice(1)) : p);
}

/** Parse a spec without loading anything (bare paths are inspected to detect their kind). */
export function parseDatasetSpec(spec: string): ParsedSpec {
  const s = spec.trim();
  if (s === '') throw specError(spec, 'empty dataset spec');
  const lower = s.toLowerCase();
  if (lower === 'mnist' || lower === 'fashion-mnist') return { kind: lower };
  const m = /^([A-Za-z0-9-]+):(.*)$/s.exec(s);
  // One-letter prefixes are Windows drive letters (C:\data), not kinds.
  if (m && m[1].length > 1) {
    const kind = m[1].toLowerCase() as DatasetKind;
    if (!DATASET_KINDS.includes(kind)) throw specError(spec, `unknown dataset kind "${m[1]}"`);
    if (m[2].trim() === '') throw specError(spec, `${kind}: needs a path after the colon`);
    const p = expandPath(m[2].trim());
    // folder:<root> with labels.csv next to images/ means the manifest (else: one class named "images").
    const manifest = kind === 'folder' && isDirectory(p) ? rootManifestOf(p, listClassFolders(p).length) : undefined;
    return manifest ? { kind: manifestFormat(manifest), path: manifest } : { kind, path: p };
  }
  const p = expandPath(s);
  const kind = detectDatasetKind(p);
  if (kind === 'csv' || kind === 'jsonl') {
    const manifest = isDirectory(p) ? rootManifestOf(p, listClassFolders(p).length) : undefined;
    if (manifest) return { kind, path: manifest };
  }
  if (!kind) {
    const problem = fs.existsSync(p)
      ? `cannot tell what kind of dataset ${p} is`
      : `not a known dataset name, and no file or directory ${p} exists`;
    throw specError(spec, problem);
  }
  return { kind, path: p };
}

/** Guess the kind of a dataset on disk from what it contains; undefined if nothing matches. */
export function detectDatasetKind(p: string): DatasetKind | undefined {
  if (isFile(p)) {
    const ext = path.extname(p).toLowerCase();
    if (ext === '.csv') return 'csv';
    if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
    return undefined;
  }
  if (!isDirectory(p)) return undefined;
  let names: string[];
  try {
    names = fs.readdirSync(p);
  } catch {
    return undefined;
  }
  if (names.some((n) => /idx[0-9]-ubyte(\.gz)?$/i.test(n))) return 'idx';
  if (names.includes('data_batch_1.bin') || names.includes('cifar-10-batches-bin')) return 'cifar10';
  if ((names.includes('train.bin') && names.includes('test.bin')) || names.includes('cifar-100-binary')) return 'cifar100';
  const folders = listClassFolders(p).length;
  const manifest = rootManifestOf(p, folders);
  if (manifest) return manifestFormat(manifest);
  if (folders > 0) return 'folder';
  return undefined;
}

/** Which examples of a source without a test split are held out as its test split (the `test-split` stream of `seed`). */
export function heldOutIndices(ds: Pick<ImageDataset, 'labels' | 'numClasses'>, seed: number): { trainIndices: Int32Array; valIndices: Int32Array } {
  // At least one test example, so evaluation never runs on an empty set.
  const count = Math.max(1, Math.round(ds.labels.length * HELD_OUT_TEST_FRACTION));
  return validationIndices(ds, count, RandomStream.root(seed).derive('test-split').rng());
}

/** Carve a stratified test split out of a dataset that has none. */
function holdOutTest(ds: ImageDataset, seed: number, baseName: string): { splits: DatasetSplits; heldOut: HeldOutSplit } {
  const n = ds.labels.length;
  if (n < 2) throw new DataFormatError(baseName, `has ${n} image(s); at least 2 are needed to hold out a test split`);
  const { trainIndices, valIndices } = heldOutIndices(ds, seed);
  // The loaded pixels are reordered in place, so the split never holds a second copy of them.
  const [train, test] = partitionInPlace(ds, trainIndices, valIndices, [`${ds.name}/train`, `${ds.name}/test`]);
  return {
    splits: { train, test },
    heldOut: { fraction: HELD_OUT_TEST_FRACTION, seed, trainIndices, testIndices: valIndices },
  };
}

function heldOutNote(what: string, h: HeldOutSplit, splits: DatasetSplits): string {
  return (
    `${what} has no train/test split: held out a stratified 1/6 (${splits.test.labels.length} of ` +
    `${splits.train.labels.length + splits.test.labels.length} images, seed ${h.seed}) as the test split`
  );
}

export async function loadDataset(spec: string, opts: LoadOptions = {}): Promise<LoadedDataset> {
  const loaded = await loadAsStored(spec, opts);
  const g = opts.geometry;
  if (!g?.size || loaded.info.kind === 'folder' || loaded.info.kind === 'csv' || loaded.info.kind === 'jsonl') return loaded;
  // Array datasets (MNIST, IDX, CIFAR) are resized here; image files were resized while decoding.
  const { train, test } = loaded.splits;
  const resize = async (ds: ImageDataset, part: string): Promise<ImageDataset> => {
    if (ds.shape[0] === g.size && ds.shape[1] === g.size) return ds;
    const made = await cachedImages(opts.cacheDir, { files: sourceFiles(loaded.info.sources), geometry: g, part }, ds.labels.length, () => resizeImages(ds, { ...g, size: g.size! }, opts));
    return { ...ds, images: made.images, shape: made.shape };
  };
  return { ...loaded, splits: { train: await resize(train, 'train'), test: await resize(test, 'test') } };
}

async function loadAsStored(spec: string, opts: LoadOptions): Promise<LoadedDataset> {
  const seed = opts.seed ?? 0;
  const parsed = parseDatasetSpec(spec);
  const { kind } = parsed;
  switch (kind) {
    case 'mnist':
    case 'fashion-mnist': {
      // Without a path, loadMnist looks in the default place and its errors explain how to install the data.
      const splits = loadMnist(kind, parsed.path ? { dataDir: parsed.path } : {});
      const dir = parsed.path ?? defaultMnistDir(kind as MnistKind);
      return { splits, info: { kind, sources: idxSources(dir), classNames: splits.train.classNames, notes: [] } };
    }
    case 'idx': {
      const dir = parsed.path!;
      // Labels decide the class count; both splits share it.
      const splits = loadIdxDir(dir, path.basename(dir), { numClasses: 'auto' });
      checkAtLeastTwoClasses(splits.train, dir, 'the train labels file must hold the class of each image');
      return { splits, info: { kind, sources: idxSources(dir), notes: [] } };
    }
    case 'cifar10':
    case 'cifar100': {
      const dir = parsed.path!;
      const splits = loadCifarDir(dir, kind);
      const warnings = cifarBatchWarnings(dir, kind);
      return { splits, info: { kind, sources: [dir], classNames: splits.train.classNames, notes: [], warnings } };
    }
    case 'folder': {
      const root = parsed.path!;
      const result = await loadImageFolder(root, decodeOptions(opts));
      checkAtLeastTwoClasses(result.layout === 'split' ? result.splits.train : result.dataset, result.layout === 'split' ? path.join(root, 'train') : root, FOLDER_FIX);
      if (result.layout === 'split') {
        const { splits } = result;
        return { splits, info: { kind, sources: [root], classNames: splits.train.classNames, notes: [] } };
      }
      const { splits, heldOut } = holdOutTest(result.dataset, seed, root);
      return {
        splits,
        info: { kind, sources: [root], classNames: result.dataset.classNames, heldOut, notes: [heldOutNote(`folder ${root}`, heldOut, splits)] },
      };
    }
    case 'csv':
    case 'jsonl': {
      const file = parsed.path!;
      if (!isFile(file)) throw new DataFormatError(file, 'manifest file not found');
      // The explicit prefix wins over the extension (csv:labels.txt is fine).
      const ds = await loadManifest(file, { ...decodeOptions(opts), format: kind });
      const { splits, heldOut } = holdOutTest(ds, seed, file);
      checkAtLeastTwoClasses(ds, file, 'check that the label column holds the class of each image');
      return {
        splits,
        info: { kind, sources: [file], classNames: ds.classNames, heldOut, notes: [heldOutNote(`manifest ${file}`, heldOut, splits)] },
      };
    }
  }
}

/** The files under the sources (a CIFAR folder's batches), whose sizes and times key the cache. */
function sourceFiles(sources: readonly string[]): string[] {
  return sources.flatMap((s) => (isDirectory(s) ? fs.readdirSync(s).sort().map((f) => path.join(s, f)).filter(isFile) : [s]));
}

function decodeOptions(o: LoadOptions): CachedDecodeOptions {
  return { geometry: o.geometry, cacheDir: o.cacheDir, onProgress: o.onProgress, signal: o.signal };
}

const FOLDER_FIX = 'put each class in its own sub-folder (root/<class>/<image>.png), or list path,label rows in a labels.csv at the root';

function idxSources(dir: string): string[] {
  const f = findIdxFiles(dir);
  return [f.trainImages, f.trainLabels, f.testImages, f.testLabels];
}
