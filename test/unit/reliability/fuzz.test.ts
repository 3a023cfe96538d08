/**
 * Property-based fuzzing of every parser of user files: whatever the bytes, a parser either returns or throws its
 * domain error (DataFormatError for datasets, a plain Error naming the file for run and score files); never a
 * TypeError/RangeError from deep inside, never a hang (each test has a time limit). Inputs are random bytes and,
 * more usefully, mutations of valid files (bit flips, truncation, insertions, rewritten header fields), which get
 * past the magic numbers into the real parsing code.
 *
 * Runs per property: FUZZ_RUNS (default 400, a few thousand in all for CI); `npm run fuzz` runs many more.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { DataFormatError } from '../../../src/core/data/dataset';
import { idxPairToDataset, parseIdx } from '../../../src/core/data/idx';
import { cifarRecordSize, decodeCifarRecords, type CifarVariant } from '../../../src/core/data/cifar';
import { decodeImageBuffer } from '../../../src/core/data/decodeImage';
import { decodeManifestText, firstInvalidUtf8, manifestLabels, parseCsvManifest, parseJsonlManifest } from '../../../src/core/data/manifest';
import { readMetrics, readRun } from '../../../src/core/store/runStore';
import { decodeNpy, encodeNpy, readScoreTable, writeScoreTable } from '../../../src/core/store/scoreFiles';
import { tempDir } from '../helpers/paths';
import { parseAnnotations } from '../../../src/core/annotations/annotationStore';
import { applyAnnotations } from '../../../src/core/annotations/apply';
import { entryProblem } from '../../../src/core/annotations/annotationEntry';

const RUNS = Math.max(1, Number(process.env.FUZZ_RUNS) || 400);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
/** Per-test limit: a hang fails the test instead of stalling CI. */
const LIMIT = { timeout: Math.max(120_000, RUNS * 200) };
const params = (scale = 1): fc.Parameters<unknown> => ({ numRuns: Math.max(1, Math.round(RUNS * scale)), ...(SEED !== undefined ? { seed: SEED } : {}) });

let total = 0;
let parsed = 0;
let refused = 0;
process.on('exit', () => process.stderr.write(`fuzz: ${total} cases (FUZZ_RUNS=${RUNS}): ${parsed} parsed, ${refused} refused with the domain error\n`));

/** Runs `fn`; returns normally if it returned or threw an allowed error, rethrows anything else. */
function onlyDomainErrors(fn: () => unknown, file: string, plainErrorsToo = false): void {
  total++;
  try {
    fn();
    parsed++;
  } catch (e) {
    allowDomainError(e, file, plainErrorsToo);
  }
}

/** onlyDomainErrors for an async `fn` (image decoding). */
async function onlyDomainErrorsAsync(fn: () => Promise<unknown>, file: string, plainErrorsToo = false): Promise<void> {
  total++;
  try {
    await fn();
    parsed++;
  } catch (e) {
    allowDomainError(e, file, plainErrorsToo);
  }
}

function allowDomainError(e: unknown, file: string, plainErrorsToo: boolean): void {
  if (e instanceof DataFormatError) {
    assert.ok(e.message.startsWith(file), `error names the file: ${e.message}`);
    refused++;
    return;
  }
  if (plainErrorsToo && (e as Error)?.constructor === Error && (e as Error).message.includes(file)) {
    refused++;
    return;
  }
  throw e;
}

// ------------------------------------------------------------------------------------------------ mutations

type Mutation = { kind: 'flip'; at: number; bit: number } | { kind: 'set'; at: number; value: number } | { kind: 'cut'; at: number } | { kind: 'insert'; at: number; bytes: number[] } | { kind: 'u32'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
  // Header fields are mostly big-endian uint32 (IDX dims, PNG width/height, chunk lengths): rewrite one whole.
  fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.oneof(fc.nat(), fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 65536, 30000)) }),
);

/** Mutations are applied near the start more often, where the headers are. */
function mutate(base: Uint8Array, muts: readonly Mutation[]): Uint8Array {
  let b = Uint8Array.from(base);
  for (const m of muts) {
    if (b.length === 0) break;
    const at = m.at % 3 === 0 ? m.at % Math.min(b.length, 64) : m.at % b.length;
    switch (m.kind) {
      case 'flip':
        b[at] ^= 1 << m.bit;
        break;
      case 'set':
        b[at] = m.value;
        break;
      case 'cut':
        b = b.slice(0, at);
        break;
      case 'insert':
        b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
        break;
      case 'u32':
        if (at + 4 <= b.length) new DataView(b.buffer).setUint32(at, m.value >>> 0, false);
        break;
    }
  }
  return b;
}

