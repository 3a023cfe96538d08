#!/usr/bin/env node
// The integration suite (test/e2e/suite) in VS Code desktop through @vscode/test-electron, for a desktop with
// internet (it downloads VS Code into .vscode-test/ unless given an executable). On the CI machines no VS Code can be
// downloaded: there, scripts/e2e.mjs runs the same suite in code-server (scenario "suite").
//
//   node test/e2e/runElectron.mjs [--version stable|1.96.0] [--vscode-executable /path/to/code]
//
// Builds the bundles and the suite, makes a throw-away workspace with quick-look settings (1,000 MNIST examples,
// 20 steps, wasm), and runs the suite with every other extension disabled.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSuite } from './scenarios/suite.mjs';

const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const b = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
if (b.status !== 0) process.exit(b.status ?? 1);
const extensionTestsPath = await bundleSuite(root);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'datadiet-electron-'));
const ws = path.join(tmp, 'workspace');
fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
fs.writeFileSync(
  path.join(ws, '.vscode', 'settings.json'),
  JSON.stringify({ 'datadiet.trainSubset': 1000, 'datadiet.steps': 20, 'datadiet.backend': 'wasm', 'datadiet.batchSize': 64 }, null, 2),
);

const { runTests } = await import('@vscode/test-electron');
let code = 0;
try {
  code = await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath,
    version: option('--version'),
    vscodeExecutablePath: option('--vscode-executable'),
    launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', path.join(tmp, 'user-data')],
  });
} catch (e) {
  console.error(`runElectron: ${e?.message ?? e}`);
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(String(e?.message ?? e))) {
    console.error('runElectron: VS Code could not be downloaded (no internet). Pass --vscode-executable, or run the same suite in code-server: node scripts/e2e.mjs --only suite');
  }
  code = 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(code);
