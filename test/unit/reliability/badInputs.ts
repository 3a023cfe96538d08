/**
 * The bad-input corpus: every malformed input Data Diet is known to meet, each built in a temp folder (from the
 * committed files in test/fixtures/bad/ or generated here), with what its error message must say. The test
 * (badInputs.test.ts) runs each through the real entry point, and docs/bad-inputs.md is generated from the same
 * list (scripts/bad-inputs-doc.mjs), so the table and the behaviour cannot drift apart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { loadDataset } from '../../../src/core/data/load';
import { loadCifarBatches } from '../../../src/core/data/cifar';
import { loadManifest } from '../../../src/core/data/manifest';
import { readMetrics, readRun } from '../../../src/core/store/runStore';
import { encodeNpy, readNpy, readScoreTable, writeScoreTable } from '../../../src/core/store/scoreFiles';
import { readRunEmbeddings } from '../../../src/core/annotations/runEmbeddings';
import { loadCheckpoint } from '../../../src/core/store/checkpoint';
import type { Model } from '../../../src/core/models/model';
import { scoresForTraining } from '../../../src/core/experiments/pruneSweep';
import { deleteRun, resumePlan } from '../../../src/core/store/runActions';
import { loadAnnotationsFor } from '../../../src/core/annotations/datasetAnnotations';
import { AnnotationStore } from '../../../src/core/annotations/annotationStore';
import { readPredictions, summarizePredictions, writePredictions } from '../../../src/core/annotations/predictions';
import { checkSourcePath, datasetRootOf } from '../../../src/core/annotations/sourceImages';
import { runImportPredictions } from '../../../src/core/experiments/importPredictions';
import { runImportScores } from '../../../src/core/experiments/importScores';
import type { ImageDataset } from '../../../src/core/data/dataset';
import { repoRoot } from '../helpers/paths';

export type Area = 'IDX' | 'CIFAR' | 'Image folder' | 'CSV manifest' | 'JSONL manifest' | 'Run directory' | 'Score files' | 'Annotations' | 'Imported files';

/** What a case builds: a dataset spec (loaded with loadDataset, and sent to the engine as a job) or any action. */
export type CaseInput = { readonly spec: string } | { readonly run: () => unknown };

export interface BadInput {
  readonly id: string;
  readonly area: Area;
  /** What is wrong with the input, in words. */
  readonly input: string;
  readonly make: (dir: string) => CaseInput;
  /**
   * An error is expected: its message must contain `file` (the file or folder named), `place` (line, offset,
   * record, field...) when the problem has one, and `fix` (what to do). Tolerated inputs have `accepted` instead.
   */
  readonly expect?: { readonly file: string; readonly place?: RegExp; readonly fix?: RegExp; readonly message: RegExp };
  /** Inputs that are valid variants (BOM, CRLF, torn last metrics line): a summary of what loads. */
  readonly accepted?: (result: unknown) => string;
}

export const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'bad');

function write(file: string, bytes: Uint8Array | string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

function fixture(name: string, to: string): string {
  return write(to, fs.readFileSync(path.join(FIXTURES, name)));
}

function idx(dims: number[], data: ArrayLike<number>, dtype = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = dtype;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Array.from(data))]);
}

interface IdxSet {
  trainImages?: Buffer;
  trainLabels?: Buffer;
  testImages?: Buffer;
  testLabels?: Buffer;
}

/** A valid MNIST-style folder (4 train, 2 test 2x2 images), with some files replaced. */
function idxDir(dir: string, over: IdxSet = {}): string {
  const d = path.join(dir, 'idx');
  write(path.join(d, 'train-images-idx3-ubyte'), over.trainImages ?? idx([4, 2, 2], new Array(16).fill(7)));
  write(path.join(d, 'train-labels-idx1-ubyte'), over.trainLabels ?? idx([4], [0, 1, 2, 1]));
  write(path.join(d, 't10k-images-idx3-ubyte'), over.testImages ?? idx([2, 2, 2], new Array(8).fill(9)));
  write(path.join(d, 't10k-labels-idx1-ubyte'), over.testLabels ?? idx([2], [0, 2]));
  return d;
}

function cifarRecord(label: number[]): Buffer {
  const rec = Buffer.alloc(label.length + 3072, 100);
  label.forEach((l, i) => (rec[i] = l));
  return rec;
}

function cifarDir(dir: string, file: string, bytes: Buffer): string {
  const d = path.join(dir, 'cifar-10-batches-bin');
  for (const f of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']) {
    write(path.join(d, f), cifarRecord([f.length % 10]));
  }
  write(path.join(d, file), bytes);
  return d;
}

function png(file: string, w: number, h: number, value = 128): string {
  const p = new PNG({ width: w, height: h });
  p.data.fill(value);
  for (let i = 3; i < p.data.length; i += 4) p.data[i] = 255;
  return write(file, PNG.sync.write(p));
}

function jpg(file: string, w: number, h: number): string {
  const data = Buffer.alloc(w * h * 4, 90);
  return write(file, jpeg.encode({ width: w, height: h, data }, 90).data);
}

/** root/<class>/<n>.png for each class, `count` 4x4 images each. */
function folder(dir: string, classes: string[], count = 3): string {
  const root = path.join(dir, 'images');
  for (const c of classes) for (let i = 0; i < count; i++) png(path.join(root, c, `${i}.png`), 4, 4, 40 * i);
  return root;
}

/** A manifest `name` in dir/data with images a.png..d.png (4x4) next to it. */
function manifestWith(dir: string, name: string, text: string | Buffer): string {
  const root = path.join(dir, 'data');
  for (const f of ['a.png', 'b.png', 'c.png', 'd.png']) png(path.join(root, f), 4, 4);
  return write(path.join(root, name), text);
}

/** Just the parts of a linear model (4 inputs, 3 classes) that loadCheckpoint checks files against. */
const linearModel = { spec: { arch: 'linear' }, params: [{ name: 'fc/weight', variable: { shape: [4, 3], size: 12 } }, { name: 'fc/bias', variable: { shape: [3], size: 3 } }], state: [] } as unknown as Model;

