import * as tf from '@tensorflow/tfjs-core';
import { convForwardDirect } from './convDirect';
import { nativeConvForward } from './nativeConv';
import { assertNHWC, asShape4, input, type KernelArgs, pair, type PadAttr, type RoundingAttr, type WasmKernel } from './util';

/**
 * Conv2D for wasm: the direct SIMD loops of convDirect.ts where they apply (Co % 8 == 0, no dilation, at least 4
 * output columns), else the stock XNNPACK kernel. XNNPACK re-packs the filter whenever the filter tensor is new,
 * which in training is every step; the direct loops re-pack it in one cheap pass and are faster per thread
 * (ResNet-18 x0.25 layers, 1 thread: 17-20 ms vs XNNPACK's 24-26 with its packed filter cached).
 */
let stockConv2D: WasmKernel | undefined;

export function setStockConv2D(k: WasmKernel | undefined): void {
  stockConv2D = k;
}

function conv2d(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x', 'Conv2D');
  const filter = input(inputs, 'filter', 'Conv2D');
  if (x.shape.length === 4 && filter.shape.length === 4 && (attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC' || attrs.dataFormat === 'channelsLast')) {
    assertNHWC(attrs.dataFormat, 'Conv2D');
    const info = tf.backend_util.computeConv2DInfo(
      asShape4(x.shape, 'Conv2D x'),
      asShape4(filter.shape, 'Conv2D filter'),
      pair(attrs.strides, 'Conv2D strides'),
      pair(attrs.dilations ?? 1, 'Conv2D dilations'),
      attrs.pad as PadAttr,
      attrs.dimRoundingMode as RoundingAttr,
      false,
      'channelsLast',
    );
    const out = nativeConvForward(backend, x, filter, info) ?? convForwardDirect(backend, x, filter, info);
    if (out) return out;
  }
  if (!stockConv2D) throw new Error('Conv2D: stock wasm kernel unavailable');
  return stockConv2D(args);
}

export const conv2DConfig: tf.KernelConfig = {
  kernelName: tf.Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2d as unknown as tf.KernelFunc,
};
