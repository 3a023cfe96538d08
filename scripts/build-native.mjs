#!/usr/bin/env node
// Builds the optional native CPU kernels (native/: N-API addon over oneDNN) at `npm install`. Never fails the
// install: without g++ or oneDNN's headers (Debian/Ubuntu: `apt install libdnnl-dev`) it says so in one line and
// Data Diet runs on its wasm kernels. DATADIET_NATIVE=0 skips the build; DATADIET_REQUIRE_NATIVE=1 (CI) makes a
// failed build an error instead.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'native');
const required = process.env.DATADIET_REQUIRE_NATIVE === '1';

function done(msg, ok) {
  const line = `datadiet: native kernels ${msg}`;
  if (!ok && required) {
    console.error(`${line} (DATADIET_REQUIRE_NATIVE=1, so this is an error)`);
    process.exit(1);
  }
  console.log(ok ? line : `${line}; Data Diet will use its wasm kernels`);
  process.exit(0);
}

if (process.env.DATADIET_NATIVE === '0' || process.env.DATADIET_NATIVE === 'off') done('not built (DATADIET_NATIVE=0)', !required);
if (process.platform !== 'linux') done(`not built: only Linux is supported so far (this is ${process.platform})`, false);

const includeDirs = [process.env.DNNL_ROOT && path.join(process.env.DNNL_ROOT, 'include'), '/usr/include', '/usr/local/include'].filter(Boolean);
if (!includeDirs.some((d) => fs.existsSync(path.join(d, 'oneapi', 'dnnl', 'dnnl.h')))) {
  done('not built: oneDNN headers not found (on Debian/Ubuntu: sudo apt install libdnnl-dev, then npm rebuild datadiet or npm install)', false);
}

// npm's own node-gyp (npm sets npm_config_node_gyp for lifecycle scripts), else the one installed next to npm.
function nodeGyp() {
  if (process.env.npm_config_node_gyp && fs.existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const candidates = [];
  if (process.env.npm_execpath) candidates.push(path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package
  }
  candidates.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => fs.existsSync(c));
}

const gyp = nodeGyp();
if (!gyp) done('not built: node-gyp not found (it comes with npm)', false);
const t0 = Date.now();
const args = [gyp, 'rebuild'];
// Build against the headers of the Node that runs this (no download) when npm has no nodedir configured.
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(path.dirname(process.execPath), '..', 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${path.join(path.dirname(process.execPath), '..')}`);
}
const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
if (r.status !== 0) {
  const err = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').filter((l) => /error/i.test(l)).slice(0, 3).join(' | ');
  done(`not built: the compile failed (${err || `node-gyp exited ${r.status}`})`, false);
}
const addon = path.join(dir, 'build', 'Release', 'datadiet_native.node');
const check = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(addon)}).init())`], { encoding: 'utf8' });
if (check.status !== 0) done(`built but do not load (${(check.stderr ?? '').trim().split('\n').find((l) => /Error/.test(l)) ?? 'unknown error'})`, false);
done(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${check.stdout.trim()} (native/build/Release/datadiet_native.node)`, true);
