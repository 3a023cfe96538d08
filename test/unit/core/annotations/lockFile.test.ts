import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnnotationStore, readAnnotationsFile } from '../../../../src/core/annotations/annotationStore';
import { cleanStaleLockTemps } from '../../../../src/core/annotations/lockFile';

// Above the Linux pid limit (2^22): never a live process.
const DEAD = 2 ** 22 + 4321;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'datadiet-locktemp-'));
const owner = (pid: number, host = os.hostname()) => JSON.stringify({ pid, host, time: new Date().toISOString() });

function age(file: string, ms: number): void {
  const t = new Date(Date.now() - ms);
  fs.utimesSync(file, t, t);
}

test('the next lock taker removes temp files of writers killed before they took the lock, and nothing else', () => {
  const dir = tmp();
  const file = path.join(dir, 'annotations.jsonl');
  const put = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), name);
  const dead = put(`annotations.jsonl.lock.${DEAD}.k3x9a`, owner(DEAD));
  const brokenAside = put(`annotations.jsonl.lock.stale-${DEAD}-q1w2e3`, owner(DEAD + 1));
  const tornOld = put(`annotations.jsonl.lock.${DEAD}.torn1`, '');
  age(path.join(dir, tornOld), 5 * 60_000);
  const tornNew = put(`annotations.jsonl.lock.${DEAD}.torn2`, ''); // may be a writer on another host, mid-write
  const otherHost = put(`annotations.jsonl.lock.${DEAD}.remote`, owner(DEAD, 'another-host.example'));
  const ancient = put(`annotations.jsonl.lock.${DEAD}.old`, owner(DEAD, 'another-host.example'));
  age(path.join(dir, ancient), 2 * 3600_000);
  const live = put(`annotations.jsonl.lock.${process.ppid}.alive`, owner(process.ppid)); // the test runner: alive
  const unrelated = [put('annotations.jsonl.lock.notes', 'x'), put('other.jsonl.lock.99999999.abc', owner(DEAD)), put('img.png', 'x')];

  const [e] = new AnnotationStore(file, { timeoutMs: 2000 }).append([{ index: 1, action: 'flag' }]);
  assert.ok(readAnnotationsFile(file).entries.some((x) => x.id === e.id), 'the write went through');
  const left = new Set(fs.readdirSync(dir));
  for (const gone of [dead, brokenAside, tornOld, ancient]) assert.ok(!left.has(gone), `${gone} removed`);
  for (const kept of [tornNew, otherHost, live, ...unrelated]) assert.ok(left.has(kept), `${kept} kept`);
  assert.ok(!left.has('annotations.jsonl.lock'), 'the lock itself is released');
  assert.deepEqual([...left].filter((n) => n.startsWith(`annotations.jsonl.lock.${process.pid}.`)), [], 'no temp file of our own left');

  // The cleaner on its own: once the remaining torn file is old, it goes too.
  age(path.join(dir, tornNew), 5 * 60_000);
  assert.deepEqual(cleanStaleLockTemps(`${file}.lock`), [tornNew]);
});

test('every annotations error is a DataFormatError naming the file, the field and the fix; nothing is written', () => {
  const dir = tmp();
  const file = path.join(dir, 'annotations.jsonl');
  const store = new AnnotationStore(file);
  const cases: [object, RegExp][] = [
    [{ index: 1, action: 'relabel', newLabel: -1 }, /field "newLabel": "relabel" needs "newLabel" \(class index or name\), got -1; nothing was written \(set "newLabel" to a class index from 0 or a class name\)/],
    [{ index: 1, action: 'relabel', newLabel: 1.5 }, /field "newLabel".*got 1\.5/],
    [{ index: -2, action: 'ok' }, /field "index": "index" must be a non-negative integer.*\(use the example's train-split index/],
    [{ path: 'a.png', action: 'delete' }, /new annotation for path:a\.png, field "action": "action" must be one of relabel, exclude, ok, flag.*\(set "action" to one of/],
    [{ index: 1, action: 'ok', time: 'yesterday' }, /field "time": "time" must be an ISO date.*\(write the time as ISO 8601/],
  ];
  for (const [a, want] of cases) {
    assert.throws(
      () => store.append([a as never]),
      (e: Error) => {
        assert.equal(e.name, 'DataFormatError');
        assert.ok(e.message.startsWith(`${file}: `), e.message);
        assert.match(e.message, want);
        return true;
      },
    );
  }
  assert.equal(fs.existsSync(file), false);
});
