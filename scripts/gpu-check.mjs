#!/usr/bin/env node
// scripts/gpu-check.mjs: checks and measures Data Diet's WebGPU path on a GPU machine (no internet needed).
//
//   node scripts/gpu-check.mjs --out gpu-check.md [--seconds 5] [--batch 128] [--backends webgpu,wasm]
//                              [--no-test] [--no-torch]
//
// What it does, in order (each step is reported; a failing step does not stop the later ones):
//   1. prints the WebGPU adapter Dawn finds (vendor, architecture, description, software or not);
//   2. runs test/unit/core/compute/webgpu.test.ts (Conv2D, Conv2DBackpropInput/Filter, BatchMatMul with transposes,
//      MaxPool and its grad, tf.grads of a conv net, 5 SGD steps of cnn-small, EL2N and exact GraNd, all against the
//      cpu backend) on that adapter: ~10 s;
//   3. measures training and inference examples/s of cnn-small (28x28x1, MNIST shape) and resnet18 x0.25
//      (32x32x3, CIFAR shape), batch 128, on each backend of --backends (default webgpu and wasm, for the ratio);
//   4. if `python3 -c "import torch; torch.cuda.is_available()"` says True: the same with PyTorch on CUDA
//      (bench/torch_bench.py --device cuda);
//   5. writes all of it as markdown to --out (default gpu-check.md) and prints it.
//
// Readback: under Node the webgpu backend cannot read tensors synchronously (tfjs-backend-webgpu's readSync
// needs OffscreenCanvas); the product's trainStep (src/core/train/trainLoop.ts), timed here, reads its loss and
// logits asynchronously, as do evaluation and scoring (src/core/compute/read.ts). `npm run bench -- --backend
// webgpu` works too.
//
// What to carry to the GPU machine (it has no internet; same CPU architecture, linux x64):
//   - a node binary >= 20.19 (e.g. the official linux-x64 tarball's bin/node);
//   - this repository with src/, test/, bench/, scripts/, package.json and node_modules/ as installed here (npm
//     ci), which must include:
//       node_modules/webgpu/dist/linux-x64/dawn.node      (Dawn, the WebGPU implementation; optional dependency)
//       node_modules/@tensorflow/tfjs-backend-webgpu, tfjs-core, tfjs-backend-cpu, tfjs-backend-wasm
//       node_modules/esbuild and node_modules/@esbuild/linux-x64 (this script bundles the TypeScript sources)
//     native/build/Release/datadiet_native.node too if built (the wasm comparison then uses the native kernels);
//     dist/ is not needed (bundles are built from src/ and test/ into out/gpu-check-*/), but carrying it does no harm;
//   - on the machine: the Vulkan loader (libvulkan.so.1, Debian/Ubuntu package libvulkan1) and the NVIDIA
//     driver's Vulkan ICD (/usr/share/vulkan/icd.d/nvidia_icd.json, or /etc/vulkan/icd.d/, which points at
//     libGLX_nvidia.so.0; the driver package installs it). `vulkaninfo --summary` (vulkan-tools) should list the
//     GPU. If both the NVIDIA ICD and Mesa's lavapipe are installed, Dawn's high-performance request picks the
//     GPU; VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/nvidia_icd.json forces it;
//   - optionally PyTorch with CUDA for step 4 (python3 must import torch).
// Mesa's Vulkan drivers need XDG_RUNTIME_DIR set (they print an error otherwise); this script sets it to the temp
// directory when it is missing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const a = { out: 'gpu-check.md', seconds: 5, batch: 128, backends: ['webgpu', 'wasm'], test: true, torch: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--out') (a.out = v), i++;
    else if (k === '--seconds') (a.seconds = Number(v)), i++;
    else if (k === '--batch') (a.batch = Number(v)), i++;
    else if (k === '--backends') (a.backends = v.split(',').filter(Boolean)), i++;
    else if (k === '--no-test') a.test = false;
    else if (k === '--no-torch') a.torch = false;
    else if (k === '--help') {
      process.stdout.write(fs.readFileSync(new URL(import.meta.url), 'utf8').split('\nimport ')[0] + '\n');
      process.exit(0);
    } else throw new Error(`unknown option ${k} (see --help)`);
  }
  if (!(a.seconds > 0) || !(a.batch >= 1)) throw new Error('--seconds must be > 0 and --batch >= 1');
  return a;
}

const args = parseArgs(process.argv.slice(2));
process.env.XDG_RUNTIME_DIR ??= os.tmpdir();
const md = [];
const say = (line = '') => {
  md.push(line);
  process.stderr.write(line + '\n');
};

// ------------------------------------------------------------------------------------------ 1. the adapter

