import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { availableBackends, initBackend } from '../../../../src/core/compute/backend';
import { nativeCalls, nativeDeclined, nativeImpls } from '../../../../src/core/compute/kernels/nativeConv';
import { nativeKernels } from '../../../../src/core/compute/native';
import { assertKernelMatchesCpu, assertNoLeak, type ConvCase, MATMUL_SHAPES, matMulCombos, randomValues, size, useNative } from './kernelHarness';

/**
 * The native kernels (oneDNN through native/) against the cpu backend: forward, input and filter gradients of
 * convolutions over strides, paddings (same, valid, explicit and asymmetric, ones where tfjs's floor drops input
 * rows), dilations, 1x1 and 5x5 filters, one input channel; and matrix products with every transpose. Each case
 * also checks that the native path ran (oneDNN declined nothing), since the wasm fallback would match cpu too.
 */
const CASES: ConvCase[] = [
  { x: [3, 8, 8, 2], k: [3, 3], co: 4, stride: 1, pad: 'same' },
  { x: [3, 8, 8, 2], k: [3, 3], co: 4, stride: 1, pad: 'valid' },
  { x: [2, 9, 7, 3], k: [3, 3], co: 5, stride: 2, pad: 'same' },
  { x: [2, 9, 7, 3], k: [3, 3], co: 5, stride: 2, pad: 'valid' },
  { x: [2, 10, 10, 8], k: [3, 3], co: 16, stride: 2, pad: 'same' },
  { x: [2, 7, 9, 8], k: [3, 3], co: 4, stride: 1, pad: 1 },
  { x: [2, 7, 9, 8], k: [3, 2], co: 4, stride: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 11, 11, 6], k: [5, 5], co: 3, stride: 2, pad: 'same' },
  // 1x1 stride 2 on an even size: the last input row and column are never read (negative bottom/right padding).
  { x: [2, 8, 8, 5], k: [1, 1], co: 7, stride: 2, pad: 'valid' },
  { x: [2, 8, 8, 4], k: [3, 3], co: 8, stride: 3, pad: 'same' },
  { x: [4, 12, 12, 1], k: [3, 3], co: 32, stride: 1, pad: 'same' },
  { x: [1, 16, 16, 16], k: [3, 3], co: 16, stride: 1, pad: 'same' },
  // The ResNet ImageNet stem: 7x7 stride 2, PyTorch's padding 3, on an even side (a bottom row and right column of
  // padding unread) and an odd one.
  { x: [2, 16, 16, 3], k: [7, 7], co: 16, stride: 2, pad: 3 },
  { x: [2, 17, 15, 3], k: [7, 7], co: 8, stride: 2, pad: 3 },
];

const DILATED: ConvCase[] = [
  { x: [2, 11, 10, 3], k: [3, 3], co: 8, stride: 1, pad: 'same', dilation: 2 },
  { x: [2, 11, 10, 3], k: [3, 3], co: 8, stride: 1, pad: 'valid', dilation: 2 },
];

/**
 * oneDNN ran every shape on a JIT kernel: its reference loop ('ref:any') is 10-100x slower, which is what a
 * strided (cropped) view of x gave the ResNet shortcut until the view became a dense copy.
 */
function assertJitOnly(): void {
  assert.deepEqual([...nativeImpls].filter(([, impl]) => impl.startsWith('ref')), [], 'no shape ran on oneDNN\'s reference kernel');
}

const inputs = (c: ConvCase) => {
  const filterShape = [c.k[0], c.k[1], c.x[3], c.co];
  return { x: randomValues(size(c.x), 1), filter: randomValues(size(filterShape), 2), filterShape };
};

function outShape(c: ConvCase): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(c.x, [c.k[0], c.k[1], c.x[3], c.co], c.stride, c.dilation ?? 1, c.pad, undefined, false, 'channelsLast');
  return [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
}

test('native Conv2D matches cpu (strides, pads, dilations, 1x1, 5x5, one input channel)', async (t) => {
  if (!(await useNative(t))) return;
  nativeDeclined.clear();
  nativeImpls.clear();
  for (const c of [...CASES, ...DILATED]) {
    const { x, filter, filterShape } = inputs(c);
    await assertKernelMatchesCpu(
      'Conv2D',
      { x: { values: x, shape: c.x }, filter: { values: filter, shape: filterShape } },
      { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilation ?? 1 } as unknown as tf.NamedAttrMap,
      JSON.stringify(c),
    );
  }
  assert.deepEqual([...nativeDeclined], [], 'oneDNN declined none of the shapes');
  assertJitOnly();
});

