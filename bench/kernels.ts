/**
 * `node dist/kernels.js`: GFLOP/s of each convolution kernel (forward, input gradient, filter gradient) and the
 * dense layer's products, on the wasm SIMD loops and on the native kernels (oneDNN), in one process, alternating
 * A and B so that load from other processes hits both alike. The layer shapes are cnn-small's and resnet18
 * x0.25's at batch 128. Prints a markdown table (native/README.md quotes it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { defaultWasmThreads, initBackend } from '../src/core/compute/backend';
import { loadNative, nativeStatus, unloadNative } from '../src/core/compute/native';

interface Layer {
  name: string;
  x: [number, number, number, number];
  k: number;
  co: number;
  stride: number;
}

const LAYERS: Layer[] = [
  { name: 'cnn-small conv1 28x28, 1 -> 32', x: [128, 28, 28, 1], k: 3, co: 32, stride: 1 },
  { name: 'cnn-small conv2 14x14, 32 -> 64', x: [128, 14, 14, 32], k: 3, co: 64, stride: 1 },
  { name: 'resnet stem 32x32, 3 -> 16', x: [128, 32, 32, 3], k: 3, co: 16, stride: 1 },
  { name: 'resnet 32x32, 16 -> 16', x: [128, 32, 32, 16], k: 3, co: 16, stride: 1 },
  { name: 'resnet 32x32 -> 16x16, 16 -> 32, stride 2', x: [128, 32, 32, 16], k: 3, co: 32, stride: 2 },
  { name: 'resnet 8x8, 64 -> 64', x: [128, 8, 8, 64], k: 3, co: 64, stride: 1 },
  { name: 'resnet 4x4, 128 -> 128', x: [128, 4, 4, 128], k: 3, co: 128, stride: 1 },
];

function time(fn: () => void, ms = 400): number {
  fn();
  let n = 0;
  const t0 = performance.now();
  while (n < 3 || performance.now() - t0 < ms) {
    fn();
    n++;
  }
  return (performance.now() - t0) / n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function main(): Promise<void> {
  const threads = Number(process.argv[process.argv.indexOf('--threads') + 1]) || defaultWasmThreads();
  const backend = await initBackend('wasm', { threads });
  const native = nativeStatus();
  const rows: string[] = [];
  const say = (l: string) => {
    rows.push(l);
    process.stdout.write(l + '\n');
  };
  say(`backend ${backend.device}; native: ${native.detail}`);
  say('');
  say('| layer (batch 128) | kernel | wasm loops GFLOP/s | native GFLOP/s | native / wasm |');
  say('|---|---|---|---|---|');
  const measure = (label: string, kernel: string, flops: number, fn: () => tf.Tensor) => {
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < 3; r++) {
      unloadNative();
      a.push(time(() => fn().dispose()));
      if (native.loaded) loadNative(threads);
      b.push(time(() => fn().dispose()));
    }
    const ga = flops / median(a) / 1e6;
    const gb = native.loaded ? flops / median(b) / 1e6 : NaN;
    say(`| ${label} | ${kernel} | ${ga.toFixed(1)} | ${native.loaded ? gb.toFixed(1) : '—'} | ${native.loaded ? (gb / ga).toFixed(1) + 'x' : '—'} |`);
  };
  for (const l of LAYERS) {
    const x = tf.randomNormal(l.x) as tf.Tensor4D;
    const w = tf.randomNormal([l.k, l.k, l.x[3], l.co]) as tf.Tensor4D;
    const y = tf.conv2d(x, w, l.stride, 'same');
    const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
    const flops = 2 * y.size * l.k * l.k * l.x[3];
    measure(l.name, 'forward', flops, () => tf.conv2d(x, w, l.stride, 'same'));
    measure(l.name, 'input gradient', flops, () => tf.conv2dTranspose(dy, w, l.x, l.stride, 'same'));
    measure(l.name, 'filter gradient', flops, () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: l.stride, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape }) as tf.Tensor,
    );
    tf.dispose([x, w, y, dy]);
  }
  const a = tf.randomNormal([128, 3136]) as tf.Tensor2D;
  const w = tf.randomNormal([3136, 128]) as tf.Tensor2D;
  const g = tf.randomNormal([128, 128]) as tf.Tensor2D;
  const flops = 2 * 128 * 3136 * 128;
  measure('cnn-small fc1 128x3136 x 3136x128', 'forward', flops, () => tf.matMul(a, w));
  measure('cnn-small fc1', 'weight gradient x^T dy', flops, () => tf.matMul(a, g, true, false));
  measure('cnn-small fc1', 'input gradient dy W^T', flops, () => tf.matMul(g, w, false, true));
  tf.dispose([a, w, g]);
}

main().catch((e) => {
  process.stderr.write(`kernels: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