const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });
const randomBytes = (max = 256) => fc.uint8Array({ maxLength: max });

// ------------------------------------------------------------------------------------------------ IDX

function idx(dims: number[], data: ArrayLike<number>): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Array.from(data))]);
}
const IDX_IMAGES = idx([3, 4, 4], Array.from({ length: 48 }, (_, i) => i * 5));
const IDX_LABELS = idx([3], [0, 1, 2]);

test('fuzz IDX: random bytes, mutated raw and gzipped files', LIMIT, () => {
  const file = 'fuzz/train-images-idx3-ubyte';
  fc.assert(
    fc.property(fc.oneof(randomBytes(), fc.tuple(fc.constantFrom(IDX_IMAGES, IDX_LABELS), mutations).map(([b, m]) => mutate(b, m))), fc.boolean(), (bytes, gz) => {
      const input = gz ? zlib.gzipSync(bytes) : bytes;
      onlyDomainErrors(() => {
        const a = parseIdx(input, file);
        // Whatever parses must describe itself consistently.
        assert.equal(a.data.length, a.dims.reduce((x, y) => x * y, 1));
      }, file);
    }),
    params(),
  );
});

test('fuzz IDX: gzip streams mutated after compression', LIMIT, () => {
  const file = 'fuzz/t10k-images-idx3-ubyte.gz';
  const gz = zlib.gzipSync(IDX_IMAGES);
  fc.assert(fc.property(mutations, (m) => onlyDomainErrors(() => parseIdx(mutate(gz, m), file), file)), params(0.5));
});

test('fuzz IDX pairs: any dims and labels give a dataset or a DataFormatError', LIMIT, () => {
  const dims = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 5 });
  fc.assert(
    fc.property(dims, fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }), fc.oneof(fc.constant('auto' as const), fc.integer({ min: -2, max: 12 })), (d, labels, numClasses) => {
      const size = d.reduce((a, b) => a * b, 1);
      const images = { dims: d, data: new Uint8Array(size) };
      const lab = { dims: [labels.length], data: Uint8Array.from(labels) };
      onlyDomainErrors(() => {
        const ds = idxPairToDataset(images, lab, 'fuzz/images', 'fuzz/labels', 'fuzz', { numClasses });
        for (const l of ds.labels) assert.ok(l >= 0 && l < ds.numClasses);
      }, 'fuzz/');
    }),
    params(),
  );
});

// ------------------------------------------------------------------------------------------------ CIFAR

test('fuzz CIFAR records: any length and label bytes', LIMIT, () => {
  const file = 'fuzz/data_batch_1.bin';
  fc.assert(
    fc.property(fc.constantFrom<CifarVariant>('cifar10', 'cifar100'), fc.integer({ min: 0, max: 3 }), fc.integer({ min: -3, max: 3 }), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }), (variant, records, extra, labelBytes) => {
      const rec = cifarRecordSize(variant);
      const len = Math.max(0, records * rec + extra);
      const buf = new Uint8Array(len);
      for (let r = 0; r < records; r++) {
        if (r * rec + 1 < len) {
          buf[r * rec] = labelBytes[2 * r];
          buf[r * rec + 1] = labelBytes[2 * r + 1];
        }
      }
      const n = Math.ceil(len / rec) + 1;
      onlyDomainErrors(() => {
        const labels = new Int32Array(n);
        const got = decodeCifarRecords(buf, variant, file, new Uint8Array(n * 3072), labels, 0);
        assert.equal(got * rec, len);
      }, file);
    }),
    params(),
  );
});

// ------------------------------------------------------------------------------------------------ manifests

/** Strings built from the tokens manifests are made of, so quotes, separators and line ends collide often. */
const manifestText = fc
  .array(fc.oneof(fc.constantFrom(',', '"', '""', '\n', '\r\n', '\r', ' ', '\t', 'path', 'label', 'path,label', 'a.png', '../x.png', '/etc/passwd', 'cat', '0', '-1', '1.5', '1e9', '{', '}', '[', ']', ':', '"path":', '"label":', 'null', '\ufeff', '\u0000', 'é', '🐱'), fc.string({ maxLength: 4 })), { maxLength: 40 })
  .map((parts) => parts.join(''));