test('native Conv2DBackpropInput matches cpu', async (t) => {
  if (!(await useNative(t))) return;
  nativeDeclined.clear();
  nativeImpls.clear();
  for (const c of CASES) {
    const { filter, filterShape } = inputs(c);
    const dyShape = outShape(c);
    await assertKernelMatchesCpu(
      'Conv2DBackpropInput',
      { dy: { values: randomValues(size(dyShape), 3), shape: dyShape }, filter: { values: filter, shape: filterShape } },
      { inputShape: c.x, strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap,
      JSON.stringify(c),
    );
  }
  assert.deepEqual([...nativeDeclined], [], 'oneDNN declined none of the shapes');
  assertJitOnly();
});

test('native Conv2DBackpropFilter matches cpu', async (t) => {
  if (!(await useNative(t))) return;
  nativeDeclined.clear();
  nativeImpls.clear();
  for (const c of CASES) {
    const { x, filterShape } = inputs(c);
    const dyShape = outShape(c);
    await assertKernelMatchesCpu(
      'Conv2DBackpropFilter',
      { x: { values: x, shape: c.x }, dy: { values: randomValues(size(dyShape), 3), shape: dyShape } },
      { filterShape, strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap,
      JSON.stringify(c),
    );
  }
  assert.deepEqual([...nativeDeclined], [], 'oneDNN declined none of the shapes');
  assertJitOnly();
});

test('native BatchMatMul matches cpu for every transpose combination, 2-D, batched and broadcast', async (t) => {
  if (!(await useNative(t))) return;
  const shapes: [number[], number[]][] = [...MATMUL_SHAPES, [[1, 7, 5], [4, 5, 3]], [[2, 3, 7, 5], [2, 3, 5, 3]], [[128, 300], [300, 17]]];
  for (const { a, b, ta, tb } of matMulCombos(shapes)) {
    const before = nativeCalls.matMul;
    await assertKernelMatchesCpu(
      'BatchMatMul',
      { a: { values: randomValues(size(a), 1), shape: a }, b: { values: randomValues(size(b), 2), shape: b } },
      { transposeA: ta, transposeB: tb },
      `a ${a} b ${b} tA ${ta} tB ${tb}`,
    );
    assert.equal(nativeCalls.matMul, before + 1, `a ${a} b ${b}: ran on the native GEMM`);
  }
});

test('native conv gradients and products leak nothing (engine tensors, bytes, wasm data ids)', async (t) => {
  if (!(await useNative(t))) return;
  const x = tf.tensor4d(randomValues(2 * 9 * 9 * 4, 3), [2, 9, 9, 4]);
  const w = tf.variable(tf.tensor4d(randomValues(3 * 3 * 4 * 8, 4), [3, 3, 4, 8]));
  const d = tf.variable(tf.tensor2d(randomValues(5 * 5 * 8 * 3, 5), [5 * 5 * 8, 3]));
  const f = () => tf.grads((xx: tf.Tensor, ww: tf.Tensor, dd: tf.Tensor) =>
    tf.sum(tf.matMul(tf.reshape(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same'), [2, -1]), dd as tf.Tensor2D)))([x, w, d]);
  await assertNoLeak(f, 'conv + matmul gradients');
  tf.dispose([x, w, d]);
});

test('the addon rejects bad arguments with a message naming the problem', async (t) => {
  if (!(await useNative(t))) return;
  const nat = nativeKernels()!;
  const dims = Int32Array.from([1, 4, 4, 2, 3, 3, 2, 4, 4, 1, 1, 1, 1, 1, 1]);
  const f = (n: number) => new Float32Array(n);
  assert.throws(() => nat.conv(0, f(31), f(36), f(32), dims), /shorter than dims require/);
  assert.throws(() => nat.conv(0, f(32), f(36), f(32), dims.subarray(0, 14)), /expected 15 values/);
  assert.throws(() => nat.conv(0, f(32), f(36), f(32), Int32Array.from([1, 4, 4, 2, 3, 3, 2, 4, 4, 0, 1, 1, 1, 1, 1])), /out of range/);
  assert.throws(() => nat.conv(3 as 0, f(32), f(36), f(32), dims), /kind/);
  assert.throws(() => nat.gemm(false, false, 2, 2, 2, f(3), f(4), f(4), 0), /shorter/);
  assert.throws(() => nat.conv(0, [] as unknown as Float32Array, f(36), f(32), dims), /Float32Array/);
});

test('native: false (and DATADIET_NATIVE=0) run the wasm loops and say so in the device', async (t) => {
  if (!(await useNative(t))) return;
  assert.match((await initBackend('wasm', { threads: 2 })).device, /native convolutions and matrix products: oneDNN \d+\.\d+/);
  const off = await initBackend('wasm', { threads: 2, native: false });
  assert.equal(nativeKernels(), undefined);
  assert.doesNotMatch(off.device, /native/);
  process.env.DATADIET_NATIVE = '0';
  try {
    const env = await initBackend('wasm', { threads: 2 });
    assert.equal(nativeKernels(), undefined);
    assert.doesNotMatch(env.device, /native/);
  } finally {
    delete process.env.DATADIET_NATIVE;
  }
  await initBackend('wasm', { threads: 2 });
  assert.ok(nativeKernels());
});

test('availableBackends says the wasm backend runs the native kernels (Choose Compute Backend shows it)', async (t) => {
  if (!(await useNative(t))) return;
  const wasm = (await availableBackends({ adapterTimeoutMs: 5000 })).find((b) => b.name === 'wasm');
  assert.match(wasm?.detail ?? '', /native convolutions and matrix products: oneDNN \d/);
});
