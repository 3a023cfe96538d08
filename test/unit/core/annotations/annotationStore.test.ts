import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { AnnotationStore, readAnnotationsFile } from '../../../../src/core/annotations/annotationStore';
import { latestByExample, mergeEntries, makeEntry } from '../../../../src/core/annotations/annotationEntry';
import { withLock } from '../../../../src/core/annotations/lockFile';

// Child mode: this same bundle, run as a separate process, is a second writer (another window, or an engine
// that gets killed). It prints each entry id after append() returned, i.e. once the entry is durable.
if (process.env.DD_ANN_CHILD) {
  const store = new AnnotationStore(process.env.DD_ANN_FILE!, { author: `child-${process.pid}`, staleMs: 2000 });
  const n = Number(process.env.DD_ANN_COUNT);
  for (let i = 0; i < n; i++) {
    const [e] = store.append([{ index: i, action: 'relabel', newLabel: i % 10, originalLabel: 0 }]);
    process.stdout.write(e.id + '\n');
  }
  process.exit(0);
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'datadiet-ann-'));

function child(file: string, count: number) {
  return spawn(process.execPath, [__filename], { env: { ...process.env, DD_ANN_CHILD: '1', DD_ANN_FILE: file, DD_ANN_COUNT: String(count) }, stdio: ['ignore', 'pipe', 'inherit'] });
}

function collect(p: ReturnType<typeof child>): Promise<{ ids: string[]; code: number | null; signal: NodeJS.Signals | null }> {
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  return new Promise((resolve) => p.on('close', (code, signal) => resolve({ ids: out.split('\n').filter((l) => /^[a-z0-9-]+$/.test(l)), code, signal })));
}

test('entries append durably with id, time and author; the newest decision per example wins and history stays', () => {
  const file = path.join(tmp(), 'annotations.jsonl');
  const store = new AnnotationStore(file, { author: 'window-1' });
  const changes: number[] = [];
  store.onChange((e) => changes.push(e.added.length));
  const [a] = store.append([{ index: 5, action: 'relabel', newLabel: 3, originalLabel: 7, note: 'looks like a 3', time: '2026-01-01T00:00:00.000Z' }]);
  store.append([{ index: 5, action: 'ok', time: '2026-01-01T00:00:01.000Z' }, { path: 'img/a.png', action: 'exclude' }]);
  assert.equal(a.author, 'window-1');
  const { entries, problems } = store.read();
  assert.deepEqual(problems, []);
  assert.equal(entries.length, 3);
  assert.equal(store.latest().get('index:5')?.action, 'ok');
  assert.equal(store.latest().get('path:img/a.png')?.action, 'exclude');
  assert.deepEqual(changes, [1, 2]);
  // Every line is one JSON entry.
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(JSON.parse(lines[0]).note, 'looks like a 3');
});

test('invalid annotations are refused before anything is written', () => {
  const file = path.join(tmp(), 'annotations.jsonl');
  const store = new AnnotationStore(file);
  assert.throws(() => store.append([{ index: 1, action: 'relabel' }]), /needs "newLabel"/);
  assert.throws(() => store.append([{ action: 'ok' } as never]), /needs "index" or "path"/);
  assert.equal(fs.existsSync(file), false);
});

test('two windows writing the same file merge: neither loses an entry', () => {
  const file = path.join(tmp(), 'annotations.jsonl');
  const w1 = new AnnotationStore(file, { author: 'w1' });
  const w2 = new AnnotationStore(file, { author: 'w2' });
  for (let i = 0; i < 20; i++) (i % 2 ? w1 : w2).append([{ index: i, action: 'flag' }]);
  const { entries } = readAnnotationsFile(file);
  assert.equal(entries.length, 20);
  assert.deepEqual(new Set(entries.map((e) => e.author)), new Set(['w1', 'w2']));
});

test('concurrent writer processes never drop an entry', async () => {
  const file = path.join(tmp(), 'annotations.jsonl');
  const runs = await Promise.all([collect(child(file, 40)), collect(child(file, 40)), collect(child(file, 40))]);
  runs.forEach((r) => assert.equal(r.code, 0));
  const ids = new Set(readAnnotationsFile(file).entries.map((e) => e.id));
  assert.equal(ids.size, 120);
  for (const r of runs) for (const id of r.ids) assert.ok(ids.has(id), `entry ${id} lost`);
});