test('fuzz manifests: CSV and JSONL parsing and label numbering', LIMIT, () => {
  fc.assert(
    fc.property(manifestText, fc.boolean(), (text, isJsonl) => {
      const file = isJsonl ? 'fuzz/labels.jsonl' : 'fuzz/labels.csv';
      onlyDomainErrors(() => {
        const entries = isJsonl ? parseJsonlManifest(text, file) : parseCsvManifest(text, file);
        for (const e of entries) assert.ok(Number.isInteger(e.line) && e.line >= 1 && typeof e.path === 'string' && typeof e.label === 'string');
        if (entries.length === 0) return;
        const { labels, numClasses } = manifestLabels(entries, file);
        for (const l of labels) assert.ok(l >= 0 && l < numClasses);
      }, file);
    }),
    params(2),
  );
});

test('fuzz manifests: JSONL lines from arbitrary JSON values', LIMIT, () => {
  const file = 'fuzz/labels.jsonl';
  const line = fc.oneof(fc.jsonValue(), fc.record({ path: fc.jsonValue(), label: fc.jsonValue() }), fc.record({ path: fc.string(), label: fc.oneof(fc.string(), fc.double(), fc.integer()) }));
  fc.assert(
    fc.property(fc.array(line, { maxLength: 6 }), (values) => {
      const text = values.map((v) => JSON.stringify(v) ?? '').join('\n');
      onlyDomainErrors(() => {
        const entries = parseJsonlManifest(text, file);
        if (entries.length) manifestLabels(entries, file);
      }, file);
    }),
    params(),
  );
});

test('fuzz manifest encoding: the UTF-8 check agrees with a strict decoder on any bytes', LIMIT, () => {
  const file = 'fuzz/labels.csv';
  const strict = new TextDecoder('utf-8', { fatal: true });
  const utf8ish = fc.oneof(randomBytes(64), fc.string({ unit: 'binary', maxLength: 20 }).map((s) => new TextEncoder().encode(s)), fc.tuple(fc.string({ unit: 'binary', maxLength: 20 }), mutations).map(([s, m]) => mutate(new TextEncoder().encode(s + 'x'), m)));
  fc.assert(
    fc.property(utf8ish, (bytes) => {
      let valid = true;
      try {
        strict.decode(bytes);
      } catch {
        valid = false;
      }
      assert.equal(firstInvalidUtf8(bytes) < 0, valid, `bytes ${Buffer.from(bytes).toString('hex')}`);
      onlyDomainErrors(() => decodeManifestText(bytes, file), file);
    }),
    params(2),
  );
});

// ------------------------------------------------------------------------------------------------ images

function pngBytes(w: number, h: number, colorType: 0 | 2 | 6): Uint8Array {
  const p = new PNG({ width: w, height: h, colorType, inputColorType: 6, inputHasAlpha: true });
  for (let i = 0; i < p.data.length; i++) p.data[i] = (i * 31) & 255;
  return PNG.sync.write(p, { colorType, inputColorType: 6, inputHasAlpha: true });
}
const IMAGES = [pngBytes(5, 4, 6), pngBytes(4, 4, 0), pngBytes(3, 6, 2), jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(256, 77) }, 80).data, jpeg.encode({ width: 5, height: 3, data: Buffer.from(Array.from({ length: 60 }, (_, i) => (i * 40) & 255)) }, 50).data];

test('fuzz image decoding: mutated PNG and JPEG files, random bytes', LIMIT, async () => {
  const file = 'fuzz/cat/0.png';
  await fc.assert(
    fc.asyncProperty(fc.oneof(randomBytes(), fc.tuple(fc.constantFrom(...IMAGES), mutations).map(([b, m]) => mutate(b, m))), async (bytes) => {
      await onlyDomainErrorsAsync(async () => {
        const img = await decodeImageBuffer(bytes, file);
        assert.equal(img.data.length, img.width * img.height * img.channels);
      }, file);
    }),
    params(),
  );
});

// ------------------------------------------------------------------------------------------------ run and score files

const VALID_MANIFEST = {
  schema: 1,
  id: 'r1',
  kind: 'train',
  status: 'done',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  config: { dataset: 'mnist' },
  seeds: {},
  versions: {},
  timings: { startedAt: '2026-12-01T00:00:00.000Z' },
};

