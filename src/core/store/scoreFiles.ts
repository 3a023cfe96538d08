/**
 * On-disk score format: each score of a run lives in <runDir>/scores/ (the `dir` below) as
 *   <name>.npy      float32 (N,): the score column, rows in dataset order (ascending dataset index). Exactly what
 *                   numpy.save writes, byte for byte, and what the Data Diet reference code saves, so its analysis
 *                   scripts work as is. Over the full training set, npy[i] is dataset example i.
 *   <name>.parquet  one row per example: index, label, score (mean over runs), run_0..run_{R-1}, extra columns.
 *                   Written with hyparquet-writer (pure JS); pandas, polars, DuckDB and Arrow read it.
 *   <name>.csv      the same table as text, only when asked for (opts.csv).
 * See docs/score-format.md. Each file is written atomically (temp + rename), so a crash never leaves a torn
 * file; the three are written one after another, so a crash between them can leave an older sibling.
 */
import { InputError } from '../inputError';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import { parquetMetadata, parquetSchema, type DecodedArray } from 'hyparquet';
import { writeFileAtomic } from './atomicWrite';

// hyparquet's public readers are promise-based even for in-memory bytes; its page decoder underneath is
// synchronous and published as the "./src/*.js" subpath (typed in ./types). TypeScript's node10 resolution
// does not see subpath exports, hence require plus the published declarations.
const { readColumn } = require('hyparquet/src/column.js') as typeof import('hyparquet/types/column');
const { DEFAULT_PARSERS } = require('hyparquet/src/convert.js') as typeof import('hyparquet/types/convert');

export interface ScoreTable {
  name: string;
  /** Dataset index of each row, strictly increasing (dataset order). */
  index: Int32Array;
  label: Int32Array;
  /** The score itself, usually the mean over runs. */
  score: Float32Array;
  /** Per-run scores, one array per run, rows aligned with `index`. */
  perRun: Float32Array[];
  /** Further per-example float columns, e.g. first_learned_epoch. */
  extra?: Record<string, Float32Array>;
}

export interface ScoreFilePaths {
  parquet: string;
  npy: string;
  csv: string;
}

/** Bumped if the table layout changes incompatibly; recorded in the parquet key-value metadata. */
const FORMAT_VERSION = '1';
const RESERVED = /^(index|label|score|run_\d+)$/;
// Names end up in file names and CSV headers: keep them to characters that need no quoting anywhere.
const SCORE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `name` can name a score table (it becomes a file name and a CSV header). */
export function isScoreName(name: string): boolean {
  return SCORE_NAME.test(name);
}

/** Where a run's score files live. */
export function scoresDir(runDir: string): string {
  return path.join(runDir, 'scores');
}

/** The files of score `name` in `dir` (a run's scores folder). */
export function scoreFilePaths(dir: string, name: string): ScoreFilePaths {
  if (!SCORE_NAME.test(name)) {
    throw new RangeError(`score name "${name}" is not a valid file name (letters, digits, _ . -; not starting with . or -)`);
  }
  const base = path.join(dir, name);
  return { parquet: `${base}.parquet`, npy: `${base}.npy`, csv: `${base}.csv` };
}

// ---------------------------------------------------------------------------------------------------------------
// NPY

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const NPY_ALIGN = 64;
// numpy leaves room for the growth axis to reach this many digits, so the header can be rewritten in place.
const NPY_GROWTH_AXIS_MAX_DIGITS = 21;

/**
 * A float32 array as NPY v1.0 bytes, identical to numpy.save's output (numpy >= 1.17 header padding): header dict,
 * spare spaces for the growth axis (the first, in C order) to grow, then spaces and '\n' up to a multiple of 64
 * bytes. `shape` defaults to (N,); a 2-D shape is row-major (C order), e.g. (N, C) probabilities.
 */
