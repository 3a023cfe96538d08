import * as tf from '@tensorflow/tfjs-core';
import { runNativeConv } from './nativeConv';
import { asShape4, heapF32, input, pair, type KernelArgs, type PadAttr, Scope } from './util';

/**
 * DataDietFusedConv: an inference-time convolution with what follows it in a ResNet block or a small CNN, as one
 * oneDNN primitive:
 *
 *   y = act(conv(x, filter) * scale + shift [+ residual]),   act = ReLU when attrs.relu, else identity
 *
 * with scale and shift per output channel, from an eval-mode batch norm (inputs gamma, beta, mean, variance:
 * scale = gamma / sqrt(variance + epsilon), shift = beta - mean * scale, folded into the filter) or from the
 * conv's own bias (input bias: scale 1, shift = bias). The residual (same shape as y) is oneDNN's sum post-op and
 * the ReLU its eltwise post-op, so the output is written once instead of three times (conv, batch norm, add +
 * ReLU), which is how PyTorch's CPU inference runs too. Inputs: x [N, H, W, Ci], filter [KH, KW, Ci, Co], then
 * `bias` or the four batch-norm vectors [Co], and `residual` optionally. Attrs: strides, pad (as tf.conv2d),
 * relu, epsilon.
 *
 * No gradient: models/fusedInference.ts calls it only outside gradient tapes. Without the native kernels, or for
 * a shape oneDNN declines, the same result is composed from the registered wasm kernels.
 */
export const FUSED_CONV = 'DataDietFusedConv';

/** scale and shift [Co] of the call, in ordinary (not heap) memory: the addon reads them during the call. */
function scaleShift(backend: KernelArgs['backend'], inputs: tf.NamedTensorInfoMap, co: number, epsilon: number): [Float32Array, Float32Array] {
  const vec = (name: string): Float32Array => {
    const t = input(inputs, name, FUSED_CONV);
    if (t.dtype !== 'float32' || t.shape.length !== 1 || t.shape[0] !== co) {
      throw new Error(`${FUSED_CONV}: ${name} must be a float32 vector of ${co}, got [${t.shape.join(', ')}] ${t.dtype}`);
    }
    return heapF32(backend, t);
  };
  if (inputs.bias) return [new Float32Array(co).fill(1), Float32Array.from(vec('bias'))];
  const [gamma, beta, mean, variance] = ['gamma', 'beta', 'mean', 'variance'].map(vec);
  const scale = new Float32Array(co);
  const shift = new Float32Array(co);
  for (let o = 0; o < co; o++) {
    scale[o] = gamma[o] / Math.sqrt(variance[o] + epsilon);
    shift[o] = beta[o] - mean[o] * scale[o];
  }
  return [scale, shift];
}

function fusedConv(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x', FUSED_CONV);
  const filter = input(inputs, 'filter', FUSED_CONV);
  const residual = inputs.residual;
  const relu = attrs.relu === true;
  const info = tf.backend_util.computeConv2DInfo(
    asShape4(x.shape, `${FUSED_CONV} x`),
    asShape4(filter.shape, `${FUSED_CONV} filter`),
    pair(attrs.strides, `${FUSED_CONV} strides`),
    1,
    attrs.pad as PadAttr,
    undefined,
    false,
    'channelsLast',
  );
  const outShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (residual && (residual.dtype !== 'float32' || residual.shape.join() !== outShape.join())) {
    throw new Error(`${FUSED_CONV}: residual must be float32 [${outShape.join(', ')}], got [${residual.shape.join(', ')}] ${residual.dtype}`);
  }
  const [scale, shift] = scaleShift(backend, inputs, info.outChannels, Number(attrs.epsilon ?? 0));
  const native = nativeFused(args, info, outShape, scale, shift, relu);
  if (native) return native;
  return composed(args, outShape, scale, shift, relu);
}

/** The oneDNN path, or undefined (shape remembered as declined) when it cannot run. */
function nativeFused(
  { inputs, backend }: KernelArgs,
  info: tf.backend_util.Conv2DInfo,
  outShape: number[],
  scale: Float32Array,
  shift: Float32Array,
  relu: boolean,
): tf.TensorInfo | undefined {
  const residual = inputs.residual;
  const operands = [input(inputs, 'x', FUSED_CONV), input(inputs, 'filter', FUSED_CONV), ...(residual ? [residual] : [])];
  const kind = `fused${residual ? '+res' : ''}${relu ? '+relu' : ''}`;
  return runNativeConv(backend, kind, operands, outShape, info, (nat, [xv, fv, rv], ov, d) =>
    nat.convFused(xv, fv, scale, shift, rv ?? null, ov, d, relu),
  );
}

/** The same result from the registered wasm kernels: Conv2D, then per-channel Multiply and Add, Add, Relu. */
function composed({ inputs, backend, attrs }: KernelArgs, outShape: number[], scale: Float32Array, shift: Float32Array, relu: boolean): tf.TensorInfo {
  const scope = new Scope(backend);
  try {
    const vector = (v: Float32Array): tf.TensorInfo => {
      const t = scope.track(backend.makeOutput([v.length], 'float32'));
      heapF32(backend, t).set(v);
      return t;
    };
    let y = scope.run(tf.Conv2D, { x: input(inputs, 'x', FUSED_CONV), filter: input(inputs, 'filter', FUSED_CONV) }, { strides: attrs.strides, pad: attrs.pad, dataFormat: 'NHWC', dilations: 1 });
    y = scope.run(tf.Multiply, { a: y, b: vector(scale) });
    y = scope.run(tf.Add, { a: y, b: vector(shift) });
    if (inputs.residual) y = scope.run(tf.Add, { a: y, b: inputs.residual });
    if (relu) y = scope.run(tf.Relu, { x: y });
    if (y.shape.join() !== outShape.join()) throw new Error(`${FUSED_CONV}: composed output [${y.shape.join(', ')}] != [${outShape.join(', ')}]`);
    return scope.release(y);
  } finally {
    scope.dispose();
  }
}

export const fusedConvConfig: tf.KernelConfig = {
  kernelName: FUSED_CONV,
  backendName: 'wasm',
  kernelFunc: fusedConv as unknown as tf.KernelFunc,
};
