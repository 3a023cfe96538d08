import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { computeNodeModules, engineEnv, GPU_PACKAGES, installFailureMessage, npmInstallArgs, pinnedVersion } from '../../../src/extension/gpuPackages';
import { backendWhy, statusBarView } from '../../../src/extension/statusModel';

test('engine env: NODE_PATH gains the global-storage packages after what was there, once', () => {
  const gs = '/home/u/.config/Code/User/globalStorage/datadiet.datadiet';
  const dir = computeNodeModules(gs);
  assert.equal(dir, path.join(gs, 'compute', 'node_modules'));
  assert.equal(engineEnv({ PATH: '/bin' }, gs).NODE_PATH, dir);
  assert.equal(engineEnv({ NODE_PATH: `/a${path.delimiter}${dir}` }, gs).NODE_PATH, `/a${path.delimiter}${dir}`);
  assert.equal(engineEnv({ PATH: '/bin' }, gs).PATH, '/bin');
});

test('npm install: pinned to the version built against, into the storage folder, no lock file or save', () => {
  assert.equal(pinnedVersion('^4.22.0'), '4.22.0');
  assert.equal(pinnedVersion(undefined), undefined);
  assert.deepEqual(npmInstallArgs('webgpu', '0.6.2', '/gs/compute'), ['install', '--prefix', '/gs/compute', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=warn', 'webgpu@0.6.2']);
  assert.deepEqual(GPU_PACKAGES.map((p) => p.backend), ['tfjs-node-gpu', 'webgpu', 'tfjs-node']);
});

test('install failures name the package, the likely cause and what to do', () => {
  const gpu = GPU_PACKAGES[0];
  assert.match(installFailureMessage(gpu, null, '', undefined), /npm was not found on PATH\. Install Node\.js/);
  assert.match(installFailureMessage(gpu, 1, 'node-pre-gyp ERR! ... getaddrinfo ENOTFOUND storage.googleapis.com', '/usr/bin/npm'), /tfjs-node-gpu: a download failed \(npm registry, or libtensorflow from storage\.googleapis\.com/);
  assert.match(installFailureMessage(GPU_PACKAGES[1], 1, 'npm ERR! code EACCES', '/usr/bin/npm'), /no permission/);
  assert.match(installFailureMessage(GPU_PACKAGES[1], 7, 'something else', '/usr/bin/npm'), /npm exited with 7\. The full npm output is in "Data Diet: Show Logs"/);
});

test('status bar says which device and why, in a few words', () => {
  const reason = 'tfjs-node-gpu: @tensorflow/tfjs-node-gpu not installed; tfjs-node: @tensorflow/tfjs-node not installed; webgpu: no Vulkan loader (libvulkan.so.1), so no GPU adapter';
  const wasm = { name: 'wasm', device: 'wasm (SIMD, 2 threads)', reason };
  assert.equal(backendWhy(wasm), 'no GPU: no Vulkan loader');
  assert.equal(statusBarView({ backendSetting: 'auto', backend: wasm, queued: 0, restricted: false }).text, '$(chip) wasm (no GPU: no Vulkan loader)');
  assert.equal(backendWhy({ ...wasm, reason: 'tfjs-node-gpu: @tensorflow/tfjs-node-gpu not installed; tfjs-node: @tensorflow/tfjs-node not installed; webgpu: webgpu not installed' }), 'no GPU backend installed');
  assert.equal(backendWhy({ ...wasm, reason: 'requested' }), 'as set');
  assert.equal(backendWhy({ name: 'webgpu', device: 'webgpu (NVIDIA)', reason: 'tfjs-node-gpu: not installed' }), 'GPU');
  assert.equal(backendWhy(undefined), undefined);
});