export function encodeNpy(values: Float32Array, shape: readonly number[] = [values.length]): Uint8Array {
  const n = values.length;
  if (shape.reduce((a, b) => a * b, 1) !== n) throw new RangeError(`encodeNpy: shape (${shape.join(', ')}) does not hold ${n} values`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  header += ' '.repeat(Math.max(0, NPY_GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  const hlen = header.length + 1;
  // Like numpy: a header that is already aligned still gets a full 64 bytes of padding.
  const pad = NPY_ALIGN - ((NPY_MAGIC.length + 2 + 2 + hlen) % NPY_ALIGN);
  header += ' '.repeat(pad) + '\n';
  const headerStart = NPY_MAGIC.length + 4;
  const out = new Uint8Array(headerStart + header.length + n * 4);
  out.set(NPY_MAGIC, 0);
  out[6] = 1; // version 1.0
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[headerStart + i] = header.charCodeAt(i);
  const dataStart = headerStart + header.length;
  for (let i = 0; i < n; i++) view.setFloat32(dataStart + i * 4, values[i], true);
  return out;
}

export function writeNpy(file: string, values: Float32Array, shape?: readonly number[]): void {
  writeFileAtomic(file, encodeNpy(values, shape));
}

export interface NpyArray {
  dtype: 'float32' | 'float64';
  /** [N] or [rows, cols]. */
  shape: number[];
  /** Row-major (C order) values, whatever the file's order. */
  data: Float32Array | Float64Array;
}

/** Parses NPY bytes (versions 1-3, '<f4' or '<f8', 1-D or 2-D, C or Fortran order); `file` names the source in errors. */
export function decodeNpy(bytes: Uint8Array, file = '<buffer>'): NpyArray {
  const fail = (why: string): never => {
    throw new Error(`${file}: ${why}`);
  };
  if (bytes.length < 10 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) fail('not an NPY file (missing \\x93NUMPY magic)');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unsupported NPY version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > bytes.length) fail('truncated NPY header');
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + 8 + lenBytes, headerLen).toString(major === 3 ? 'utf8' : 'latin1');

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1] ?? fail(`NPY header has no 'descr': ${header.trim()}`);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1] ?? fail(`NPY header has no 'fortran_order': ${header.trim()}`);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? fail(`NPY header has no 'shape': ${header.trim()}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^\d+L?$/.test(s) ? parseInt(s, 10) : fail(`bad NPY shape (${shapeText})`)));

  if (descr !== '<f4' && descr !== '<f8') {
    fail(descr === '>f4' || descr === '>f8' ? `big-endian data (${descr}) is not supported; save with astype('<f4')` : `dtype '${descr}' is not supported${dtypeWords(descr)} (only float32 '<f4' and float64 '<f8')`);
  }
  if (shape.length !== 1 && shape.length !== 2) fail(`expected a 1-D or 2-D array, got shape (${shape.join(', ')})`);
  const itemSize = descr === '<f4' ? 4 : 8;
  const count = shape.reduce((a, b) => a * b, 1);
  const have = bytes.length - dataStart;
  if (have !== count * itemSize) {
    fail(`shape (${shape.join(', ')}) of ${descr} needs ${count * itemSize} data bytes, file has ${have}${have < count * itemSize ? ' (truncated?)' : ''}`);
  }

  const data = itemSize === 4 ? new Float32Array(count) : new Float64Array(count);
  const base = dataStart;
  // DataView reads are endian-explicit and need no alignment, unlike a typed-array view onto a pooled Buffer.
  const read = itemSize === 4 ? (i: number) => view.getFloat32(base + i * 4, true) : (i: number) => view.getFloat64(base + i * 8, true);
  if (fortran === 'True' && shape.length === 2) {
    const [rows, cols] = shape;
    for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) data[r * cols + c] = read(c * rows + r);
  } else {
    for (let i = 0; i < count; i++) data[i] = read(i);
  }
  return { dtype: itemSize === 4 ? 'float32' : 'float64', shape, data };
}

/** ": int64 values", ": an object array (...)" for an NPY type string, so a refusal reads plainly. */
function dtypeWords(descr: string): string {
  const m = /^[<>|=]?([biufcOUSV])(\d*)$/.exec(descr);
  if (!m) return '';
  const size = Number(m[2] || 0);
  switch (m[1]) {
    case 'b':
      return ': bool values';
    case 'i':
      return `: int${size * 8} values`;
    case 'u':
      return `: uint${size * 8} values`;
    case 'f':
      return `: float${size * 8} values`;
    case 'c':
      return `: complex${size * 8} values`;
    case 'O':
      return ': an object array (pickled Python objects, not numbers)';
    default:
      return ': text or records, not numbers';
  }
}

export function readNpy(file: string): NpyArray {
  return decodeNpy(fs.readFileSync(file), file);
}

// ---------------------------------------------------------------------------------------------------------------
// Table validation and layout

/** Columns in file order: index, label, score, run_0.., extras. */
function tableColumns(t: ScoreTable): { name: string; data: Int32Array | Float32Array; int: boolean }[] {
  return [
    { name: 'index', data: t.index, int: true },
    { name: 'label', data: t.label, int: true },
    { name: 'score', data: t.score, int: false },
    ...t.perRun.map((data, r) => ({ name: `run_${r}`, data, int: false })),
    ...Object.entries(t.extra ?? {}).map(([name, data]) => ({ name, data, int: false })),
  ];
}

function validateTable(name: string, t: ScoreTable): void {
  const where = `score table "${name}"`;
  if (t.name !== name) throw new RangeError(`${where}: table.name is "${t.name}"; it must match the file name`);
  const n = t.index.length;
  type Expect = [string, unknown, typeof Int32Array | typeof Float32Array];
  const expect: Expect[] = [
    ['index', t.index, Int32Array],
    ['label', t.label, Int32Array],
    ['score', t.score, Float32Array],
    ...t.perRun.map((c, r): Expect => [`run_${r}`, c, Float32Array]),
    ...Object.entries(t.extra ?? {}).map(([k, c]): Expect => [k, c, Float32Array]),
  ];
  for (const [col, data, type] of expect) {
    if (!(data instanceof type)) throw new TypeError(`${where}: column "${col}" must be a ${type.name}`);
    const len = (data as ArrayLike<number>).length;
    if (len !== n) throw new RangeError(`${where}: column "${col}" has ${len} values, column "index" has ${n}`);
  }
  for (const col of Object.keys(t.extra ?? {})) {
    if (RESERVED.test(col)) throw new RangeError(`${where}: extra column "${col}" clashes with a built-in column name`);
    if (!COLUMN_NAME.test(col)) throw new RangeError(`${where}: extra column name "${col}" must match ${COLUMN_NAME} (it becomes a CSV header)`);
  }
  // The .npy has no index column: its rows are only meaningful if they follow the dataset order.
  for (let r = 0; r < n; r++) {
    const i = t.index[r];
    if (i < 0) throw new RangeError(`${where}: index ${i} at row ${r} is negative`);
    if (r > 0 && i <= t.index[r - 1]) {
      throw new RangeError(`${where}: index must be strictly increasing (dataset order, no duplicates); row ${r} has ${i} after ${t.index[r - 1]}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// CSV

/** Shortest decimal that reads back to the same float32 (JS's String() would print the float64 expansion). */
function formatFloat32(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  for (let p = 1; p < 9; p++) {
    const v = Number(x.toPrecision(p));
    if (Math.fround(v) === x) return String(v);
  }
  return String(Number(x.toPrecision(9)));
}

/** The table as CSV text: header index,label,score,run_0,...,extras; floats as shortest float32 decimals. */
export function scoreTableCsv(t: ScoreTable): string {
  const cols = tableColumns(t);
  const lines = [cols.map((c) => c.name).join(',')];
  const n = t.index.length;
  const cells = new Array<string>(cols.length);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < cols.length; c++) cells[c] = cols[c].int ? String(cols[c].data[r]) : formatFloat32(cols[c].data[r]);
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------------
// Write / read

/**
 * Writes <dir>/<name>.npy and .parquet (and .csv with opts.csv; without it a stale <name>.csv from an earlier
 * write is removed so it cannot disagree with the new table). `dir` is a run's scores folder (scoresDir(runDir)).
 */
export function writeScoreTable(dir: string, name: string, table: ScoreTable, opts: { csv?: boolean } = {}): ScoreFilePaths {
  const files = scoreFilePaths(dir, name);
  validateTable(name, table);
  writeNpy(files.npy, table.score);
  // Float columns PLAIN: hyparquet-writer's dictionary encoder keys values with a Map, which merges -0 and +0.
  // Scores are nearly all distinct anyway, so a dictionary would not save space.
  const columnData: ColumnSource[] = tableColumns(table).map((c) =>
    c.int ? { name: c.name, data: c.data, type: 'INT32', nullable: false } : { name: c.name, data: c.data, type: 'FLOAT', nullable: false, encoding: 'PLAIN' },
  );
  const parquet = parquetWriteBuffer({
    columnData,
    kvMetadata: [
      { key: 'datadiet.score_name', value: name },
      { key: 'datadiet.format_version', value: FORMAT_VERSION },
    ],
    createdBy: 'datadiet',
  });
  writeFileAtomic(files.parquet, new Uint8Array(parquet));
  if (opts.csv) writeFileAtomic(files.csv, scoreTableCsv(table));
  else fs.rmSync(files.csv, { force: true });
  return files;
}

/** Column values as Int32Array; refuses nulls and non-integers (a file written by something else). */
function toInt32(file: string, col: string, data: ArrayLike<unknown>): Int32Array {
  if (data instanceof Int32Array) return data;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    const x = typeof v === 'bigint' ? Number(v) : v;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < -2147483648 || x > 2147483647) {
      throw new Error(`${file}: column "${col}" row ${i}: expected a 32-bit integer, got ${String(v)}`);
    }
    out[i] = x;
  }
  return out;
}

