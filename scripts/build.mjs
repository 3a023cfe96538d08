// Bundles the extension, the engine process and the CLI with esbuild, and copies the tfjs wasm binaries next to
// them (the wasm backend loads them from dist/wasm at run time).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { common } from './esbuild-common.mjs';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const dist = path.join(root, 'dist');
fs.mkdirSync(path.join(dist, 'wasm'), { recursive: true });

const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
for (const f of fs.readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) {
  fs.copyFileSync(path.join(wasmDir, f), path.join(dist, 'wasm', f));
}

const entries = { cli: 'src/cli/main.ts', engine: 'src/engine/main.ts', reviewWorker: 'src/engine/reviewWorker.ts', cellWorker: 'src/engine/cellWorker.ts', manifestWorker: 'src/engine/manifestWorker.ts' };
if (fs.existsSync(path.join(root, 'src/extension/extension.ts'))) entries.extension = 'src/extension/extension.ts';
if (fs.existsSync(path.join(root, 'bench/bench.ts'))) entries.bench = 'bench/bench.ts';
if (fs.existsSync(path.join(root, 'bench/profile.ts'))) entries.profile = 'bench/profile.ts';
if (fs.existsSync(path.join(root, 'bench/kernels.ts'))) entries.kernels = 'bench/kernels.ts';
if (fs.existsSync(path.join(root, 'bench/parallelUnits.ts'))) entries['bench-parallel'] = 'bench/parallelUnits.ts';
if (fs.existsSync(path.join(root, 'bench/imageLoading.ts'))) entries['bench-images'] = 'bench/imageLoading.ts';
if (fs.existsSync(path.join(root, 'bench/labelErrorDetection.ts'))) entries['bench-label-errors'] = 'bench/labelErrorDetection.ts';
if (fs.existsSync(path.join(root, 'bench/nearestNeighbours.ts'))) entries['bench-knn'] = 'bench/nearestNeighbours.ts';
if (fs.existsSync(path.join(root, 'src/core/charts/render.ts'))) entries.reproduce = 'bench/reproduce.ts';
if (fs.existsSync(path.join(root, 'bench/cifarFormat.ts'))) entries['cifar-format'] = 'bench/cifarFormat.ts';

await esbuild.build({
  ...common,
  absWorkingDir: root,
  entryPoints: entries,
  outdir: dist,
  define: { __DATADIET_VERSION__: JSON.stringify(pkg.version) },
});

// The notebook renderer is a browser ES module, built separately (scripts/build-renderer.mjs).
if (fs.existsSync(path.join(root, 'renderers/renderer.ts'))) {
  const notebook = await import('./build-renderer.mjs');
  await notebook.buildRenderer(root);
  await notebook.buildVegaNode(root);
}
