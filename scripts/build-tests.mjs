// Bundles every test/**/*.test.ts into out/ (same layout) for `node --test`. Tests are bundled like the product
// (see esbuild-common.mjs) so they exercise the same module graph; `tsc --noEmit` does the type checking.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { common } from './esbuild-common.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const only = process.argv.slice(2);
function find(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'fixtures' ? [] : find(p);
    return d.name.endsWith('.test.ts') ? [p] : [];
  });
}
const entries = find(path.join(root, 'test')).filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
await esbuild.build({
  ...common,
  absWorkingDir: root,
  entryPoints: entries,
  outdir: path.join(root, 'out'),
  outbase: root,
  sourcemap: 'inline',
});
