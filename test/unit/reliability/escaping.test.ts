import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { printable } from '../../../src/cli/printable';
import { distFile, tempDir } from '../helpers/paths';

const ESC = '\u001b';
const HOSTILE_NAME = `<img src=x onerror=alert(1)>${ESC}]0;pwned${ESC}\\${ESC}[2J\u009b31m`;

test('printable: control characters from data are shown as escapes, text and newlines stay', () => {
  assert.equal(printable(`a${ESC}[2Jb\tc\nd\u0007\u009b`), 'a\\u001b[2Jb\tc\nd\\u0007\\u009b');
  assert.equal(printable('<img src=x onerror=alert(1)> café 🐱'), '<img src=x onerror=alert(1)> café 🐱');
});

function cli(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [distFile('cli.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('CLI: dataset names, errors and paths from data cannot send terminal escape sequences', () => {
  const root = tempDir('escape');
  const id = '20261201-000000-train-abcd';
  const dir = path.join(root, '.datadiet', 'runs', id);
  fs.mkdirSync(dir, { recursive: true });
  const manifest = {
    schema: 1, id, kind: 'train', status: 'failed', error: `label "${HOSTILE_NAME}" is bad`,
    createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z',
    config: { dataset: `folder:${HOSTILE_NAME}` }, seeds: {}, versions: {}, timings: { startedAt: '2026-12-01T00:00:00.000Z' },
    dataset: { spec: 'x', name: HOSTILE_NAME, fingerprint: 'f', shape: [1, 1, 1], numClasses: 2, trainSize: 1, valSize: 0, testSize: 1 },
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  const list = cli(['runs', '--root', root]);
  assert.equal(list.code, 0, list.err);
  assert.ok(!/[\u001b\u009b\u0007]/.test(list.out), 'no raw control characters reach the terminal');
  assert.ok(list.out.includes('<img src=x onerror=alert(1)>\\u001b]0;pwned'), list.out);

  // A dataset folder whose class name carries escapes: the error message quotes it, escaped.
  const data = path.join(root, `data${ESC}[2J`);
  fs.mkdirSync(path.join(data, `cls${ESC}[31m`), { recursive: true });
  const train = cli(['train', '--dataset', `folder:${data}`, '--model', 'linear', '--steps', '1', '--backend', 'cpu', '--root', root]);
  assert.equal(train.code, 1);
  assert.match(train.err, /datadiet: .*data\\u001b\[2J.*contains no images/);
  assert.ok(!train.err.includes(ESC), train.err);
});
