import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  loadManifest,
  manifestLabels,
  parseCsv,
  parseCsvManifest,
  parseJsonlManifest,
  type ManifestEntry,
} from '../../../../src/core/data/manifest';
import { assertDataError, assertDataRejects, tempDir, write, writeGrayPng, writePng } from './fixtures';

const dir = tempDir();
const root = path.join(dir, 'ds');
writeGrayPng(path.join(root, 'img', 'a.png'), 3, 2, () => 10);
writeGrayPng(path.join(root, 'img', 'b.png'), 3, 2, () => 20);
writeGrayPng(path.join(root, 'img', 'with, comma.png'), 3, 2, () => 30);
writeGrayPng(path.join(root, 'img', 'c.png'), 3, 2, () => 40);
writeGrayPng(path.join(dir, 'outside.png'), 3, 2, () => 0);

const m = (name: string, text: string) => write(path.join(root, name), text);

test('parseCsv: quotes, escaped quotes, embedded commas and newlines, CRLF, BOM, line numbers', () => {
  const rows = parseCsv('\uFEFFpath,label\r\n"a,b.png","say ""hi"""\r\n\r\n"multi\nline.png",x\nlast,y', 'f.csv');
  assert.deepEqual(rows.map((r) => r.fields), [['path', 'label'], ['a,b.png', 'say "hi"'], ['multi\nline.png', 'x'], ['last', 'y']]);
  assert.deepEqual(rows.map((r) => r.line), [1, 2, 4, 6]);
  assert.deepEqual(parseCsv('a,\n,b\n""\n', 'f').map((r) => r.fields), [['a', ''], ['', 'b'], ['']]);
  assert.deepEqual(parseCsv(' "x" , y\r', 'f')[0].fields, ['x', ' y']);
  assertDataError(() => parseCsv('ok,1\n"open,2\n', 'f.csv'), 'f.csv', 'line 2: unterminated quoted field');
  assertDataError(() => parseCsv('"a"b,1', 'f.csv'), 'line 1', "unexpected character 'b' after a closing quote");
  assertDataError(() => parseCsv('x,1\na"b,1', 'f.csv'), 'line 2', 'stray quote');
});

test('CSV manifest with header and class-name labels (sorted), CRLF and BOM', async () => {
  const f = m('names.csv', '\uFEFFpath,label\r\nimg/b.png,dog\r\n"img/with, comma.png",cat\r\n./img/a.png,ant\r\n');
  const ds = await loadManifest(f);
  assert.deepEqual(ds.classNames, ['ant', 'cat', 'dog']);
  assert.deepEqual(Array.from(ds.labels), [2, 1, 0]);
  assert.deepEqual(ds.shape, [2, 3, 1]);
  assert.deepEqual(Array.from(ds.images.subarray(0, 6)), [20, 20, 20, 20, 20, 20]);
  assert.equal(ds.images[6], 30);
  assert.equal(ds.sources?.[2], path.join(root, 'img', 'a.png'));
  assert.equal(ds.name, 'names');
});

test('CSV manifest without header and with integer labels keeps the integers', async () => {
  const f = m('ints.csv', 'img/a.png,3\nimg/b.png,0\n');
  const ds = await loadManifest(f);
  assert.deepEqual(Array.from(ds.labels), [3, 0]);
  assert.equal(ds.numClasses, 4);
  assert.equal(ds.classNames, undefined);
});

test('JSONL manifest with integer and string labels', async () => {
  const f = m('m.jsonl', '{"path": "img/a.png", "label": 1}\n\n{"path": "img/c.png", "label": 0}\r\n');
  const ds = await loadManifest(f);
  assert.deepEqual(Array.from(ds.labels), [1, 0]);
  assert.equal(ds.images[6], 40);
  const g = m('n.jsonl', '{"path":"img/a.png","label":"x"}\n{"path":"img/b.png","label":"w"}\n');
  assert.deepEqual((await loadManifest(g)).classNames, ['w', 'x']);
});

