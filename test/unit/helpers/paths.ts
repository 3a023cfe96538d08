import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Repository root: tests run from bundles under out/, so walk up to package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `datadiet-${prefix}-`));
}

/** The built engine and CLI (npm test builds them first, in pretest). */
export function distFile(name: string): string {
  const f = path.join(repoRoot(), 'dist', name);
  if (!fs.existsSync(f)) throw new Error(`${f} is missing: run "npm run build" first`);
  return f;
}
