import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { decodeNpy, encodeNpy, readNpy, readScoreTable, scoreFilePaths, scoresDir, scoreTableCsv, writeNpy, writeScoreTable, type ScoreTable } from '../../../../src/core/store/scoreFiles';
import { makeRng } from '../../../../src/core/random';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'datadiet-scores-'));

function python(code: string, ...args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('/usr/bin/python3', ['-c', code, ...args], { encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout ?? '', err: r.stderr ?? String(r.error ?? '') };
}
const hasNumpy = python('import numpy').ok;
const hasPandasParquet = python('import pandas, pyarrow').ok;

/** A table like a scoring job writes: a subset of the dataset, R runs, one extra column, some awkward values. */
function makeTable(n: number, runs: number, seed = 1): ScoreTable {
  const rng = makeRng(seed);
  const index = new Int32Array(n);
  for (let r = 0, i = 0; r < n; r++) index[r] = i += 1 + rng.int(3);
  const perRun = Array.from({ length: runs }, () => Float32Array.from({ length: n }, () => rng.next() * 2 - 0.5));
  const score = Float32Array.from({ length: n }, (_, r) => perRun.reduce((a, p) => a + p[r], 0) / Math.max(1, runs));
  if (n > 3) {
    score[0] = NaN;
    score[1] = Infinity;
    score[2] = -0;
    score[3] = 1e-42; // subnormal float32
  }
  return {
    name: 'el2n',
    index,
    label: Int32Array.from({ length: n }, () => rng.int(10)),
    score,
    perRun,
    extra: { first_learned_epoch: Float32Array.from({ length: n }, () => rng.int(5) - 1) },
  };
}

function sameFloats(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  // Object.is so NaN equals NaN and -0 differs from 0: the bits must survive.
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

function sameTable(got: ScoreTable, want: ScoreTable): void {
  assert.equal(got.name, want.name);
  assert.deepEqual(got.index, want.index);
  assert.deepEqual(got.label, want.label);
  sameFloats(got.score, want.score, 'score');
  assert.equal(got.perRun.length, want.perRun.length);
  got.perRun.forEach((r, k) => sameFloats(r, want.perRun[k], `run_${k}`));
  assert.deepEqual(Object.keys(got.extra ?? {}), Object.keys(want.extra ?? {}));
  for (const [k, v] of Object.entries(want.extra ?? {})) sameFloats(got.extra![k], v, k);
}

// ---------------------------------------------------------------------------------------------------------------
// NPY

test('encodeNpy writes NPY 1.0 with the exact numpy header, 64-byte aligned', () => {
  const bytes = encodeNpy(Float32Array.from([1, -2.5, 3]));
  assert.deepEqual(Array.from(bytes.subarray(0, 8)), [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const hlen = bytes[8] | (bytes[9] << 8);
  assert.equal((10 + hlen) % 64, 0);
  const header = Buffer.from(bytes.subarray(10, 10 + hlen)).toString('latin1');
  assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3,\), \} +\n$/);
  assert.equal(bytes.length, 10 + hlen + 12);
  assert.equal(Buffer.from(bytes).readFloatLE(10 + hlen + 4), -2.5);
});

test('encodeNpy writes a 2-D (N, C) array in C order with numpy\'s header, and refuses a shape that does not fit', () => {
  const bytes = encodeNpy(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
  const hlen = bytes[8] | (bytes[9] << 8);
  assert.equal((10 + hlen) % 64, 0);
  assert.match(Buffer.from(bytes.subarray(10, 10 + hlen)).toString('latin1'), /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} +\n$/);
  const back = decodeNpy(bytes);
  assert.deepEqual(back.shape, [2, 3]);
  assert.deepEqual(Array.from(back.data), [1, 2, 3, 4, 5, 6]);
  assert.throws(() => encodeNpy(new Float32Array(5), [2, 3]), /does not hold 5 values/);
});

test('NPY round trip keeps every bit (NaN, infinities, -0, subnormals), including N = 0', () => {
  for (const values of [Float32Array.from([NaN, Infinity, -Infinity, -0, 1e-42, 3.4e38, 0.1]), new Float32Array(0)]) {
    const back = decodeNpy(encodeNpy(values));
    assert.equal(back.dtype, 'float32');
    assert.deepEqual(back.shape, [values.length]);
    sameFloats(back.data as Float32Array, values, 'npy');
  }
});

/** NPY bytes with any header, for the formats numpy can write but encodeNpy does not. */
function npyWith(header: string, data: Uint8Array, version = 1): Uint8Array {
  const lenBytes = version === 1 ? 2 : 4;
  let h = header;
  while ((8 + lenBytes + h.length + 1) % 64 !== 0) h += ' ';
  h += '\n';
  const out = new Uint8Array(8 + lenBytes + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, h.length, true);
  else view.setUint32(8, h.length, true);
  out.set(Buffer.from(h, 'latin1'), 8 + lenBytes);
  out.set(data, 8 + lenBytes + h.length);
  return out;
}
const f64 = (...v: number[]) => new Uint8Array(Float64Array.from(v).buffer);

test('readNpy reads float64 and 2-D arrays, Fortran order returned row-major, NPY 2.0 too', () => {
  const c = decodeNpy(npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", f64(1, 2, 3, 4, 5, 6)));
  assert.equal(c.dtype, 'float64');
  assert.deepEqual(c.shape, [2, 3]);
  assert.deepEqual(Array.from(c.data), [1, 2, 3, 4, 5, 6]);
  const f = decodeNpy(npyWith("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", f64(1, 4, 2, 5, 3, 6)));
  assert.deepEqual(Array.from(f.data), [1, 2, 3, 4, 5, 6]);
  const v2 = decodeNpy(npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f64(7, 8), 2));
  assert.deepEqual(Array.from(v2.data), [7, 8]);
});

test('readNpy errors name the file and the problem', () => {
  const dir = tmp();
  const file = path.join(dir, 'bad.npy');
  const cases: [Uint8Array, RegExp][] = [
    [Buffer.from('not numpy at all'), /bad\.npy: not an NPY file/],
    [npyWith("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(8)), /bad\.npy: dtype '<i4' is not supported/],
    [npyWith("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(8)), /bad\.npy: big-endian/],
    [npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 2), }", new Uint8Array(8)), /bad\.npy: expected a 1-D or 2-D array, got shape \(1, 1, 2\)/],
    [npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", new Uint8Array(4)), /expected a 1-D or 2-D array/],
    [npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(8)), /bad\.npy: .*needs 12 data bytes, file has 8 \(truncated\?\)/],
  ];
  for (const [bytes, re] of cases) {
    fs.writeFileSync(file, bytes);
    assert.throws(() => readNpy(file), re);
  }
});

test('numpy writes exactly the bytes encodeNpy writes and np.load reads ours back', (t) => {
  if (!hasNumpy) return t.skip('numpy not available to /usr/bin/python3 (apt-get install python3-numpy)');
  const dir = tmp();
  for (const n of [0, 1, 5, 1000, 123457]) {
    const values = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) * 10 ** ((i % 7) - 3)));
    const ours = path.join(dir, `ours_${n}.npy`);
    const theirs = path.join(dir, `theirs_${n}.npy`);
    writeNpy(ours, values);
    const r = python(
      'import sys, numpy as np\na = np.load(sys.argv[1])\nassert a.dtype == np.float32 and a.shape == (int(sys.argv[3]),), (a.dtype, a.shape)\nnp.save(sys.argv[2], a)',
      ours,
      theirs,
      String(n),
    );
    assert.ok(r.ok, r.err);
    assert.deepEqual(fs.readFileSync(theirs), fs.readFileSync(ours), `np.save(np.load(ours)) is byte-identical for N = ${n}`);
  }
});

test('readNpy reads what numpy writes: float64 2-D in C and Fortran order', (t) => {
  if (!hasNumpy) return t.skip('numpy not available to /usr/bin/python3 (apt-get install python3-numpy)');
  const dir = tmp();
  const r = python(
    'import sys, numpy as np\na = np.arange(12, dtype=np.float64).reshape(3, 4) / 8\nnp.save(sys.argv[1] + "/c.npy", a)\nnp.save(sys.argv[1] + "/f.npy", np.asfortranarray(a))\nnp.save(sys.argv[1] + "/s.npy", np.float32([0.1, np.nan, -np.inf]))',
    dir,
  );
  assert.ok(r.ok, r.err);
  const want = Array.from({ length: 12 }, (_, i) => i / 8);
  for (const f of ['c', 'f']) {
    const a = readNpy(path.join(dir, `${f}.npy`));
    assert.deepEqual(a.shape, [3, 4]);
    assert.deepEqual(Array.from(a.data), want, f);
  }
  sameFloats(readNpy(path.join(dir, 's.npy')).data as Float32Array, Float32Array.from([0.1, NaN, -Infinity]), 's');
});

// ---------------------------------------------------------------------------------------------------------------
// Score tables

test('writeScoreTable writes .npy and .parquet atomically; readScoreTable returns the same table', () => {
  const runDir = tmp();
  const dir = scoresDir(runDir);
  const table = makeTable(40, 3);
  const files = writeScoreTable(dir, 'el2n', table);
  assert.deepEqual(files, scoreFilePaths(dir, 'el2n'));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['el2n.npy', 'el2n.parquet'], 'no temp files, no csv unless asked');
  sameTable(readScoreTable(dir, 'el2n'), table);
  sameFloats(readNpy(files.npy).data as Float32Array, table.score, 'npy = score column in row (dataset) order');
});