/** Column values as Float32Array; nulls (from nullable columns written elsewhere) become NaN. */
function toFloat32(file: string, col: string, data: ArrayLike<unknown>): Float32Array {
  if (data instanceof Float32Array) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === null || v === undefined) out[i] = NaN;
    else if (typeof v === 'number' || typeof v === 'bigint') out[i] = Number(v);
    else throw new Error(`${file}: column "${col}" row ${i}: expected a number, got ${String(v)}`);
  }
  return out;
}

/** Decodes every flat column of a parquet file held in memory, synchronously; row groups concatenated. */
function readParquetColumns(bytes: ArrayBuffer): Map<string, ArrayLike<unknown>> {
  const metadata = parquetMetadata(bytes);
  const tree = parquetSchema(metadata);
  const numRows = Number(metadata.num_rows);
  // Columns come from the schema, not the row groups: a file with zero rows may have no row group at all.
  const parts = new Map<string, DecodedArray[]>(tree.children.map((c) => [c.element.name, []]));
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupRows = Number(group.num_rows);
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta || chunk.file_path) throw new Error('column chunks stored outside the file are not supported');
      const node = meta.path_in_schema.length === 1 ? tree.children.find((c) => c.element.name === meta.path_in_schema[0]) : undefined;
      if (!node || node.children.length > 0) throw new Error(`nested column "${meta.path_in_schema.join('.')}" is not supported`);
      // The same byte range hyparquet's own reader fetches for a whole column chunk.
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      const reader = { view: new DataView(bytes.slice(start, end)), offset: 0 };
      const decoder = { pathInSchema: meta.path_in_schema, type: meta.type, element: node.element, schemaPath: [tree, node], codec: meta.codec, parsers: DEFAULT_PARSERS };
      const { data } = readColumn(reader, { groupStart, selectStart: 0, selectEnd: groupRows, groupRows }, decoder);
      const list = parts.get(node.element.name) ?? [];
      list.push(...data);
      parts.set(node.element.name, list);
    }
    groupStart += groupRows;
  }
  const columns = new Map<string, ArrayLike<unknown>>();
  for (const [name, list] of parts) {
    const length = list.reduce((a, d) => a + d.length, 0);
    if (length !== numRows) throw new Error(`column "${name}" has ${length} values for ${numRows} rows`);
    if (list.length === 0) {
      columns.set(name, []);
      continue;
    }
    if (list.length === 1) {
      columns.set(name, list[0]);
      continue;
    }
    // Several row groups or pages: concatenate, as a typed array when the parts are (what we write).
    const typed = list.every((d) => d instanceof Float32Array) ? new Float32Array(length) : list.every((d) => d instanceof Int32Array) ? new Int32Array(length) : undefined;
    if (typed) {
      let at = 0;
      for (const d of list) {
        typed.set(d as ArrayLike<number>, at);
        at += d.length;
      }
      columns.set(name, typed);
      continue;
    }
    const all = new Array<unknown>(length);
    let at = 0;
    for (const d of list) for (let i = 0; i < d.length; i++) all[at++] = d[i];
    columns.set(name, all);
  }
  return columns;
}