function runDir(dir: string, id: string, manifest: string | object): string {
  const d = path.join(dir, '.datadiet', 'runs', id);
  write(path.join(d, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  return d;
}

function scoreRunManifest(id: string, status = 'done'): object {
  return {
    schema: 1,
    id,
    kind: 'score',
    status,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    config: { dataset: 'mnist' },
    seeds: {},
    versions: {},
    timings: { startedAt: '2026-12-01T00:00:00.000Z' },
  };
}

/** A 4-example cat/dog dataset whose images a.png..d.png sit in dir/data, and an annotations file there. */
function annotated(dir: string, lines: (string | object)[]): { run: () => unknown } {
  const root = path.join(dir, 'data');
  const sources = ['a.png', 'b.png', 'c.png', 'd.png'].map((f) => path.join(root, f));
  const ds: ImageDataset = { name: 'toy', images: new Uint8Array(16), labels: Int32Array.from([0, 1, 0, 1]), shape: [2, 2, 1], numClasses: 2, classNames: ['cat', 'dog'], sources };
  const file = write(path.join(root, 'annotations.jsonl'), lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return { run: () => loadAnnotationsFor(ds, file) };
}
const entry = (over: object) => ({ id: 'e1', path: 'b.png', action: 'relabel', newLabel: 'cat', time: '2026-12-01T00:00:00.000Z', ...over });
const notes = (r: unknown) => (r as { notes: string[] }).notes.join('; ');

const csv = (dir: string, text: string | Buffer, name = 'labels.csv') => ({ spec: `csv:${manifestWith(dir, name, text)}` });
const jsonl = (dir: string, text: string | Buffer, name = 'labels.jsonl') => ({ spec: `jsonl:${manifestWith(dir, name, text)}` });

/**
 * NPY 1.0 bytes as numpy.save writes them (header dict padded to a multiple of 64 with spaces and a newline, then
 * the raw data): any dtype and order, so the corpus builds what numpy users send without running numpy.
 */
function npy(descr: string, shape: readonly number[], data: Uint8Array, fortran = false): Buffer {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${dims}, }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 255, header.length >> 8]);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

const f4 = (values: readonly number[]) => new Uint8Array(Float32Array.from(values).buffer);

/** N x 3 float32 rows of `row` (the idxDir dataset: 4 training and 2 test examples of 3 classes). */
const rows3 = (n: number, row: readonly number[]) => f4(Array.from({ length: n }, () => row).flat());

/** Imports `file` (written in the case folder) as the predictions of the idxDir dataset. */
function importProbs(dir: string, name: string, bytes: Uint8Array | string, extra: { logits?: boolean; embeddings?: string } = {}): { run: () => unknown } {
  const spec = `idx:${idxDir(dir)}`;
  const probs = write(path.join(dir, name), bytes);
  return { run: () => runImportPredictions({ dataset: spec, probs, ...extra }, { root: dir }) };
}

/** Imports `name=file` score arguments (files written in the case folder) for the idxDir dataset. */
function importScores(dir: string, files: Record<string, Uint8Array>, args: (dir: string) => string[]): { run: () => unknown } {
  const spec = `idx:${idxDir(dir)}`;
  for (const [name, bytes] of Object.entries(files)) write(path.join(dir, name), bytes);
  return { run: () => runImportScores({ dataset: spec, scores: args(dir) }, { root: dir }) };
}

const uniform = rows3(4, [1 / 3, 1 / 3, 1 / 3]);
const importedRows = (r: unknown) => {
  const m = r as { status: string; results?: { examples?: number; scores?: string[] } };
  return `${m.status}: ${m.results?.examples} training examples${m.results?.scores ? ` scored (${m.results.scores.join(', ')})` : ''}`;
};

export const BAD_INPUTS: readonly BadInput[] = [
  // ---------------------------------------------------------------------------------------------------- IDX
  {
    id: 'idx-wrong-magic',
    area: 'IDX',
    input: 'images file is a ZIP archive, not IDX (wrong magic number)',
    make: (dir) => ({ spec: `idx:${idxDir(dir, { trainImages: fs.readFileSync(path.join(FIXTURES, 'idx-zip-instead.idx3-ubyte')) })}` }),
    expect: { file: 'train-images-idx3-ubyte', place: /first bytes 50 4b 03 04/, fix: /expected an MNIST-style IDX file/, message: /bad magic number/ },
  },
  {
    id: 'idx-float-dtype',
    area: 'IDX',
    input: 'images stored as float32 (dtype byte 0x0d)',
    make: (dir) => ({ spec: `idx:${idxDir(dir, { trainImages: idx([4, 2, 2], new Array(64).fill(0), 0x0d) })}` }),
    expect: { file: 'train-images-idx3-ubyte', place: /dtype byte 0x0d/, fix: /convert the images to unsigned bytes/, message: /unsupported IDX dtype/ },
  },
  {
    id: 'idx-truncated',
    area: 'IDX',
    input: 'images file cut short (download interrupted)',
    make: (dir) => ({ spec: `idx:${idxDir(dir, { trainImages: idx([4, 2, 2], new Array(10).fill(7)) })}` }),
    expect: { file: 'train-images-idx3-ubyte', place: /needing 32 bytes, but only 26/, fix: /fetch the file again/, message: /truncated/ },
  },
  {
    id: 'idx-trailing-bytes',
    area: 'IDX',
    input: 'extra bytes after the data the header declares',
    make: (dir) => ({ spec: `idx:${idxDir(dir, { trainLabels: idx([4], [0, 1, 2, 1, 5, 5]) })}` }),
    expect: { file: 'train-labels-idx1-ubyte', place: /2 unexpected bytes after the 12 bytes/, fix: /fetch the file again|header/, message: /unexpected bytes/ },
  },
  {
    id: 'idx-huge-dimensions',
    area: 'IDX',
    input: 'header declares 60000 x 100000 x 100000 images (corrupt header; refused before allocating)',
    make: (dir) => ({ spec: `idx:${idxDir(dir, { trainImages: idx([60000, 100000, 100000], [1, 2, 3]) })}` }),
    expect: { file: 'train-images-idx3-ubyte', place: /dimensions \[60000, 100000, 100000\]/, fix: /fetch the file again/, message: /over the 2147483648-byte limit/ },
  },
  {
    id: 'idx-zero-dimensions',
    area: 'IDX',
    input: 'header declares 0 dimensions',
    make: (dir) => ({ spec: `idx:${idxDir(dir, { testLabels: Buffer.from([0, 0, 8, 0]) })}` }),
    expect: { file: 't10k-labels-idx1-ubyte', place: /byte 3/, fix: /fetch the file again/, message: /declares 0 dimensions/ },
  },
  {
    id: 'idx-empty-file',
    area: 'IDX',
    input: 'labels file is empty (0 bytes)',
    make: (dir) => ({ spec: `idx:${idxDir(dir, { trainLabels: Buffer.alloc(0) })}` }),
    expect: { file: 'train-labels-idx1-ubyte', place: /0 bytes/, fix: /fetch the file again/, message: /too short for an IDX header/ },
  },
  {
    id: 'idx-count-mismatch',
    area: 'IDX',
    input: '4 training images but 3 labels',
    make: (dir) => ({ spec: `idx:${idxDir(dir, { trainLabels: idx([3], [0, 1, 2]) })}` }),
    expect: { file: 'train-images-idx3-ubyte', place: /holds 4 images but .*train-labels-idx1-ubyte holds 3 labels/, fix: /same split/, message: /labels/ },
  },
  {
    id: 'idx-label-out-of-range',
    area: 'IDX',
    input: 'MNIST test label 12 (MNIST has 10 classes)',
    make: (dir) => ({ spec: `mnist:${idxDir(dir, { testLabels: idx([2], [0, 12]) })}` }),
    expect: { file: 't10k-labels-idx1-ubyte', place: /label 12 at index 1/, fix: /labels must be class indices/, message: /out of range \[0, 10\)/ },
  },
  {
    id: 'idx-labels-2d',
    area: 'IDX',
    input: 'labels file has 2 dimensions [4, 1] (one-hot or column export)',
    make: (dir) => ({ spec: `idx:${idxDir(dir, { trainLabels: idx([4, 1], [0, 1, 2, 1]) })}` }),
    expect: { file: 'train-labels-idx1-ubyte', place: /got \[4, 1\]/, fix: /one label byte per example/, message: /must have 1 dimension/ },
  },
  {
    id: 'idx-gzip-truncated',
    area: 'IDX',
    input: 'gzipped images file cut short',
    make: (dir) => {
      const d = idxDir(dir);
      const gz = zlib.gzipSync(idx([4, 2, 2], new Array(16).fill(7)));
      fs.rmSync(path.join(d, 'train-images-idx3-ubyte'));
      write(path.join(d, 'train-images-idx3-ubyte.gz'), gz.subarray(0, gz.length - 12));
      return { spec: `idx:${d}` };
    },
    expect: { file: 'train-images-idx3-ubyte.gz', place: /declares 32 bytes/, fix: /fetch the file again/, message: /truncated gzip stream/ },
  },
  {
    id: 'idx-gzip-corrupt',
    area: 'IDX',
    input: 'gzip magic followed by garbage',
    make: (dir) => {
      const d = idxDir(dir);
      fs.rmSync(path.join(d, 't10k-images-idx3-ubyte'));
      write(path.join(d, 't10k-images-idx3-ubyte.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0, 1, 2]));
      return { spec: `idx:${d}` };
    },
    expect: { file: 't10k-images-idx3-ubyte.gz', place: /gzip/, fix: /fetch the file again/, message: /corrupt gzip data/ },
  },
  {
    id: 'idx-missing-file',
    area: 'IDX',
    input: 'folder lacks the test labels file',
    make: (dir) => {
      const d = idxDir(dir);
      fs.rmSync(path.join(d, 't10k-labels-idx1-ubyte'));
      return { spec: `idx:${d}` };
    },
    expect: { file: 'idx', place: /t10k-labels-idx1-ubyte\[\.gz\]/, fix: /four MNIST-format IDX files/, message: /missing IDX file/ },
  },
  // ---------------------------------------------------------------------------------------------------- CIFAR
  {
    id: 'cifar-truncated-record',
    area: 'CIFAR',
    input: 'batch file ends in the middle of a record',
    make: (dir) => ({ spec: `cifar10:${cifarDir(dir, 'data_batch_3.bin', Buffer.concat([cifarRecord([1]), cifarRecord([2]).subarray(0, 100)]))}` }),
    expect: { file: 'data_batch_3.bin', place: /size 3173 bytes/, fix: /CIFAR-100 file\?|extract the archive again/, message: /not a multiple of the cifar10 record size 3073/ },
  },
  {
    id: 'cifar-label-out-of-range',
    area: 'CIFAR',
    input: 'CIFAR-10 record with label 12',
    make: (dir) => ({ spec: `cifar10:${cifarDir(dir, 'test_batch.bin', Buffer.concat([cifarRecord([3]), cifarRecord([12])]))}` }),
    expect: { file: 'test_batch.bin', place: /record 1 \(byte offset 3073\)/, fix: /CIFAR-100|extract the archive again/, message: /label 12 is out of range \[0, 10\)/ },
  },
  {
    id: 'cifar100-coarse-out-of-range',
    area: 'CIFAR',
    input: 'CIFAR-10 bytes read as CIFAR-100 (coarse label 57 >= 20)',
    make: (dir) => {
      const f = write(path.join(dir, 'train.bin'), Buffer.concat([cifarRecord([3, 5]), cifarRecord([57, 2])]));
      return { run: () => loadCifarBatches([f], 'cifar100') };
    },
    expect: { file: 'train.bin', place: /record 1 \(byte offset 3074\)/, fix: /CIFAR-10 file\?|extract the archive again/, message: /coarse label 57 is out of range \[0, 20\)/ },
  },
  {
    id: 'cifar-empty-file',
    area: 'CIFAR',
    input: 'batch file of 0 bytes',
    make: (dir) => ({ spec: `cifar10:${cifarDir(dir, 'data_batch_2.bin', Buffer.alloc(0))}` }),
    expect: { file: 'data_batch_2.bin', place: /0 bytes/, fix: /extract the archive again/, message: /empty/ },
  },
  {
    id: 'cifar-missing-files',
    area: 'CIFAR',
    input: 'folder holds only data_batch_1.bin',
    make: (dir) => {
      const d = path.join(dir, 'partial');
      write(path.join(d, 'data_batch_1.bin'), cifarRecord([1]));
      return { spec: `cifar10:${d}` };
    },
    expect: { file: 'partial', place: /data_batch_2\.bin/, fix: /extract the binary version of CIFAR-10/, message: /missing cifar10 file/ },
  },
  {
    id: 'cifar-class-names-count',
    area: 'CIFAR',
    input: 'batches.meta.txt lists 3 class names for 10 classes',
    make: (dir) => {
      const d = cifarDir(dir, 'data_batch_1.bin', cifarRecord([0]));
      write(path.join(d, 'batches.meta.txt'), 'cat\ndog\nbird\n');
      return { spec: `cifar10:${d}` };
    },
    expect: { file: 'batches.meta.txt', place: /lists 3 class names/, fix: /one name per line/, message: /expected 10/ },
  },
  // ---------------------------------------------------------------------------------------------------- Image folders
  {
    id: 'folder-empty-class',
    area: 'Image folder',
    input: 'class folder "dog" holds no images (only notes.txt)',
    make: (dir) => {
      const root = folder(dir, ['cat']);
      write(path.join(root, 'dog', 'notes.txt'), 'todo');
      return { spec: `folder:${root}` };
    },
    expect: { file: 'dog', place: /class folder 'dog'/, fix: /add images to it or remove the folder/, message: /contains no images/ },
  },
  {
    id: 'folder-no-classes',
    area: 'Image folder',
    input: 'empty dataset folder',
    make: (dir) => {
      fs.mkdirSync(path.join(dir, 'empty'));
      return { spec: `folder:${path.join(dir, 'empty')}` };
    },
    expect: { file: 'empty', fix: /one sub-folder per class/, message: /no class sub-folders found/ },
  },
  {
    id: 'folder-loose-images',
    area: 'Image folder',
    input: 'images directly in the folder, no class sub-folders',
    make: (dir) => {
      png(path.join(dir, 'flat', 'a.png'), 4, 4);
      png(path.join(dir, 'flat', 'b.png'), 4, 4);
      return { spec: `folder:${path.join(dir, 'flat')}` };
    },
    // A bare path with only images is not recognised as a dataset at all; the explicit folder: prefix explains.
    expect: { file: 'flat', fix: /one sub-folder per class/, message: /images found directly in the folder/ },
  },
  {
    id: 'folder-text-as-png',
    area: 'Image folder',
    input: 'a text file named .png',
    make: (dir) => {
      const root = folder(dir, ['cat', 'dog']);
      fixture('text-named.png', path.join(root, 'dog', '1.png'));
      return { spec: `folder:${root}` };
    },
    expect: { file: '1.png', place: /first bytes 54 68 69 73/, fix: /convert it to PNG or JPEG, or remove it/, message: /not an image we can read/ },
  },
  {
    id: 'folder-gif-as-png',
    area: 'Image folder',
    input: 'a GIF header without image data, named .png (GIF is read, by content; this one is cut off)',
    make: (dir) => {
      const root = folder(dir, ['cat', 'dog']);
      fixture('gif-named.png', path.join(root, 'cat', '2.png'));
      return { spec: `folder:${root}` };
    },
    expect: { file: '2.png', place: /GIF/, fix: /re-export it or remove it/, message: /cannot decode GIF/ },
  },
  {
    id: 'folder-bmp-as-png',
    area: 'Image folder',
    input: 'a BMP image named .png (BMP is not supported)',
    make: (dir) => {
      const root = folder(dir, ['cat', 'dog']);
      fixture('bmp-named.png', path.join(root, 'cat', '2.png'));
      return { spec: `folder:${root}` };
    },
    expect: { file: '2.png', place: /BMP/, fix: /convert it to PNG or JPEG/, message: /not supported/ },
  },
  {
    id: 'folder-truncated-png',
    area: 'Image folder',
    input: 'PNG cut off halfway',
    make: (dir) => {
      const root = folder(dir, ['cat', 'dog']);
      fixture('png-truncated.png', path.join(root, 'cat', '0.png'));
      return { spec: `folder:${root}` };
    },
    expect: { file: '0.png', place: /PNG/, fix: /re-export it or remove it/, message: /cannot decode PNG/ },
  },
  {
    id: 'folder-truncated-jpeg',
    area: 'Image folder',
    input: 'JPEG cut off at 40%',
    make: (dir) => {
      const root = folder(dir, ['cat', 'dog']);
      fixture('jpeg-truncated.jpg', path.join(root, 'dog', 'x.jpg'));
      return { spec: `folder:${root}` };
    },
    expect: { file: 'x.jpg', place: /JPEG/, fix: /re-export it or remove it/, message: /cannot decode JPEG|incomplete/ },
  },
  {
    id: 'folder-empty-image',
    area: 'Image folder',
    input: 'a 0-byte .jpg',
    make: (dir) => {
      const root = folder(dir, ['cat', 'dog']);
      write(path.join(root, 'dog', 'empty.jpg'), '');
      return { spec: `folder:${root}` };
    },
    expect: { file: 'empty.jpg', place: /0 bytes/, fix: /remove it/, message: /not an image we can read/ },
  },
  {
    id: 'folder-png-huge-dimensions',
    area: 'Image folder',
    input: '68-byte PNG declaring 30000 x 30000 pixels (a decompression bomb; refused before decoding)',
    make: (dir) => {
      const root = folder(dir, ['cat', 'dog']);
      fixture('png-huge-dimensions.png', path.join(root, 'cat', 'bomb.png'));
      return { spec: `folder:${root}` };
    },
    expect: { file: 'bomb.png', place: /declares 30000x30000 pixels/, fix: /downscale the image, or remove the file/, message: /megapixel limit/ },
  },
  {
    id: 'folder-size-mismatch',
    area: 'Image folder',
    input: 'one 8x8 image among 4x4 images',
    make: (dir) => {
      const root = folder(dir, ['cat', 'dog']);
      jpg(path.join(root, 'dog', '9.jpg'), 8, 8);
      return { spec: `folder:${root}` };
    },
    expect: { file: '9.jpg', place: /4x4: 6 images \(e\.g\. .*0\.png\); 8x8: 1 image \(e\.g\. .*9\.jpg\)/, fix: /give --image-size S/, message: /different sizes/ },
  },
  {
    id: 'folder-unknown-test-class',
    area: 'Image folder',
    input: 'test/ has a class folder that train/ lacks',
    make: (dir) => {
      const root = path.join(dir, 'split');
      for (const c of ['cat', 'dog']) png(path.join(root, 'train', c, '0.png'), 4, 4);
      for (const c of ['cat', 'cow']) png(path.join(root, 'test', c, '0.png'), 4, 4);
      return { spec: `folder:${root}` };
    },
    expect: { file: 'cow', place: /class folder 'cow'/, fix: /rename or remove it|same class folders/, message: /does not exist in the training split/ },
  },
  {
    id: 'folder-symlink-loop',
    area: 'Image folder',
    input: 'a class folder containing a symlink to itself',
    make: (dir) => {
      const root = folder(dir, ['cat', 'dog']);
      fs.symlinkSync(path.join(root, 'dog'), path.join(root, 'dog', 'again'));
      return { spec: `folder:${root}` };
    },
    expect: { file: 'again', place: /this folder is .*images\/dog/, fix: /remove the symlink loop/, message: /symlink loop/ },
  },
  {
    id: 'folder-symlink-out',
    area: 'Image folder',
    input: 'cat/x.png is a symlink to a text file outside the folder (links are followed: datasets are often assembled from linked folders; the target must still be an image)',
    make: (dir) => {
      const root = folder(dir, ['cat', 'dog']);
      write(path.join(dir, 'outside', 'secret.txt'), 'not for the dataset\n');
      fs.symlinkSync(path.join(dir, 'outside', 'secret.txt'), path.join(root, 'cat', 'x.png'));
      return { spec: `folder:${root}` };
    },
    expect: { file: 'x.png', place: /first bytes 6e 6f 74 20/, fix: /convert it to PNG or JPEG, or remove it/, message: /not an image we can read/ },
  },
  {
    id: 'folder-xss-class-name',
    area: 'Image folder',
    input: 'class folder named <img src=x onerror=alert(1)> (loads; names are data, escaped wherever shown)',
    make: (dir) => ({ spec: `folder:${folder(dir, ['<img src=x onerror=alert(1)>', 'cat'], 6)}` }),
    accepted: (r) => `loads; class names ${JSON.stringify((r as { info: { classNames: string[] } }).info.classNames)} kept verbatim`,
  },
  // ---------------------------------------------------------------------------------------------------- CSV manifests
  {
    id: 'csv-path-traversal',
    area: 'CSV manifest',
    input: 'row path ../../etc/passwd',
    make: (dir) => csv(dir, 'path,label\na.png,cat\n../../etc/passwd,dog\n'),
    expect: { file: 'labels.csv', place: /line 3/, fix: /paths must stay inside the folder that holds the manifest/, message: /escapes the manifest's folder/ },
  },
  {
    id: 'csv-absolute-path',
    area: 'CSV manifest',
    input: 'row path /etc/passwd (absolute)',
    make: (dir) => csv(dir, 'path,label\n/etc/passwd,cat\nb.png,dog\n'),
    expect: { file: 'labels.csv', place: /line 2/, fix: /paths must stay inside the folder/, message: /"\/etc\/passwd" escapes/ },
  },
  {
    id: 'csv-symlink-out',
    area: 'CSV manifest',
    input: 'row path is a symlink inside the folder pointing outside it',
    make: (dir) => {
      png(path.join(dir, 'private', 'secret.png'), 4, 4);
      const r = csv(dir, 'path,label\na.png,cat\nlink.png,dog\n');
      fs.symlinkSync(path.join(dir, 'private', 'secret.png'), path.join(dir, 'data', 'link.png'));
      return r;
    },
    expect: { file: 'labels.csv', place: /line 3/, fix: /copy the file into the dataset folder/, message: /resolves \(through a symlink\) outside/ },
  },
  {
    id: 'csv-duplicate-row',
    area: 'CSV manifest',
    input: 'the same image listed twice (as b.png and ./b.png)',
    make: (dir) => csv(dir, 'path,label\na.png,cat\nb.png,dog\n./b.png,dog\n'),
    expect: { file: 'labels.csv', place: /line 4: .* as line 3/, fix: /list each image once/, message: /duplicate row/ },
  },
  {
    id: 'csv-missing-image',
    area: 'CSV manifest',
    input: 'row names an image that does not exist',
    make: (dir) => csv(dir, 'path,label\na.png,cat\nmissing.png,dog\n'),
    expect: { file: 'labels.csv', place: /line 3/, fix: /paths are relative to/, message: /file not found: missing\.png/ },
  },
  {
    id: 'csv-bad-header',
    area: 'CSV manifest',
    input: 'header filename,label instead of path,label',
    make: (dir) => csv(dir, 'label,path\ncat,a.png\n'),
    expect: { file: 'labels.csv', place: /line 1/, fix: /rename the columns/, message: /header must be exactly "path,label"/ },
  },
  {
    id: 'csv-extra-column',
    area: 'CSV manifest',
    input: 'unquoted path containing a comma (3 columns)',
    make: (dir) => csv(dir, 'path,label\na.png,cat\nmy,file.png,dog\n'),
    expect: { file: 'labels.csv', place: /line 3/, fix: /quote paths that contain commas/, message: /expected 2 columns \(path,label\), got 3/ },
  },
  {
    id: 'csv-unterminated-quote',
    area: 'CSV manifest',
    input: 'a quoted field never closed',
    make: (dir) => csv(dir, 'path,label\n"a.png,cat\nb.png,dog\n'),
    expect: { file: 'labels.csv', place: /line 2/, fix: /close the quote/, message: /unterminated quoted field/ },
  },
  {
    id: 'csv-mixed-labels',
    area: 'CSV manifest',
    input: 'labels mix class names and numbers',
    make: (dir) => csv(dir, 'path,label\na.png,cat\nb.png,3\n'),
    expect: { file: 'labels.csv', place: /line 3/, fix: /use either integer class indices or class names/, message: /is a number but other labels are class names/ },
  },
  {
    id: 'csv-negative-label',
    area: 'CSV manifest',
    input: 'integer label -1 (labels out of range)',
    make: (dir) => csv(dir, 'path,label\na.png,0\nb.png,-1\n'),
    expect: { file: 'labels.csv', place: /line 3/, fix: /class indices start at 0/, message: /label "-1" is not a non-negative integer/ },
  },
  {
    id: 'csv-huge-label',
    area: 'CSV manifest',
    input: 'integer label 123456789 (an ID column, not a class)',
    make: (dir) => csv(dir, 'path,label\na.png,0\nb.png,123456789\n'),
    expect: { file: 'labels.csv', place: /line 3/, fix: /is the label column an ID\?/, message: /too large/ },
  },
  {
    id: 'csv-empty-label',
    area: 'CSV manifest',
    input: 'a row with an empty label',
    make: (dir) => csv(dir, 'path,label\na.png,cat\nb.png,\n'),
    expect: { file: 'labels.csv', place: /line 3/, fix: /every row needs a label/, message: /empty label/ },
  },
  {
    id: 'csv-latin1',
    area: 'CSV manifest',
    input: 'manifest saved as Latin-1 (café.png), not UTF-8',
    make: (dir) => csv(dir, fs.readFileSync(path.join(FIXTURES, 'manifest-latin1.csv'))),
    expect: { file: 'labels.csv', place: /line 3 \(byte offset 24\)/, fix: /save the manifest as UTF-8/, message: /byte 0xe9, which is not valid UTF-8/ },
  },
  {
    id: 'csv-utf16',
    area: 'CSV manifest',
    input: 'manifest saved as UTF-16 (Excel "Unicode text")',
    make: (dir) => csv(dir, fs.readFileSync(path.join(FIXTURES, 'manifest-utf16.csv'))),
    expect: { file: 'labels.csv', place: /offset 0/, fix: /save it as UTF-8/, message: /UTF-16 encoded/ },
  },
  {
    id: 'csv-binary',
    area: 'CSV manifest',
    input: 'a PNG renamed to .csv',
    make: (dir) => csv(dir, fs.readFileSync(png(path.join(dir, 'x.png'), 2, 2))),
    expect: { file: 'labels.csv', place: /line 1 \(byte offset 0\)/, fix: /save the manifest as UTF-8 text/, message: /not valid UTF-8/ },
  },
  {
    id: 'csv-empty',
    area: 'CSV manifest',
    input: 'manifest with only a header',
    make: (dir) => csv(dir, 'path,label\n'),
    expect: { file: 'labels.csv', fix: /add one row per image/, message: /lists no images/ },
  },
  {
    id: 'csv-bom-crlf',
    area: 'CSV manifest',
    input: 'UTF-8 BOM and Windows (CRLF) line ends (tolerated)',
    make: (dir) => csv(dir, fs.readFileSync(path.join(FIXTURES, 'manifest-bom-crlf.csv'))),
    accepted: (r) => {
      const d = r as { splits: { train: { labels: Int32Array }; test: { labels: Int32Array } }; info: { classNames: string[] } };
      return `loads ${d.splits.train.labels.length + d.splits.test.labels.length} images, classes ${JSON.stringify(d.info.classNames)}`;
    },
  },
  // ---------------------------------------------------------------------------------------------------- JSONL manifests
  {
    id: 'jsonl-invalid-json',
    area: 'JSONL manifest',
    input: 'a line that is not JSON (single quotes)',
    make: (dir) => jsonl(dir, '{"path": "a.png", "label": "cat"}\n{\'path\': \'b.png\', \'label\': \'dog\'}\n'),
    expect: { file: 'labels.jsonl', place: /line 2/, fix: /one JSON object per line/, message: /invalid JSON/ },
  },
  {
    id: 'jsonl-not-object',
    area: 'JSONL manifest',
    input: 'a line holding an array',
    make: (dir) => jsonl(dir, '{"path": "a.png", "label": "cat"}\n["b.png", "dog"]\n'),
    expect: { file: 'labels.jsonl', place: /line 2/, fix: /\{"path": \.\.\., "label": \.\.\.\}/, message: /expected a JSON object/ },
  },
  {
    id: 'jsonl-missing-field',
    area: 'JSONL manifest',
    input: 'a line without "label"',
    make: (dir) => jsonl(dir, '{"path": "a.png", "label": "cat"}\n{"path": "b.png", "class": "dog"}\n'),
    expect: { file: 'labels.jsonl', place: /line 2.*"label"/, fix: /every line needs "path" and "label"/, message: /missing column/ },
  },
  {
    id: 'jsonl-fractional-label',
    area: 'JSONL manifest',
    input: 'label 1.5',
    make: (dir) => jsonl(dir, '{"path": "a.png", "label": 0}\n{"path": "b.png", "label": 1.5}\n'),
    expect: { file: 'labels.jsonl', place: /line 2/, fix: /class indices start at 0/, message: /label "1.5" is not a non-negative integer/ },
  },
  {
    id: 'jsonl-path-traversal',
    area: 'JSONL manifest',
    input: 'path "../../../../etc/passwd"',
    make: (dir) => jsonl(dir, '{"path": "a.png", "label": "cat"}\n{"path": "../../../../etc/passwd", "label": "dog"}\n'),
    expect: { file: 'labels.jsonl', place: /line 2/, fix: /paths must stay inside/, message: /escapes the manifest's folder/ },
  },
  {
    id: 'jsonl-path-not-string',
    area: 'JSONL manifest',
    input: '"path" is a number',
    make: (dir) => jsonl(dir, '{"path": 17, "label": "cat"}\n'),
    expect: { file: 'labels.jsonl', place: /line 1/, fix: /relative path/, message: /"path" must be a string/ },
  },
  {
    id: 'jsonl-bom-crlf',
    area: 'JSONL manifest',
    input: 'UTF-8 BOM and CRLF line ends (tolerated)',
    make: (dir) => jsonl(dir, fs.readFileSync(path.join(FIXTURES, 'manifest-bom-crlf.jsonl'))),
    accepted: (r) => {
      const d = r as { splits: { train: { labels: Int32Array }; test: { labels: Int32Array } }; info: { classNames: string[] } };
      return `loads ${d.splits.train.labels.length + d.splits.test.labels.length} images, classes ${JSON.stringify(d.info.classNames)}`;
    },
  },
  {
    id: 'manifest-xss-label',
    area: 'JSONL manifest',
    input: 'label <img src=x onerror=alert(1)> (loads; escaped wherever shown)',
    make: (dir) => {
      const root = path.join(dir, 'data');
      for (const f of ['a.png', 'b.png', 'c.png', 'd.png']) png(path.join(root, f), 4, 4);
      const lines = ['a.png', 'b.png', 'c.png', 'd.png'].map((p, i) => JSON.stringify({ path: p, label: i % 2 ? '<img src=x onerror=alert(1)>' : 'cat' }));
      const f = write(path.join(root, 'labels.jsonl'), lines.join('\n') + '\n');
      return { run: () => loadManifest(f) };
    },
    accepted: (r) => `loads; class names ${JSON.stringify((r as { classNames: string[] }).classNames)} kept verbatim`,
  },
  // ---------------------------------------------------------------------------------------------------- Run directories
  {
    id: 'run-manifest-torn',
    area: 'Run directory',
    input: 'manifest.json cut off mid-write by an older tool (invalid JSON); the run is listed, not hidden',
    make: (dir) => {
      runDir(dir, 'torn', fs.readFileSync(path.join(FIXTURES, 'run-manifest-torn.json'), 'utf8'));
      return { run: () => resumePlan(dir, 'torn') };
    },
    expect: { file: 'manifest.json', place: /position|line/, fix: /datadiet runs delete torn/, message: /invalid JSON/ },
  },
  {
    id: 'run-manifest-foreign',
    area: 'Run directory',
    input: 'manifest.json is valid JSON but not a Data Diet manifest',
    make: (dir) => {
      runDir(dir, 'foreign', { name: 'something else' });
      return { run: () => resumePlan(dir, 'foreign') };
    },
    expect: { file: 'manifest.json', place: /"schema"/, fix: /datadiet runs delete foreign/, message: /not a Data Diet run manifest/ },
  },
  {
    id: 'run-id-traversal',
    area: 'Run directory',
    input: 'run id ../../etc given to `datadiet runs delete`',
    make: (dir) => ({ run: () => deleteRun(dir, '../../etc') }),
    expect: { file: '../../etc', place: /run id/, fix: /datadiet runs/, message: /not a run id/ },
  },
  {
    id: 'run-missing-weights',
    area: 'Run directory',
    input: 'weights.json present but weights.bin deleted',
    make: (dir) => {
      const d = path.join(dir, 'run');
      write(path.join(d, 'weights.json'), JSON.stringify({ format: 'datadiet-weights-1', arch: 'linear', tensors: [] }));
      return { run: () => loadCheckpoint(linearModel, d, 'weights') };
    },
    expect: { file: 'weights.bin', place: /weights\.bin/, fix: /rerun the training/, message: /missing/ },
  },
  {
    id: 'run-weights-short',
    area: 'Run directory',
    input: 'weights.bin shorter than its index says (torn copy)',
    make: (dir) => {
      const d = path.join(dir, 'run');
      write(path.join(d, 'weights.json'), JSON.stringify({ format: 'datadiet-weights-1', arch: 'linear', tensors: [{ name: 'fc/weight', shape: [4, 3], offset: 0, size: 12 }, { name: 'fc/bias', shape: [3], offset: 12, size: 3 }] }));
      write(path.join(d, 'weights.bin'), Buffer.alloc(20));
      return { run: () => loadCheckpoint(linearModel, d, 'weights') };
    },
    expect: { file: 'weights.bin', place: /20 bytes.*60/, fix: /rerun the training/, message: /truncated/ },
  },
  {
    id: 'run-embeddings-short',
    area: 'Run directory',
    input: 'predictions/embeddings.npy with fewer rows than the predictions table (it would pair examples with others\' vectors)',
    make: (dir) => {
      const d = path.join(dir, 'run');
      write(path.join(d, 'predictions', 'embeddings.npy'), encodeNpy(new Float32Array(3 * 4), [3, 4]));
      return { run: () => readRunEmbeddings(d, 5) };
    },
    expect: { file: 'embeddings.npy', place: /3 rows/, fix: /score the dataset again/, message: /the predictions table has 5 / },
  },
  {
    id: 'run-metrics-torn',
    area: 'Run directory',
    input: 'metrics.jsonl whose last line was cut by a kill (tolerated: complete lines are kept)',
    make: (dir) => {
      const d = runDir(dir, 'killed', scoreRunManifest('killed', 'running'));
      fixture('metrics-torn.jsonl', path.join(d, 'metrics.jsonl'));
      return { run: () => readMetrics(d) };
    },
    accepted: (r) => `reads ${(r as unknown[]).length} complete epochs; the torn last line is skipped`,
  },
  {
    id: 'run-killed',
    area: 'Run directory',
    input: 'manifest says running but its engine process is gone (SIGKILL)',
    make: (dir) => {
      const d = runDir(dir, 'dead', { ...scoreRunManifest('dead', 'running'), pid: 2 ** 22 + 12345 });
      return { run: () => readRun(d) };
    },
    accepted: (r) => {
      const m = (r as { manifest: { status: string; error: string } }).manifest;
      return `reads as ${m.status}: "${m.error}"`;
    },
  },
  // ---------------------------------------------------------------------------------------------------- Score files
  {
    id: 'scores-wrong-length',
    area: 'Score files',
    input: 'score table covers 3 examples, training has 5',
    make: (dir) => {
      const d = runDir(dir, 'short', scoreRunManifest('short'));
      writeScoreTable(path.join(d, 'scores'), 'el2n', { name: 'el2n', index: Int32Array.from([0, 1, 2]), label: Int32Array.from([0, 1, 0]), score: Float32Array.from([0.1, 0.2, 0.3]), perRun: [] });
      const data = { trainIndices: Int32Array.from([0, 1, 2, 3, 4]) } as Parameters<typeof scoresForTraining>[0];
      return { run: () => scoresForTraining(data, d, 'el2n') };
    },
    expect: { file: 'el2n', place: /training example 3/, fix: /score the whole training split/, message: /has no score/ },
  },
  {
    id: 'scores-npy-truncated',
    area: 'Score files',
    input: 'el2n.npy shorter than its header declares',
    make: (dir) => {
      const d = path.join(dir, 'scores');
      writeScoreTable(d, 'el2n', { name: 'el2n', index: Int32Array.from([0, 1, 2]), label: Int32Array.from([0, 1, 0]), score: Float32Array.from([0.1, 0.2, 0.3]), perRun: [] });
      const f = path.join(d, 'el2n.npy');
      fs.truncateSync(f, fs.statSync(f).size - 5);
      return { run: () => readNpy(f) };
    },
    expect: { file: 'el2n.npy', place: /shape \(3\) of <f4 needs 12 data bytes, file has 7/, fix: /truncated\?/, message: /needs/ },
  },
  {
    id: 'scores-parquet-corrupt',
    area: 'Score files',
    input: 'el2n.parquet with its footer overwritten',
    make: (dir) => {
      const d = path.join(dir, 'scores');
      writeScoreTable(d, 'el2n', { name: 'el2n', index: Int32Array.from([0, 1, 2]), label: Int32Array.from([0, 1, 0]), score: Float32Array.from([0.1, 0.2, 0.3]), perRun: [] });
      const f = path.join(d, 'el2n.parquet');
      const b = fs.readFileSync(f);
      b.fill(0x41, b.length - 12, b.length - 4);
      fs.writeFileSync(f, b);
      return { run: () => readScoreTable(d, 'el2n') };
    },
    expect: { file: 'el2n.parquet', place: /footer|metadata|length/i, fix: /rerun the score job/, message: /not a readable score table/ },
  },
  // ---------------------------------------------------------------------------------------------------- Annotations
  {
    id: 'annotations-invalid-json',
    area: 'Annotations',
    input: 'annotations.jsonl with a line cut off mid-object',
    make: (dir) => annotated(dir, [entry({}), '{"id": "e2", "path": "c.png", "act']),
    expect: { file: 'annotations.jsonl:2', place: /:2:/, fix: /delete it, or complete the JSON object/, message: /not valid JSON/ },
  },
  {
    id: 'annotations-unknown-action',
    area: 'Annotations',
    input: 'entry with "action": "delete"',
    make: (dir) => annotated(dir, [entry({ action: 'delete' })]),
    expect: { file: 'annotations.jsonl:1', place: /:1: field "action"/, fix: /set "action" to one of/, message: /"action" must be one of relabel, exclude, ok, flag/ },
  },
  {
    id: 'annotations-relabel-without-label',
    area: 'Annotations',
    input: 'relabel entry without "newLabel"',
    make: (dir) => annotated(dir, [entry({}), entry({ id: 'e2', newLabel: undefined })]),
    expect: { file: 'annotations.jsonl:2', place: /:2: field "newLabel"/, fix: /set "newLabel" to a class index from 0 or a class name/, message: /"relabel" needs "newLabel"/ },
  },
  {
    id: 'annotations-unknown-class',
    area: 'Annotations',
    input: 'relabel to "zebra", not a class of the dataset',
    make: (dir) => annotated(dir, [entry({ newLabel: 'zebra' })]),
    expect: { file: 'annotations.jsonl', place: /entry e1, field "newLabel"/, fix: /relabel to a class index 0\.\.1 or a class name/, message: /label "zebra" is not a class of this dataset \(cat, dog\)/ },
  },
  {
    id: 'annotations-label-out-of-range',
    area: 'Annotations',
    input: 'relabel to class index 7 in a 2-class dataset',
    make: (dir) => annotated(dir, [entry({ newLabel: 7 })]),
    expect: { file: 'annotations.jsonl', place: /entry e1, field "newLabel"/, fix: /relabel to a class index 0\.\.1/, message: /label 7 is outside 0\.\.1/ },
  },
  {
    id: 'annotations-bad-time',
    area: 'Annotations',
    input: 'entry with "time": "yesterday"',
    make: (dir) => annotated(dir, [entry({ time: 'yesterday' })]),
    expect: { file: 'annotations.jsonl:1', place: /:1: field "time"/, fix: /ISO 8601/, message: /"time" must be an ISO date/ },
  },
  {
    id: 'annotations-new-negative-label',
    area: 'Annotations',
    input: 'a new relabel decision with newLabel -1 (e.g. from a script or a stale view)',
    make: (dir) => {
      const file = path.join(dir, 'data', 'annotations.jsonl');
      return { run: () => new AnnotationStore(file).append([{ path: 'b.png', action: 'relabel', newLabel: -1 }]) };
    },
    expect: { file: 'annotations.jsonl', place: /for path:b\.png, field "newLabel"/, fix: /set "newLabel" to a class index from 0/, message: /needs "newLabel" .*got -1; nothing was written/ },
  },
  {
    id: 'annotations-merge-corrupt',
    area: 'Annotations',
    input: 'merging in a second annotations file that has a torn line',
    make: (dir) => {
      const other = write(path.join(dir, 'copy', 'annotations.jsonl'), JSON.stringify(entry({})) + '\n{"id": "e2", "pa');
      const file = path.join(dir, 'data', 'annotations.jsonl');
      return { run: () => new AnnotationStore(file).mergeFrom(other) };
    },
    expect: { file: 'copy/annotations.jsonl', place: /annotations\.jsonl:2:/, fix: /fix those lines first; .*data\/annotations\.jsonl was not changed/, message: /cannot merge, unreadable lines/ },
  },
  {
    id: 'sources-json-escape',
    area: 'Run directory',
    input: 'score run whose predictions/sources.json names ../../etc/passwd, /etc/passwd and a symlink out of the dataset (the review queue and hover read these)',
    make: (dir) => {
      const data = path.dirname(manifestWith(dir, 'labels.csv', 'path,label\na.png,0\nb.png,1\n'));
      const outside = png(path.join(dir, 'outside', 'secret.png'), 4, 4);
      fs.symlinkSync(outside, path.join(data, 'link.png'));
      const sources = [path.join(data, 'a.png'), '../../etc/passwd', '/etc/passwd', path.join(data, 'link.png')];
      const run = path.join(dir, 'runs', 'r1');
      const probs = [new Float32Array(8).fill(0.5)];
      writePredictions(run, summarizePredictions(Int32Array.from([0, 1, 2, 3]), new Int32Array(4), probs, 2, sources), probs);
      const sf = path.join(run, 'predictions', 'sources.json');
      const root = datasetRootOf(`csv:${path.join(data, 'labels.csv')}`)!;
      return { run: () => readPredictions(run)!.sources!.map((src, r) => checkSourcePath(root, src, { file: sf, place: `row ${r}` })) };
    },
    expect: { file: 'sources.json', place: /row 1: image path "\.\.\/\.\.\/etc\/passwd"/, fix: /images are only read from inside the dataset folder/, message: /is outside the dataset folder .*; not read/ },
  },
  {
    id: 'sources-json-torn',
    area: 'Run directory',
    input: 'predictions/sources.json cut off mid-write',
    make: (dir) => {
      const run = path.join(dir, 'runs', 'r1');
      const probs = [new Float32Array(4).fill(0.5)];
      writePredictions(run, summarizePredictions(Int32Array.from([0, 1]), new Int32Array(2), probs, 2, ['a.png', 'b.png']), probs);
      write(path.join(run, 'predictions', 'sources.json'), '["a.png", "b.p');
      return { run: () => readPredictions(run) };
    },
    expect: { file: 'sources.json', place: /JSON|position/, fix: /score the dataset again/, message: /not valid JSON/ },
  },
  {
    id: 'annotations-path-escape',
    area: 'Annotations',
    input: 'entry path ../../etc/passwd (matches no example; nothing outside the dataset is read)',
    make: (dir) => annotated(dir, [entry({ path: '../../etc/passwd', action: 'exclude', newLabel: undefined })]),
    accepted: notes,
  },
  {
    id: 'annotations-bom-crlf',
    area: 'Annotations',
    input: 'UTF-8 BOM and CRLF line ends (tolerated)',
    make: (dir) => annotated(dir, ['\ufeff' + JSON.stringify(entry({})) + '\r', JSON.stringify(entry({ id: 'e2', path: 'c.png', action: 'exclude' })) + '\r']),
    accepted: notes,
  },
  // ---------------------------------------------------------------------------------------------------- Imported files
  {
    id: 'import-not-npy',
    area: 'Imported files',
    input: '--probs names a CSV file, not an .npy',
    make: (dir) => importProbs(dir, 'probs.csv', '0.5,0.5,0\n'),
    expect: { file: 'probs.csv', place: /magic/, fix: /np\.save/, message: /not an NPY file/ },
  },
  {
    id: 'import-npz',
    area: 'Imported files',
    input: '--probs names an .npz archive (np.savez)',
    make: (dir) => importProbs(dir, 'probs.npz', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0])),
    expect: { file: 'probs.npz', place: /\.npz archive/, fix: /np\.save\(path, array/, message: /not an \.npy file/ },
  },
  ...(
    [
      ['import-int64', '<i8', 8, 'int64'],
      ['import-bool', '|b1', 1, 'bool'],
      ['import-float16', '<f2', 2, 'float16'],
      ['import-complex', '<c16', 16, 'complex128'],
      ['import-object', '|O', 8, 'an object array'],
    ] as const
  ).map(
    ([id, descr, size, words]): BadInput => ({
      id,
      area: 'Imported files',
      input: `--probs of dtype ${descr} (${words})`,
      make: (dir) => importProbs(dir, 'probs.npy', npy(descr, [4, 3], new Uint8Array(12 * size))),
      expect: { file: 'probs.npy', place: new RegExp(`dtype '${descr.replace('|', '\\|')}'`), fix: /\.astype\(np\.float32\)/, message: new RegExp(`not supported: ${words}`) },
    }),
  ),
  {
    id: 'import-big-endian',
    area: 'Imported files',
    input: '--probs saved big-endian (>f4)',
    make: (dir) => importProbs(dir, 'probs.npy', npy('>f4', [4, 3], uniform)),
    expect: { file: 'probs.npy', place: />f4/, fix: /astype\('<f4'\)/, message: /big-endian/ },
  },
  {
    id: 'import-fortran-order',
    area: 'Imported files',
    input: '--probs saved in Fortran order (np.asfortranarray): read in row order (tolerated)',
    make: (dir) => importProbs(dir, 'probs.npy', npy('<f4', [4, 3], uniform, true)),
    accepted: importedRows,
  },
  {
    id: 'import-3d',
    area: 'Imported files',
    input: '--probs of shape (4, 3, 1)',
    make: (dir) => importProbs(dir, 'probs.npy', npy('<f4', [4, 3, 1], uniform)),
    expect: { file: 'probs.npy', place: /shape \(4, 3, 1\)/, fix: /reshape/, message: /expected a 1-D or 2-D array/ },
  },
  {
    id: 'import-1d',
    area: 'Imported files',
    input: '--probs of shape (12,): not a matrix',
    make: (dir) => importProbs(dir, 'probs.npy', npy('<f4', [12], uniform)),
    expect: { file: 'probs.npy', place: /shape \(12\)/, fix: /N = 4 \(the training split\) or 6/, message: /is not a matrix/ },
  },
  {
    id: 'import-wrong-rows',
    area: 'Imported files',
    input: '--probs with 5 rows for a dataset of 4 training and 2 test examples',
    make: (dir) => importProbs(dir, 'probs.npy', npy('<f4', [5, 3], rows3(5, [1 / 3, 1 / 3, 1 / 3]))),
    expect: { file: 'probs.npy', place: /5 rows/, fix: /4 \(the training split\) or 6 \(the training split, then the test split\)/, message: /one row per example/ },
  },
  {
    id: 'import-transposed',
    area: 'Imported files',
    input: '--probs of shape (3, 4): classes x examples',
    make: (dir) => importProbs(dir, 'probs.npy', npy('<f4', [3, 4], uniform)),
    expect: { file: 'probs.npy', place: /3 rows/, fix: /save array\.T/, message: /looks transposed/ },
  },
  {
    id: 'import-wrong-classes',
    area: 'Imported files',
    input: '--probs with 2 columns for 3 classes',
    make: (dir) => importProbs(dir, 'probs.npy', npy('<f4', [4, 2], f4(new Array(8).fill(0.5)))),
    expect: { file: 'probs.npy', place: /2 columns/, fix: /one column per class/, message: /3 classes/ },
  },
  {
    id: 'import-nan',
    area: 'Imported files',
    input: '--probs with NaN in rows 1 and 3',
    make: (dir) => importProbs(dir, 'probs.npy', npy('<f4', [4, 3], f4([1, 0, 0, NaN, 0, 1, 0, 1, 0, 0, NaN, 1]))),
    expect: { file: 'probs.npy', place: /row 1/, fix: /must be finite numbers/, message: /holds NaN \(2 of 4 rows do\)/ },
  },
  {
    id: 'import-not-probabilities',
    area: 'Imported files',
    input: '--probs holding logits (values outside 0..1) without --logits',
    make: (dir) => importProbs(dir, 'probs.npy', npy('<f4', [4, 3], rows3(4, [2.5, -1, 0.3]))),
    expect: { file: 'probs.npy', place: /row 0 holds 2\.5/, fix: /pass --logits/, message: /not a probability/ },
  },
  {
    id: 'import-row-sums',
    area: 'Imported files',
    input: '--probs whose rows sum to 0.9',
    make: (dir) => importProbs(dir, 'probs.npy', npy('<f4', [4, 3], rows3(4, [0.3, 0.3, 0.3]))),
    expect: { file: 'probs.npy', place: /row 0 sums to 0\.9/, fix: /--logits/, message: /not 1/ },
  },
  {
    id: 'import-embeddings-rows',
    area: 'Imported files',
    input: '--embeddings with 6 rows for predictions of 4',
    make: (dir) => importProbs(dir, 'probs.npy', npy('<f4', [4, 3], uniform), { embeddings: write(path.join(dir, 'emb.npy'), npy('<f4', [6, 2], f4(new Array(12).fill(0)))) }),
    expect: { file: 'emb.npy', place: /6 rows/, fix: /same rows in the same order/, message: /the predictions have 4/ },
  },
  {
    id: 'import-scores-syntax',
    area: 'Imported files',
    input: '--score el2n.npy (no name=)',
    make: (dir) => importScores(dir, {}, () => ['el2n.npy']),
    expect: { file: 'el2n.npy', place: /--score/, fix: /--score el2n=el2n\.npy/, message: /expected name=file/ },
  },
  {
    id: 'import-scores-reserved',
    area: 'Imported files',
    input: '--score score=s.npy: a name every score table uses for a column',
    make: (dir) => importScores(dir, {}, (d) => [`score=${path.join(d, 's.npy')}`]),
    expect: { file: 's.npy', place: /"score"/, fix: /my_score/, message: /is reserved/ },
  },
  {
    id: 'import-scores-duplicate',
    area: 'Imported files',
    input: '--score a=x.npy --score a=y.npy',
    make: (dir) => importScores(dir, {}, (d) => [`a=${path.join(d, 'x.npy')}`, `a=${path.join(d, 'y.npy')}`]),
    expect: { file: '--score a=', place: /"a"/, fix: /its own name/, message: /given twice/ },
  },
  {
    id: 'import-scores-two-columns',
    area: 'Imported files',
    input: 'a score file of shape (4, 2)',
    make: (dir) => importScores(dir, { 's.npy': npy('<f4', [4, 2], f4(new Array(8).fill(0))) }, (d) => [`s=${path.join(d, 's.npy')}`]),
    expect: { file: 's.npy', place: /shape \(4, 2\)/, fix: /shape \(4,\) or \(4, 1\)/, message: /2 columns/ },
  },
  {
    id: 'import-scores-column',
    area: 'Imported files',
    input: 'a score file of shape (4, 1) (tolerated: one value per example)',
    make: (dir) => importScores(dir, { 's.npy': npy('<f8', [4, 1], new Uint8Array(Float64Array.from([0.1, 0.2, 0.3, 0.4]).buffer)) }, (d) => [`s=${path.join(d, 's.npy')}`]),
    accepted: importedRows,
  },
  {
    id: 'import-scores-inf',
    area: 'Imported files',
    input: 'a score file with an infinite value',
    make: (dir) => importScores(dir, { 's.npy': npy('<f4', [4], f4([0.1, Infinity, 0.3, 0.4])) }, (d) => [`s=${path.join(d, 's.npy')}`]),
    expect: { file: 's.npy', place: /row 1/, fix: /a value of your choosing/, message: /infinite value/ },
  },
];
