// Runs bench/notebookRenderer.ts (10,000-image gallery: payload size, fallbacks, renderer first paint and scrolling
// in Chromium), bundled with the project's esbuild settings.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { common } from './esbuild-common.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const outfile = path.join(root, 'out', 'bench', 'notebookRenderer.js');
await esbuild.build({ ...common, absWorkingDir: root, entryPoints: ['bench/notebookRenderer.ts'], outfile, sourcemap: 'inline' });
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