say('# Data Diet GPU check');
say();
say(`${new Date().toISOString()}, ${os.hostname()}, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
say();
say('## Adapter');
say();
let adapterOk = false;
try {
  const webgpu = await import(pathToFileURL(require.resolve('webgpu')).href);
  const gpu = webgpu.create([]);
  for (const [label, opts] of [['high-performance', { powerPreference: 'high-performance' }], ['low-power', { powerPreference: 'low-power' }]]) {
    const a = await gpu.requestAdapter(opts);
    if (!a) {
      say(`- ${label}: no adapter`);
      continue;
    }
    adapterOk = true;
    const i = a.info ?? {};
    const soft = i.isFallbackAdapter === true || /software|llvmpipe|lavapipe|swiftshader/i.test(`${i.architecture} ${i.description}`);
    say(`- ${label}: vendor \`${i.vendor}\`, architecture \`${i.architecture}\`, device \`${i.device}\`, description \`${i.description}\`${soft ? ' (**software**, CPU-emulated)' : ''}`);
    say(`  - limits: maxStorageBuffersPerShaderStage ${a.limits.maxStorageBuffersPerShaderStage}, maxBufferSize ${a.limits.maxBufferSize}, maxComputeWorkgroupStorageSize ${a.limits.maxComputeWorkgroupStorageSize}`);
  }
} catch (e) {
  say(`- the webgpu package failed: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
}
if (!adapterOk) say('- no WebGPU adapter: check the Vulkan loader and ICD (`vulkaninfo --summary`).');
say();

// ------------------------------------------------------------------------------------------ bundles

const esbuild = await import(pathToFileURL(require.resolve('esbuild')).href);
const { common } = await import(pathToFileURL(path.join(root, 'scripts/esbuild-common.mjs')).href);
// The bundles go under out/ (ignored by git), so that their external packages (webgpu, the tfjs wasm binaries)
// resolve from this repository's node_modules and the wasm backend finds the native kernels (native/build).
fs.mkdirSync(path.join(root, 'out'), { recursive: true });
const tmp = fs.mkdtempSync(path.join(root, 'out', 'gpu-check-'));
const childEnv = process.env;

/** The measuring child: `node <bundle> <backend> <seconds> <batch>` prints one JSON line. */
const MEASURE_TS = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { initBackend } from './src/core/compute/backend';
import { buildModel } from './src/core/models/registry';
import type { Architecture, Model } from './src/core/models/model';
import { makeRng } from './src/core/random';
import { Sgd } from './src/core/train/sgd';
import { trainStep } from './src/core/train/trainLoop';

const [backend, secondsArg, batchArg] = process.argv.slice(2);
const seconds = Number(secondsArg);
const batch = Number(batchArg);
const CASES: { name: string; arch: Architecture; width: number; input: [number, number, number] }[] = [
  { name: 'cnn-small 28x28x1', arch: 'cnn-small', width: 1, input: [28, 28, 1] },
  { name: 'resnet18 x0.25 32x32x3', arch: 'resnet18', width: 0.25, input: [32, 32, 3] },
];

async function measure(fn: () => Promise<unknown>): Promise<{ rate: number; firstMs: number; iters: number }> {
  const t0 = performance.now();
  await fn(); // first call: shader compilation / kernel setup
  const firstMs = performance.now() - t0;
  await fn();
  let n = 0;
  const t1 = performance.now();
  let el = 0;
  while (n < 3 || el < seconds * 1000) {
    await fn();
    n++;
    el = performance.now() - t1;
  }
  return { rate: (n * batch) / (el / 1000), firstMs, iters: n };
}

(async () => {
  const info = await initBackend(backend as Parameters<typeof initBackend>[0], { adapterTimeoutMs: 20000 });
  const results: Record<string, unknown>[] = [];
  for (const c of CASES) {
    const model = buildModel({ arch: c.arch, width: c.width, inputShape: c.input, numClasses: 10 }, makeRng(0).next);
    const vars = model.params.map((p) => p.variable);
    const sgd = new Sgd({ momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
    const rng = makeRng(1);
    const xs = Float32Array.from({ length: batch * c.input[0] * c.input[1] * c.input[2] }, () => rng.next() * 2 - 1);
    const labels = Int32Array.from({ length: batch }, (_, i) => i % 10);
    const x = tf.tensor4d(xs, [batch, ...c.input]);
    const y = tf.tensor1d(labels, 'int32');
    const losses: number[] = [];
    // The product's training step (asynchronous readback, as every backend needs on webgpu in Node).
    const train = await measure(async () => losses.push((await trainStep(model, sgd, vars, xs, labels, 0.01)).loss));
    const infer = await measure(async () => {
      const l = tf.tidy(() => model.forward(x, { training: false }));
      await l.data();
      l.dispose();
    });
    results.push({ model: c.name, params: model.numParams(), train, infer, lossFirst: losses[0], lossLast: losses[losses.length - 1] });
    sgd.dispose();
    model.dispose();
    tf.dispose([x, y]);
  }
  process.stdout.write(JSON.stringify({ backend: info.name, device: info.device, results }) + '\\n');
  process.exit(0); // dawn.node keeps the process alive while the GPU object is referenced
})().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\\n');
  process.exit(1);
});
`;

const measureBundle = path.join(tmp, 'measure.cjs');
await esbuild.build({
  ...common,
  sourcemap: false,
  absWorkingDir: root,
  stdin: { contents: MEASURE_TS, resolveDir: root, sourcefile: 'gpu-check-measure.ts', loader: 'ts' },
  outfile: measureBundle,
  logLevel: 'error',
});

// ------------------------------------------------------------------------------------------ 2. correctness

say('## Correctness (webgpu vs cpu)');
say();
if (!args.test) say('skipped (--no-test)');
else {
  const testBundle = path.join(tmp, 'webgpu.test.cjs');
  await esbuild.build({
    ...common,
    sourcemap: false,
    absWorkingDir: root,
    entryPoints: [path.join(root, 'test/unit/core/compute/webgpu.test.ts')],
    outfile: testBundle,
    logLevel: 'error',
  });
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', testBundle], { encoding: 'utf8', timeout: 300_000, env: childEnv });
  const out = `${r.stdout ?? ''}`;
  const count = (k) => Number((out.match(new RegExp(`^# ${k} (\\d+)`, 'm')) ?? [])[1] ?? NaN);
  say(`test/unit/core/compute/webgpu.test.ts: ${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped, ${count('todo')} todo, in ${((Date.now() - t0) / 1000).toFixed(1)} s (exit ${r.status ?? r.signal})`);
  say();
  for (const line of out.split('\n')) {
    const m = line.match(/^(not ok|ok) \d+ - (.*)$/);
    if (m) say(`- ${m[1] === 'ok' ? 'ok' : '**not ok**'}: ${m[2]}`);
    const err = line.match(/^ {2}error: (.*)$/);
    if (err) say(`  - error: ${err[1]}`);
  }
}
say();

// ------------------------------------------------------------------------------------------ 3./4. speed

say(`## Speed (examples/s, batch ${args.batch}, ~${args.seconds} s per phase)`);
say();
const rows = [];
for (const b of args.backends) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [measureBundle, b, String(args.seconds), String(args.batch)], { encoding: 'utf8', timeout: 600_000, env: childEnv });
  const line = (r.stdout ?? '').trim().split('\n').pop();
  let j;
  try {
    j = JSON.parse(line);
  } catch {
    say(`- ${b}: failed (exit ${r.status ?? r.signal}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
    continue;
  }
  for (const res of j.results) {
    rows.push([`ours, ${j.device}`, res.model, res.train.rate, res.infer.rate, `first step ${(res.train.firstMs / 1000).toFixed(1)} s; loss ${res.lossFirst.toFixed(3)} -> ${res.lossLast.toFixed(3)}`]);
  }
  process.stderr.write(`(${b}: ${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
}

if (args.torch) {
  const probe = spawnSync('python3', ['-c', 'import torch, sys; print(torch.__version__); sys.exit(0 if torch.cuda.is_available() else 1)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    say(`- PyTorch CUDA: not available (${probe.error ? probe.error.message : (probe.stderr || '').trim().split('\n').pop() || 'torch.cuda.is_available() is False'})`);
  } else {
    for (const [model, input, width, name] of [['cnn-small', '28,28,1', '1', 'cnn-small 28x28x1'], ['resnet18', '32,32,3', '0.25', 'resnet18 x0.25 32x32x3']]) {
      const r = spawnSync(
        'python3',
        [path.join(root, 'bench/torch_bench.py'), '--device', 'cuda', '--model', model, '--input', input, '--width', width, '--classes', '10', '--batch', String(args.batch), '--seconds', String(args.seconds), '--what', 'train,infer', '--json-only'],
        { encoding: 'utf8', timeout: 600_000 },
      );
      try {
        const j = JSON.parse((r.stdout ?? '').trim().split('\n').pop());
        rows.push([`PyTorch ${j.torch} CUDA`, name, j.results.train, j.results.infer, '']);
      } catch {
        say(`- PyTorch CUDA ${model}: failed (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}`);
      }
    }
  }
}
say();
say('| engine | model | train ex/s | inference ex/s | notes |');
say('|---|---|---:|---:|---|');
for (const [e, m, t, i, n] of rows) say(`| ${e} | ${m} | ${t.toFixed(1)} | ${i.toFixed(1)} | ${n} |`);
say();

fs.writeFileSync(args.out, md.join('\n'));
fs.rmSync(tmp, { recursive: true, force: true });
process.stderr.write(`wrote ${args.out}\n`);
process.exit(0);