test('absolute paths inside the manifest folder are accepted', async () => {
  const f = m('abs.csv', `${path.join(root, 'img', 'a.png')},0\nimg/b.png,1\n`);
  assert.equal((await loadManifest(f)).labels.length, 2);
});

test('color images in a manifest give 3 channels', async () => {
  const croot = path.join(dir, 'color');
  writePng(path.join(croot, 'r.png'), 2, 2, () => [255, 0, 0]);
  writeGrayPng(path.join(croot, 'g.png'), 2, 2, () => 7);
  const f = write(path.join(croot, 'm.csv'), 'r.png,0\ng.png,1\n');
  const ds = await loadManifest(f);
  assert.deepEqual(ds.shape, [2, 2, 3]);
  assert.deepEqual(Array.from(ds.images.subarray(12, 15)), [7, 7, 7]);
});

test('errors name the manifest and the line: columns, header, empty path, bad labels', async () => {
  const cases: [string, string, string[]][] = [
    ['missing.csv', 'img/a.png,0\nimg/b.png\n', ['line 2', 'missing column']],
    ['extra.csv', 'img/a.png,0,x\n', ['line 1', 'expected 2 columns', 'quote paths']],
    ['header.csv', 'file,label\nimg/a.png,0\n', ['line 1', 'header must be exactly "path,label"']],
    ['emptypath.csv', 'path,label\nimg/a.png,0\n  ,1\n', ['line 3', 'empty path']],
    ['emptylabel.csv', 'img/a.png,\n', ['line 1', 'empty label']],
    ['neg.csv', 'img/a.png,0\nimg/b.png,-1\n', ['line 2', '"-1" is not a non-negative integer']],
    ['float.csv', 'img/a.png,1.5\nimg/b.png,1\n', ['line 1', '"1.5" is not a non-negative integer']],
    ['mixed.csv', 'img/a.png,cat\nimg/b.png,3\n', ['line 2', '"3" is a number but other labels are class names', '"cat" at line 1']],
    ['huge.csv', 'img/a.png,123456789\n', ['line 1', 'too large']],
    ['empty.csv', 'path,label\n', ['lists no images']],
  ];
  for (const [name, text, fragments] of cases) {
    const f = m(name, text);
    await assertDataRejects(() => loadManifest(f), f, ...fragments);
  }
});

test('JSONL errors name the line', async () => {
  const cases: [string, string, string[]][] = [
    ['badjson.jsonl', '{"path":"img/a.png","label":0}\n{oops}\n', ['line 2', 'invalid JSON']],
    ['nolabel.jsonl', '{"path":"img/a.png"}\n', ['line 1', 'missing column "label"']],
    ['nopath.jsonl', '\n{"label":1}\n', ['line 2', 'missing column "path"']],
    ['array.jsonl', '["img/a.png", 1]\n', ['line 1', 'expected a JSON object']],
    ['pathtype.jsonl', '{"path":3,"label":1}\n', ['line 1', '"path" must be a string']],
    ['labeltype.jsonl', '{"path":"img/a.png","label":[1]}\n', ['line 1', '"label" must be an integer or a class name']],
  ];
  for (const [name, text, fragments] of cases) {
    const f = m(name, text);
    await assertDataRejects(() => loadManifest(f), f, ...fragments);
  }
});

test('file not found names the line', async () => {
  const f = m('notfound.csv', 'img/a.png,0\nimg/zzz.png,1\n');
  await assertDataRejects(() => loadManifest(f), f, 'line 2', 'file not found: img/zzz.png');
});

test('every missing file is listed (up to 20, then how many more), not only the first', async () => {
  const three = m('three-missing.csv', 'img/a.png,0\nimg/x1.png,1\nimg/b.png,0\nimg/x2.png,1\nimg/x3.png,1\n');
  await assertDataRejects(() => loadManifest(three), three, '3 files not found', 'line 2: img/x1.png', 'line 4: img/x2.png', 'line 5: img/x3.png');
  const many = m('many-missing.csv', Array.from({ length: 25 }, (_, i) => `img/gone${i}.png,${i % 2}`).join('\n'));
  const e = await assertDataRejects(() => loadManifest(many), '25 files not found', 'line 20: img/gone19.png', '… and 5 more');
  assert.ok(!e.message.includes('gone20'), 'only the first 20 are listed');
});