test('large tables (several row groups and pages) round-trip', () => {
  const dir = tmp();
  const table = makeTable(250_000, 4, 9);
  writeScoreTable(dir, 'el2n', table);
  sameTable(readScoreTable(dir, 'el2n'), table);
});

test('zero runs, no extras and zero rows all round-trip', () => {
  const dir = tmp();
  const noRuns = { ...makeTable(10, 0), extra: undefined };
  writeScoreTable(dir, 'el2n', noRuns);
  sameTable(readScoreTable(dir, 'el2n'), noRuns);
  const empty = makeTable(0, 2);
  writeScoreTable(dir, 'el2n', empty, { csv: true });
  sameTable(readScoreTable(dir, 'el2n'), empty);
  assert.equal(fs.readFileSync(path.join(dir, 'el2n.csv'), 'utf8'), 'index,label,score,run_0,run_1,first_learned_epoch\n');
});

test('csv on request: header, shortest float32 decimals that read back exactly; a stale csv is removed', () => {
  const dir = tmp();
  const table = makeTable(30, 2);
  writeScoreTable(dir, 'el2n', table, { csv: true });
  const lines = fs.readFileSync(path.join(dir, 'el2n.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], 'index,label,score,run_0,run_1,first_learned_epoch');
  assert.equal(lines.length, 31);
  const parse = (s: string) => (s === 'nan' ? NaN : s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s));
  const rows = lines.slice(1).map((l) => l.split(',').map(parse));
  assert.deepEqual(rows[0].slice(0, 3).map(String), [String(table.index[0]), String(table.label[0]), 'NaN']);
  assert.equal(lines[2].split(',')[2], 'inf');
  sameFloats(Float32Array.from(rows, (r) => r[3]), table.perRun[0], 'csv run_0');
  sameFloats(Float32Array.from(rows.slice(4), (r) => r[2]), table.score.subarray(4), 'csv score');
  assert.ok(lines.slice(1).every((l) => l.split(',').every((c) => c.length <= 16)), 'no float64 expansions like 0.10000000149011612');
  assert.equal(scoreTableCsv(table), fs.readFileSync(path.join(dir, 'el2n.csv'), 'utf8'));
  writeScoreTable(dir, 'el2n', table);
  assert.ok(!fs.existsSync(path.join(dir, 'el2n.csv')), 'a rewrite without csv must not leave a csv of the old table');
});

test('invalid tables are refused with the offending column named, and nothing is written', () => {
  const dir = tmp();
  const t = makeTable(5, 2);
  const cases: [ScoreTable, RegExp][] = [
    [{ ...t, label: new Int32Array(4) }, /column "label" has 4 values, column "index" has 5/],
    [{ ...t, perRun: [t.perRun[0], new Float32Array(6)] }, /column "run_1" has 6 values/],
    [{ ...t, extra: { first_learned_epoch: new Float32Array(2) } }, /column "first_learned_epoch" has 2 values/],
    [{ ...t, score: new Float64Array(5) as unknown as Float32Array }, /column "score" must be a Float32Array/],
    [{ ...t, name: 'grand' }, /table\.name is "grand"; it must match the file name/],
    [{ ...t, index: Int32Array.from([0, 1, 1, 2, 3]) }, /strictly increasing .* row 2 has 1 after 1/],
    [{ ...t, index: Int32Array.from([-1, 1, 2, 3, 4]) }, /index -1 at row 0 is negative/],
    [{ ...t, extra: { run_7: new Float32Array(5) } }, /extra column "run_7" clashes/],
    [{ ...t, extra: { 'first learned': new Float32Array(5) } }, /extra column name "first learned" must match/],
  ];
  for (const [bad, re] of cases) assert.throws(() => writeScoreTable(dir, 'el2n', bad), re);
  assert.throws(() => writeScoreTable(dir, '../el2n', t), /score name "..\/el2n" is not a valid file name/);
  assert.deepEqual(fs.existsSync(dir) ? fs.readdirSync(dir) : [], []);
});

test('readScoreTable: a missing or corrupt table is reported with its path', () => {
  const dir = tmp();
  assert.throws(() => readScoreTable(dir, 'aum'), /score table "aum" not found: .*aum\.parquet \(.* holds no score tables\)/);
  writeScoreTable(dir, 'grand', { ...makeTable(5, 1), name: 'grand' });
  writeScoreTable(dir, 'el2n', makeTable(5, 1));
  assert.throws(() => readScoreTable(dir, 'el2m'), /score table "el2m" not found: .*el2m\.parquet \(this run has: el2n, grand\)/);
  fs.writeFileSync(path.join(dir, 'aum.parquet'), 'PAR1 definitely not parquet PAR1');
  assert.throws(() => readScoreTable(dir, 'aum'), /aum\.parquet: not a readable score table/);
});

test('pandas (pyarrow) reads the parquet file to the same values', (t) => {
  if (!hasPandasParquet) return t.skip('pandas + pyarrow not available to /usr/bin/python3');
  const dir = tmp();
  const table = makeTable(1000, 2);
  writeScoreTable(dir, 'el2n', table);
  const r = python(
    'import sys, json, pandas as pd\ndf = pd.read_parquet(sys.argv[1])\nprint(json.dumps({"cols": list(df.columns), "dtypes": [str(d) for d in df.dtypes], "index": df["index"].tolist(), "run_1": df["run_1"].tolist()}))',
    path.join(dir, 'el2n.parquet'),
  );
  assert.ok(r.ok, r.err);
  const got = JSON.parse(r.out) as { cols: string[]; dtypes: string[]; index: number[]; run_1: number[] };
  assert.deepEqual(got.cols, ['index', 'label', 'score', 'run_0', 'run_1', 'first_learned_epoch']);
  assert.deepEqual(got.dtypes, ['int32', 'int32', 'float32', 'float32', 'float32', 'float32']);
  assert.deepEqual(got.index, Array.from(table.index));
  sameFloats(Float32Array.from(got.run_1), table.perRun[1], 'pandas run_1');
});