/** "this run has: el2n, grand" for a missing table's error: the names the user can pick from. */
function tablesIn(dir: string): string {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).map((f) => f.slice(0, -'.parquet'.length)).sort();
  } catch {
    /* no scores folder: said below */
  }
  return names.length ? `this run has: ${names.join(', ')}` : `${dir} holds no score tables`;
}

/** Reads <dir>/<name>.parquet back into a ScoreTable. */
export function readScoreTable(dir: string, name: string): ScoreTable {
  const { parquet: file } = scoreFilePaths(dir, name);
  if (!fs.existsSync(file)) throw new InputError(`score table "${name}" not found: ${file} (${tablesIn(dir)})`);
  const buf = fs.readFileSync(file);
  const bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  let columns: Map<string, ArrayLike<unknown>>;
  try {
    columns = readParquetColumns(bytes);
  } catch (e) {
    throw new Error(`${file}: not a readable score table: ${(e as Error).message} (the file is damaged; rerun the score job to rewrite it)`);
  }
  const names = [...columns.keys()];
  for (const required of ['index', 'label', 'score']) {
    if (!columns.has(required)) throw new Error(`${file}: missing column "${required}" (has: ${names.join(', ')})`);
  }
  const runCols = names
    .filter((n) => /^run_\d+$/.test(n))
    .map((n) => Number(n.slice(4)))
    .sort((a, b) => a - b);
  runCols.forEach((r, k) => {
    if (r !== k) throw new Error(`${file}: per-run columns must be run_0..run_${runCols.length - 1} without gaps; run_${k} is missing`);
  });
  const float = (col: string) => toFloat32(file, col, columns.get(col)!);
  const table: ScoreTable = {
    name,
    index: toInt32(file, 'index', columns.get('index')!),
    label: toInt32(file, 'label', columns.get('label')!),
    score: float('score'),
    perRun: runCols.map((r) => float(`run_${r}`)),
  };
  const extraNames = names.filter((n) => !RESERVED.test(n));
  if (extraNames.length > 0) table.extra = Object.fromEntries(extraNames.map((n) => [n, float(n)]));
  return table;
}