test('fuzz run manifests and metrics: readRun reports a problem or a well-formed manifest, never throws', LIMIT, () => {
  const dir = tempDir('fuzz-run');
  const mutatedJson = fc.tuple(fc.constant(new TextEncoder().encode(JSON.stringify(VALID_MANIFEST))), mutations).map(([b, m]) => Buffer.from(mutate(b, m)).toString('utf8'));
  const fieldSwap = fc.tuple(fc.constantFrom(...Object.keys(VALID_MANIFEST), 'pid', 'error', 'dataset', 'results'), fc.jsonValue()).map(([k, v]) => JSON.stringify({ ...VALID_MANIFEST, [k]: v }));
  try {
    fc.assert(
      fc.property(fc.oneof(mutatedJson, fieldSwap, fc.jsonValue().map((v) => JSON.stringify(v)), fc.string()), manifestText, (text, metrics) => {
        total++;
        fs.writeFileSync(path.join(dir, 'manifest.json'), text);
        fs.writeFileSync(path.join(dir, 'metrics.jsonl'), metrics);
        const r = readRun(dir);
        if (r.manifest) {
          // What the CLI listing and the runs view do with it.
          const m = r.manifest;
          assert.ok([m.id, m.kind, m.status, m.timings.startedAt].every((s) => typeof s === 'string'));
          assert.equal(typeof m.config, 'object');
        } else assert.match(r.problem!, /manifest\.json/);
        assert.ok(Array.isArray(readMetrics(dir)));
      }),
      params(),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('fuzz score files: mutated .npy and random bytes', LIMIT, () => {
  const file = 'fuzz/scores/el2n.npy';
  const valid = encodeNpy(Float32Array.from([0.5, 1.5, -2, 3]));
  fc.assert(
    fc.property(fc.oneof(randomBytes(), fc.tuple(fc.constant(valid), mutations).map(([b, m]) => mutate(b, m))), (bytes) => {
      onlyDomainErrors(() => {
        const a = decodeNpy(bytes, file);
        assert.equal(a.data.length, a.shape.reduce((x, y) => x * y, 1));
      }, file, true);
    }),
    params(),
  );
});

test('fuzz score files: mutated .parquet tables', LIMIT, () => {
  const dir = tempDir('fuzz-parquet');
  const n = 6;
  writeScoreTable(dir, 'el2n', { name: 'el2n', index: Int32Array.from({ length: n }, (_, i) => i), label: Int32Array.from({ length: n }, (_, i) => i % 3), score: Float32Array.from({ length: n }, (_, i) => i / 7), perRun: [Float32Array.from({ length: n }, (_, i) => i)] });
  const file = path.join(dir, 'el2n.parquet');
  const valid = fs.readFileSync(file);
  try {
    fc.assert(
      fc.property(mutations, (m) => {
        fs.writeFileSync(file, mutate(valid, m));
        onlyDomainErrors(() => readScoreTable(dir, 'el2n'), file, true);
      }),
      params(0.5),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------------------------------------------ annotations

test('fuzz annotations.jsonl: bad lines are reported by line, good ones applied; only the domain errors', LIMIT, () => {
  const file = 'fuzz/annotations.jsonl';
  const ds = { labels: Int32Array.from([0, 1, 0, 1]), numClasses: 2, classNames: ['cat', 'dog'], sources: ['/d/a.png', '/d/b.png', '/d/c.png', '/d/d.png'] };
  const value = fc.oneof(fc.jsonValue(), fc.constantFrom('cat', 'dog', 'zebra', 'a.png', '../a.png', '', -1, 0, 1, 2, 1.5, null, '2026-12-01T00:00:00Z'));
  const entryLike = fc.record(
    { id: fc.oneof(fc.string({ maxLength: 3 }), value), path: value, index: value, action: fc.oneof(fc.constantFrom('relabel', 'exclude', 'ok', 'flag'), value), newLabel: value, originalLabel: value, time: fc.oneof(fc.constant('2026-12-01T00:00:00Z'), value) },
    { requiredKeys: [] },
  );
  const line = fc.oneof(entryLike.map((e) => JSON.stringify(e)), manifestText);
  fc.assert(
    fc.property(fc.array(line, { maxLength: 6 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
      total++;
      const read = parseAnnotations(lines.join(eol), file);
      for (const p of read.problems) assert.ok(p.file === file && p.line >= 1 && p.line <= lines.join(eol).split('\n').length && p.message.length > 0);
      for (const e of read.entries) assert.equal(entryProblem(e), undefined);
      try {
        const a = applyAnnotations(ds, read.entries, '/d', file);
        for (const l of a.labels) assert.ok(l === 0 || l === 1);
        parsed++;
      } catch (e) {
        if (!(e instanceof DataFormatError && e.message.startsWith(`${file}: entry `) && e.fix)) throw e;
        refused++;
      }
    }),
    params(),
  );
});