test('a writer killed mid-write loses nothing it acknowledged, leaves a readable file, and its lock is broken', async () => {
  const file = path.join(tmp(), 'annotations.jsonl');
  new AnnotationStore(file).append([{ index: 999, action: 'ok', note: 'before the crash' }]);
  for (const delay of [60, 150, 300]) {
    const p = child(file, 100_000);
    const done = collect(p);
    await new Promise((r) => setTimeout(r, delay));
    p.kill('SIGKILL');
    const { ids, signal } = await done;
    assert.equal(signal, 'SIGKILL');
    // Whatever lock the killed writer left names its dead process: the next writer gets in at once, without
    // waiting for the lock to age.
    const t0 = Date.now();
    new AnnotationStore(file, { staleMs: 60_000, timeoutMs: 1000 }).append([{ index: 1000 + delay, action: 'flag' }]);
    assert.ok(Date.now() - t0 < 1000);
    const read = readAnnotationsFile(file);
    assert.deepEqual(read.problems, [], 'the file is never torn');
    const have = new Set(read.entries.map((e) => e.id));
    for (const id of ids) assert.ok(have.has(id), `acknowledged entry ${id} lost`);
    assert.ok(read.entries.some((e) => e.note === 'before the crash'));
  }
  // A lock left by the killed process does not block the next writer (its pid is gone).
  fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), time: new Date().toISOString() }));
  const [e] = new AnnotationStore(file, { timeoutMs: 2000 }).append([{ index: 1, action: 'flag' }]);
  assert.ok(readAnnotationsFile(file).entries.some((x) => x.id === e.id));
  assert.equal(fs.existsSync(`${file}.lock`), false);
});

test('a live lock makes a second writer wait, then time out with a message naming the lock file', () => {
  const file = path.join(tmp(), 'annotations.jsonl');
  withLock(file, () => {
    assert.throws(() => new AnnotationStore(file, { timeoutMs: 100 }).append([{ index: 1, action: 'flag' }]), /locked by another writer.*annotations\.jsonl\.lock/);
  });
});

test('a corrupt file is reported by file and line, moved aside unchanged, and its good entries carried over', () => {
  const dir = tmp();
  const file = path.join(dir, 'annotations.jsonl');
  const good = makeEntry({ index: 1, action: 'exclude' });
  const text = JSON.stringify(good) + '\n{"id": "x", "action": "relabel", "index": 2, "time": "2026-01-01T00:00:00Z"\n';
  fs.writeFileSync(file, text);
  const store = new AnnotationStore(file);
  const read = store.read();
  assert.equal(read.problems.length, 1);
  assert.equal(read.problems[0].line, 2);
  assert.equal(read.problems[0].file, file);
  assert.equal(fs.readFileSync(file, 'utf8'), text, 'reading changes nothing');
  let event: unknown;
  store.onChange((e) => (event = e));
  store.append([{ index: 3, action: 'ok' }]);
  const aside = fs.readdirSync(dir).filter((f) => f.startsWith('annotations.jsonl.corrupt-'));
  assert.equal(aside.length, 1);
  assert.equal(fs.readFileSync(path.join(dir, aside[0]), 'utf8'), text, 'the corrupt file is kept byte for byte');
  assert.match(JSON.stringify(event), /corrupt-.*"line":2/);
  const now = readAnnotationsFile(file);
  assert.deepEqual(now.problems, []);
  assert.deepEqual(now.entries.map((e) => e.index).sort(), [1, 3]);
});

test('merge unions by id and latest picks the newest per example', () => {
  const a = makeEntry({ index: 1, action: 'relabel', newLabel: 2, time: '2026-01-01T00:00:02Z' });
  const b = makeEntry({ index: 1, action: 'ok', time: '2026-01-01T00:00:01Z' });
  const merged = mergeEntries([a], [b, a]);
  assert.deepEqual(merged.map((e) => e.id), [b.id, a.id]);
  assert.equal(latestByExample(merged).get('index:1')?.action, 'relabel');
});
