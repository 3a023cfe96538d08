// Generates test/fixtures/notebooks/gallery-10k.ipynb (or the path given): bundles the TypeScript generator with
// the project's esbuild settings and runs it. The Python-made fixture has its own script:
// python3 test/fixtures/notebooks/make_python_outputs.py
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { common } from './esbuild-common.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const outfile = path.join(root, 'out', 'fixtures', 'makeGallery10k.js');
await esbuild.build({ ...common, absWorkingDir: root, entryPoints: ['test/fixtures/notebooks/makeGallery10k.ts'], outfile, sourcemap: 'inline' });
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