test('mixed label kinds blame the odd row, not the first number', async () => {
  const names = m('odd-number.csv', 'img/a.png,cat\nimg/b.png,dog\nimg/c.png,cat\nimg/d.png,3\n');
  await assertDataRejects(() => loadManifest(names), names, 'line 4: label "3" is a number but other labels are class names', '"cat" at line 1');
  const ints = m('odd-name.csv', 'img/a.png,0\nimg/b.png,1\nimg/c.png,dog\n');
  await assertDataRejects(() => loadManifest(ints), ints, 'line 3: label "dog" is a class name but other labels are integer class indices', '"0" at line 1');
});

test('paths escaping the manifest folder are refused: relative, absolute, symlinked', async () => {
  const rel = m('escape.csv', 'img/a.png,0\n../../etc/passwd,1\n');
  await assertDataRejects(() => loadManifest(rel), rel, 'line 2', 'escapes the manifest');
  // Refused even when the target does not exist (no probing outside the root).
  const relMissing = m('escape2.csv', '../no/such/file.png,1\n');
  await assertDataRejects(() => loadManifest(relMissing), relMissing, 'line 1', 'escapes the manifest');
  const abs = m('escape3.csv', `${path.join(dir, 'outside.png')},0\n`);
  await assertDataRejects(() => loadManifest(abs), abs, 'line 1', 'escapes the manifest');
  await assertDataRejects(() => loadManifest(m('escape4.csv', '/etc/passwd,0\n')), 'line 1', 'escapes the manifest');
  fs.symlinkSync(path.join(dir, 'outside.png'), path.join(root, 'img', 'sneaky.png'));
  const link = m('escape5.csv', 'img/a.png,0\nimg/sneaky.png,1\n');
  await assertDataRejects(() => loadManifest(link), link, 'line 2', 'resolves (through a symlink) outside');
  // A symlinked folder that escapes, too.
  fs.symlinkSync(dir, path.join(root, 'up'));
  const linkDir = m('escape6.csv', 'up/outside.png,1\n');
  await assertDataRejects(() => loadManifest(linkDir), linkDir, 'line 1', 'outside');
});

test('duplicate rows name both lines, including differently spelled paths', async () => {
  const f = m('dup.csv', 'path,label\nimg/a.png,0\nimg/b.png,1\n./img/../img/a.png,0\n');
  await assertDataRejects(() => loadManifest(f), f, 'line 4', 'duplicate row', 'same file as line 2');
});

test('undecodable images and size mismatches name the manifest line', async () => {
  write(path.join(root, 'img', 'bad.png'), 'garbage');
  const f = m('badimg.csv', 'img/a.png,0\nimg/bad.png,1\n');
  await assertDataRejects(() => loadManifest(f), path.join(root, 'img', 'bad.png'), `line 2 of ${f}`);
  writeGrayPng(path.join(root, 'img', 'big.png'), 9, 9, () => 0);
  const g = m('sizes.csv', 'img/a.png,0\nimg/big.png,1\n');
  await assertDataRejects(() => loadManifest(g), 'big.png', '9x9: 1 image', `line 2 of ${g}`, '3x2: 1 image', `line 1 of ${g}`);
});

test('parsers on their own: header detection and label classification', () => {
  assert.equal(parseCsvManifest('PATH, Label\nx,1\n', 'f').length, 1);
  assert.equal(parseCsvManifest('x,1\n', 'f')[0].line, 1);
  assert.deepEqual(parseJsonlManifest('{"path":" p ","label":2}', 'f')[0], { path: 'p', label: '2', line: 1 });
  const e = (labels: string[]): ManifestEntry[] => labels.map((label, i) => ({ path: `p${i}`, label, line: i + 1 }));
  assert.deepEqual(manifestLabels(e(['10', '2']), 'f').numClasses, 11);
  assert.deepEqual(manifestLabels(e(['b', 'a', 'B']), 'f').classNames, ['B', 'a', 'b']);
});
