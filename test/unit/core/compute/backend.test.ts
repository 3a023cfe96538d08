import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import {
  availableBackends,
  BACKEND_CHOICES,
  BackendUnavailableError,
  initBackend,
  wasmBinaryDir,
} from '../../../../src/core/compute/backend';
import { threadsUnsupportedReason } from '../../../../src/core/compute/wasmThreads';
import { relError } from '../../helpers/tf';
import { randomValues } from './kernelHarness';

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** A conv forward + weight/input gradients, as plain arrays. */
function convWork(): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(8 * 16 * 16 * 4, 1), [8, 16, 16, 4]);
    const w = tf.tensor4d(randomValues(3 * 3 * 4 * 16, 2), [3, 3, 4, 16]);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')));
    const [gx, gw] = tf.grads(f)([x, w]);
    return [tf.conv2d(x, w, 2, 'same').dataSync() as Float32Array, gx.dataSync() as Float32Array, gw.dataSync() as Float32Array];
  });
}

test('the wasm binaries are found (dist/wasm next to a bundle, else the installed package)', () => {
  assert.ok(fs.existsSync(path.join(wasmBinaryDir(), 'tfjs-backend-wasm-simd.wasm')));
});

test('initBackend: cpu and wasm (1 thread) start and say what they are', async () => {
  const cpu = await initBackend('cpu');
  assert.equal(cpu.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(cpu.reason, 'requested');
  const wasm = await initBackend('wasm', { threads: 1 });
  assert.equal(wasm.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(wasm.threads, 1);
  // With the native kernels built, the device also names them (native.test.ts checks that part).
  assert.match(wasm.device, /^wasm \(SIMD, 1 thread(; native convolutions and matrix products: oneDNN [^)]+)?\)$/);
});

test('initBackend: auto picks the first available backend and records why the others were skipped', async () => {
  const t0 = Date.now();
  const info = await initBackend('auto', { threads: 1 });
  assert.ok(Date.now() - t0 < 20000, 'auto must not hang on missing GPUs');
  assert.ok((BACKEND_CHOICES as readonly string[]).includes(info.name) && (info.name as string) !== 'auto');
  if (info.name === 'wasm') {
    assert.match(info.reason, /tfjs-node-gpu: /);
    assert.match(info.reason, /tfjs-node: /);
    assert.match(info.reason, /webgpu: /);
  }
  if (!installed('@tensorflow/tfjs-node-gpu')) assert.match(info.reason, /@tensorflow\/tfjs-node-gpu not installed/);
});

test('initBackend: an explicit backend that cannot start is an error that says why', async () => {
  if (!installed('@tensorflow/tfjs-node')) {
    await assert.rejects(initBackend('tfjs-node'), (e: unknown) => e instanceof BackendUnavailableError && /not installed/.test(e.message));
  }
  await assert.rejects(initBackend('nope' as never), /unknown backend/);
  const webgpu = (await availableBackends({ adapterTimeoutMs: 5000 })).find((b) => b.name === 'webgpu');
  if (webgpu && !webgpu.available) {
    const t0 = Date.now();
    await assert.rejects(initBackend('webgpu', { adapterTimeoutMs: 5000 }), BackendUnavailableError);
    assert.ok(Date.now() - t0 < 10000, 'webgpu without an adapter must fail fast');
    // Nothing WebGPU-related is left on the global object.
    assert.equal((globalThis as Record<string, unknown>).GPUBufferUsage, undefined);
  }
});

test('availableBackends lists every concrete backend; cpu and wasm are available', async () => {
  const list = await availableBackends({ adapterTimeoutMs: 5000 });
  assert.deepEqual(list.map((b) => b.name), ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu']);
  assert.ok(list.find((b) => b.name === 'cpu')?.available);
  assert.ok(list.find((b) => b.name === 'wasm')?.available);
  for (const b of list) assert.ok(b.detail.length > 0);
});

test('wasm with 2 threads runs on 2 threads, gives the 1-thread results, and can switch back', async (t) => {
  const why = threadsUnsupportedReason();
  if (why) {
    t.skip(why);
    return;
  }
  const one = await initBackend('wasm', { threads: 1 });
  assert.equal(one.threads, 1);
  const ref = convWork();
  const two = await initBackend('wasm', { threads: 2 });
  assert.equal(two.threads, 2, two.reason);
  assert.match(two.device, /2 threads/);
  const got = convWork();
  for (let i = 0; i < ref.length; i++) assert.ok(relError(got[i], ref[i]) < 1e-5, `output ${i}`);
  // Same request again: the live backend is reused.
  const again = await initBackend('wasm', { threads: 2 });
  assert.equal(again.threads, 2);
  const back = await initBackend('wasm', { threads: 1 });
  assert.equal(back.threads, 1);
  const last = convWork();
  for (let i = 0; i < ref.length; i++) assert.ok(relError(last[i], ref[i]) < 1e-5, `output ${i} after switching back`);
});
