import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; training and per-example scores need them all.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { canFuseInference, fusedConvForward, fusedGroupAt } from './fusedInference';
import { ADD_RELU, BN_APPLY, BN_GRAD, BN_STATS, fusedBatchNormFits, fusedKernelsReady, RELU_GRAD } from '../compute/kernels/fused';

/**
 * A tiny functional layer system instead of tf.layers: per-example gradient methods (GraNd) need each
 * parametrized layer's input and output-gradient, which tf.layers hides. Every layer is a plain object.
 */
export type ParamRole = 'weight' | 'bias' | 'gamma' | 'beta';

export interface Param {
  /** Unique, stable name, e.g. "stage2.block0.conv1/weight". */
  readonly name: string;
  readonly role: ParamRole;
  /** Name of the layer that owns it. */
  readonly layer: string;
  readonly variable: tf.Variable;
}

/**
 * A convolution's or pool's padding: TensorFlow's 'same' (for a stride > 1 on an even size the odd pixel goes to
 * the bottom/right: 0 above, 1 below for a 3x3 stride 2) or 'valid', or a number p: PyTorch's `padding=p`, p zeros
 * on every side, output floor((in + 2p - k) / s) + 1.
 */
export type ConvPad = 'same' | 'valid' | number;

/** What a parametrized linear map (conv or dense) looks like to hooks. */
export interface LinearInfo {
  readonly name: string;
  readonly kind: 'conv2d' | 'dense';
  readonly weight: Param;
  readonly bias?: Param;
  readonly stride?: number;
  readonly pad?: ConvPad;
}

/** A batch norm's learnable per-channel scale and shift, as hooks see them. */
export interface AffineInfo {
  readonly name: string;
  readonly gamma: Param;
  readonly beta: Param;
}

/** A batch norm's parameters and running statistics, as inference-time fusion (fusedInference.ts) folds them. */
export interface NormInfo {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly mean: tf.Variable;
  readonly variance: tf.Variable;
  readonly epsilon: number;
}

export interface ForwardContext {
  readonly training: boolean;
  /**
   * Called with each linear layer's input and output (bias added). May return a replacement output, e.g. the
   * output plus a zero "probe" whose gradient equals the gradient w.r.t. the layer output.
   */
  readonly onLinear?: (info: LinearInfo, input: tf.Tensor, output: tf.Tensor) => tf.Tensor;
  /**
   * Called in inference mode with each batch norm's normalized input (x - mean) / std and its output
   * gamma * xhat + beta; like onLinear it may return a replacement output.
   */
  readonly onAffine?: (info: AffineInfo, normalized: tf.Tensor, output: tf.Tensor) => tf.Tensor;
  /** Collects batch-norm running-stat updates during a training forward; applied after the step. */
  readonly stateUpdates?: StateUpdate[];
}

export interface StateUpdate {
  readonly variable: tf.Variable;
  /** Kept tensor; the caller assigns and disposes it. */
  readonly value: tf.Tensor;
}

export interface Layer {
  readonly name: string;
  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor;
  /** relu(forward(x)), possibly fused (batch norm); `sequential` uses it when a relu layer follows. */
  forwardRelu?(x: tf.Tensor, ctx: ForwardContext): tf.Tensor;
  /** Marks a plain ReLU layer (fused into the layer before it where that one has forwardRelu). */
  readonly isRelu?: boolean;
  /** relu(forward(x) + residual), possibly fused into forward's last layers (`residual` calls it). */
  forwardAddRelu?(x: tf.Tensor, ctx: ForwardContext, residual: tf.Tensor): tf.Tensor;
  /** A convolution's weights, seen by inference-time fusion (fusedInference.ts). */
  readonly conv?: LinearInfo;
  /** A batch norm's parameters and statistics, seen by inference-time fusion. */
  readonly norm?: NormInfo;
  /** Trainable parameters in a stable order. */
  params(): Param[];
  /** Non-trainable state (batch-norm running mean/variance). */
  state(): tf.Variable[];
}

/** Uniform [0,1) source so initialization is seeded and identical across backends. */
export type Uniform = () => number;

export function normalSample(n: number, std: number, uniform: Uniform): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // Box-Muller; 1 - u keeps log away from 0.
    const u1 = 1 - uniform();
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

function variable(values: Float32Array, shape: number[], name: string, trainable = true): tf.Variable {
  // Names must be unique per tfjs engine; several models (K runs) coexist, so suffix a counter.
  const init = tf.tensor(values, shape);
  const v = tf.variable(init, trainable, `${name}#${nextVariableId++}`);
  init.dispose(); // the variable holds its own reference to the data
  return v;
}
let nextVariableId = 0;

function param(layer: string, role: ParamRole, values: Float32Array, shape: number[]): Param {
  return { name: `${layer}/${role}`, role, layer, variable: variable(values, shape, `${layer}/${role}`) };
}

export interface Conv2DOptions {
  readonly kernel: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride?: number;
  readonly pad?: ConvPad;
  readonly bias?: boolean;
}

export function conv2d(name: string, o: Conv2DOptions, uniform: Uniform): Layer {
  const fanIn = o.kernel * o.kernel * o.inChannels;
  // He-normal: keeps activations' scale through ReLU stacks (as PyTorch's kaiming init for ResNets).
  const w = param(name, 'weight', normalSample(fanIn * o.outChannels, Math.sqrt(2 / fanIn), uniform), [
    o.kernel,
    o.kernel,
    o.inChannels,
    o.outChannels,
  ]);
  const b = o.bias === false ? undefined : param(name, 'bias', new Float32Array(o.outChannels), [o.outChannels]);
  const stride = o.stride ?? 1;
  const pad = o.pad ?? 'same';
  const info: LinearInfo = { name, kind: 'conv2d', weight: w, bias: b, stride, pad };
  return {
    name,
    forward(x, ctx) {
      let y: tf.Tensor = tf.conv2d(x as tf.Tensor4D, w.variable as tf.Tensor4D, stride, pad);
      if (b) y = tf.add(y, b.variable);
      return ctx.onLinear ? ctx.onLinear(info, x, y) : y;
    },
    conv: info,
    params: () => (b ? [w, b] : [w]),
    state: () => [],
  };
}

export interface DenseOptions {
  readonly inUnits: number;
  readonly outUnits: number;
  /** 'relu' layers get He init, the classifier LeCun init. */
  readonly init?: 'he' | 'lecun';
}

export function dense(name: string, o: DenseOptions, uniform: Uniform): Layer {
  const gain = o.init === 'lecun' ? 1 : 2;
  const w = param(name, 'weight', normalSample(o.inUnits * o.outUnits, Math.sqrt(gain / o.inUnits), uniform), [
    o.inUnits,
    o.outUnits,
  ]);
  const b = param(name, 'bias', new Float32Array(o.outUnits), [o.outUnits]);
  const info: LinearInfo = { name, kind: 'dense', weight: w, bias: b };
  return {
    name,
    forward(x, ctx) {
      const flat = x.rank === 2 ? x : tf.reshape(x, [x.shape[0], -1]);
      const y = tf.add(tf.matMul(flat as tf.Tensor2D, w.variable as tf.Tensor2D), b.variable);
      return ctx.onLinear ? ctx.onLinear(info, flat, y) : y;
    },
    params: () => [w, b],
    state: () => [],
  };
}

export const BN_EPSILON = 1e-5;
/** PyTorch's convention: running = (1 - m) * running + m * batch. */
export const BN_MOMENTUM = 0.1;

/**
 * Batch normalization over N,H,W per channel with a hand-written backward pass: the stock gradient composes
 * many small kernels and costs ~40% of a ResNet step on wasm (compute.md); this one is three reductions.
 * On wasm (fusedKernelsReady) it runs on fused kernels instead (compute/kernels/fused.ts): one pass for the
 * statistics (and the running-stat update), one for normalize + scale + shift (+ the ReLU that follows, see
 * forwardRelu), two for the backward.
 */
export function batchNorm(name: string, channels: number): Layer {
  const gamma = param(name, 'gamma', new Float32Array(channels).fill(1), [channels]);
  const beta = param(name, 'beta', new Float32Array(channels), [channels]);
  const runMean = variable(new Float32Array(channels), [channels], `${name}/running_mean`, false);
  const runVar = variable(new Float32Array(channels).fill(1), [channels], `${name}/running_var`, false);
  const info: AffineInfo = { name, gamma, beta };
  const forward = (x: tf.Tensor, ctx: ForwardContext, relu: boolean): tf.Tensor => {
    const fused = fusedBatchNormFits(x) && x.shape[x.rank - 1] === channels && fusedKernelsReady();
    if (!ctx.training && ctx.onAffine) {
      if (fused) {
        const [xhat, affine] = batchNormHookedFused(x, gamma.variable, beta.variable, runMean, runVar);
        const out = ctx.onAffine(info, xhat, affine);
        return relu ? tf.relu(out) : out;
      }
      const xhat = tf.mul(tf.sub(x, runMean), tf.rsqrt(tf.add(runVar, BN_EPSILON)));
      const out = ctx.onAffine(info, xhat, tf.add(tf.mul(xhat, gamma.variable), beta.variable));
      return relu ? tf.relu(out) : out;
    }
    if (!ctx.training) {
      if (fused) return batchNormInferFused(x, gamma.variable, beta.variable, runMean, runVar, relu);
      const inv = tf.rsqrt(tf.add(runVar, BN_EPSILON));
      const scale = tf.mul(gamma.variable, inv);
      const shift = tf.sub(beta.variable, tf.mul(runMean, scale));
      const out = tf.add(tf.mul(x, scale), shift);
      return relu ? tf.relu(out) : out;
    }
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const count = x.size / channels;
    if (fused) {
      const [mean, variance, newMean, newVar] = tf.engine().runKernel(
        BN_STATS,
        { x, runMean, runVar },
        { momentum: BN_MOMENTUM },
      ) as tf.Tensor[];
      if (ctx.stateUpdates) {
        ctx.stateUpdates.push({ variable: runMean, value: tf.keep(newMean) }, { variable: runVar, value: tf.keep(newVar) });
      }
      return batchNormTrainFused(x, gamma.variable, beta.variable, mean, variance, relu);
    }
    const { mean, variance } = tf.moments(x, axes);
    if (ctx.stateUpdates) {
      const unbiased = tf.mul(variance, count / Math.max(1, count - 1));
      ctx.stateUpdates.push(
        { variable: runMean, value: tf.keep(tf.add(tf.mul(runMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM))) },
        { variable: runVar, value: tf.keep(tf.add(tf.mul(runVar, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM))) },
      );
    }
    const out = batchNormTrain(x, gamma.variable, beta.variable, mean, variance, axes, count);
    return relu ? tf.relu(out) : out;
  };
  return {
    name,
    forward: (x, ctx) => forward(x, ctx, false),
    forwardRelu: (x, ctx) => forward(x, ctx, true),
    norm: { gamma: gamma.variable, beta: beta.variable, mean: runMean, variance: runVar, epsilon: BN_EPSILON },
    params: () => [gamma, beta],
    state: () => [runMean, runVar],
  };
}

function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  axes: number[],
  count: number,
): tf.Tensor {
  const f = tf.customGrad((xIn, g, b, save) => {
    const xt = xIn as tf.Tensor;
    const invStd = tf.rsqrt(tf.add(variance, BN_EPSILON));
    const xhat = tf.mul(tf.sub(xt, mean), invStd);
    (save as (ts: tf.Tensor[]) => void)([xhat, invStd, g as tf.Tensor]);
    const value = tf.add(tf.mul(xhat, g as tf.Tensor), b as tf.Tensor);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xh, inv, gm] = saved;
      const dbeta = tf.sum(dy, axes);
      const dgamma = tf.sum(tf.mul(dy, xh), axes);
      // dx = gamma * invStd / N * (N * dy - sum(dy) - xhat * sum(dy * xhat))
      const k = tf.mul(gm, tf.div(inv, count));
      const dx = tf.mul(tf.sub(tf.sub(tf.mul(dy, count), dbeta), tf.mul(xh, dgamma)), k);
      return [dx, dgamma, dbeta];
    };
    return { value, gradFunc };
  });
  return f(x, gamma, beta);
}

/**
 * Training-mode batch norm (+ ReLU) on the fused wasm kernels, with the batch statistics from BN_STATS. The
 * backward is BN_GRAD (ReLU mask, then the batch-norm backward through the batch statistics).
 */
function batchNormTrainFused(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  relu: boolean,
): tf.Tensor {
  const attrs = { epsilon: BN_EPSILON, relu };
  const f = tf.customGrad((xIn, g, b, save) => {
    const value = tf.engine().runKernel(BN_APPLY, { x: xIn as tf.Tensor, mean, variance, gamma: g as tf.Tensor, beta: b as tf.Tensor }, attrs) as tf.Tensor;
    // Everything the backward reads must be saved: tensors of the forward scope are disposed before it runs.
    (save as (ts: tf.Tensor[]) => void)([xIn as tf.Tensor, g as tf.Tensor, mean, variance, value]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, gs, ms, vs, ys] = saved;
      const inputs: tf.NamedTensorMap = { dy, x: xs, gamma: gs, mean: ms, variance: vs };
      if (relu) inputs.y = ys;
      return tf.engine().runKernel(BN_GRAD, inputs, attrs) as tf.Tensor[];
    };
    return { value, gradFunc };
  });
  return f(x, gamma, beta);
}

/** Inference-mode batch norm (+ ReLU) on the fused apply kernel; differentiable in x, gamma and beta. */
function batchNormInferFused(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  runMean: tf.Tensor,
  runVar: tf.Tensor,
  relu: boolean,
): tf.Tensor {
  const attrs = { epsilon: BN_EPSILON, relu };
  const f = tf.customGrad((xIn, g, b, save) => {
    const value = tf.engine().runKernel(BN_APPLY, { x: xIn as tf.Tensor, mean: runMean, variance: runVar, gamma: g as tf.Tensor, beta: b as tf.Tensor }, attrs) as tf.Tensor;
    (save as (ts: tf.Tensor[]) => void)([xIn as tf.Tensor, g as tf.Tensor, runMean, runVar, value]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, gs, ms, vs, ys] = saved;
      const gm = relu ? (tf.engine().runKernel(RELU_GRAD, { dy, y: ys }) as tf.Tensor) : dy;
      const axes = xs.shape.slice(0, -1).map((_, i) => i);
      const inv = tf.rsqrt(tf.add(vs, BN_EPSILON));
      return [tf.mul(gm, tf.mul(gs, inv)), tf.sum(tf.mul(gm, tf.mul(tf.sub(xs, ms), inv)), axes), tf.sum(gm, axes)];
    };
    return { value, gradFunc };
  });
  return f(x, gamma, beta);
}

/**
 * Inference-mode batch norm for the per-layer hooks (GraNd, the NTK): [xhat, gamma * xhat + beta], each one fused
 * pass, differentiable in x only. The hooks take the per-example affine gradients from xhat and the output
 * gradient themselves and never differentiate through gamma and beta, so neither is taped; the composed path
 * held five activation-sized tensors per batch norm until the backward pass ended, this one two.
 */
function batchNormHookedFused(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  runMean: tf.Tensor,
  runVar: tf.Tensor,
): [tf.Tensor, tf.Tensor] {
  const attrs = { epsilon: BN_EPSILON, relu: false };
  const c = gamma.shape[0];
  const xhat = tf.tidy(() =>
    tf.engine().runKernel(BN_APPLY, { x, mean: runMean, variance: runVar, gamma: tf.ones([c]), beta: tf.zeros([c]) }, attrs) as tf.Tensor,
  );
  const f = tf.customGrad((xIn, save) => {
    const value = tf.engine().runKernel(BN_APPLY, { x: xIn as tf.Tensor, mean: runMean, variance: runVar, gamma, beta }, attrs) as tf.Tensor;
    (save as (ts: tf.Tensor[]) => void)([tf.mul(gamma, tf.rsqrt(tf.add(runVar, BN_EPSILON)))]);
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]) };
  });
  return [xhat, f(x)];
}

/** relu(a + b) for same-shaped float32 tensors: one fused kernel (and one for its gradient) on wasm. */
export function addRelu(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const fits =
    a.dtype === 'float32' && b.dtype === 'float32' && a.rank === b.rank && a.shape.every((d, i) => d === b.shape[i]);
  if (!fits || !fusedKernelsReady()) return tf.relu(tf.add(a, b));
  const f = tf.customGrad((aIn, bIn, save) => {
    const value = tf.engine().runKernel(ADD_RELU, { a: aIn as tf.Tensor, b: bIn as tf.Tensor }) as tf.Tensor;
    (save as (ts: tf.Tensor[]) => void)([value]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const g = tf.engine().runKernel(RELU_GRAD, { dy, y: saved[0] }) as tf.Tensor;
      return [g, g];
    };
    return { value, gradFunc };
  });
  return f(a, b);
}

export function relu(name = 'relu'): Layer {
  return { name, isRelu: true, forward: (x) => tf.relu(x), params: () => [], state: () => [] };
}

/**
 * Max-pool of `size` x `size` windows, stride `stride` (default: the size). A numeric pad p is PyTorch's: padded
 * cells never win (the backends' pools leave them out; maxPoolGrad.test.ts checks on all-negative inputs), and the
 * output side is floor((n + 2p - size) / stride) + 1.
 */
export function maxPool(name: string, size = 2, stride = size, pad: 'valid' | number = 'valid'): Layer {
  return {
    name,
    forward: (x) => tf.maxPool(x as tf.Tensor4D, size, stride, pad),
    params: () => [],
    state: () => [],
  };
}

export function globalAvgPool(name = 'gap'): Layer {
  return { name, forward: (x) => tf.mean(x, [1, 2]), params: () => [], state: () => [] };
}

export function flatten(name = 'flatten'): Layer {
  return { name, forward: (x) => tf.reshape(x, [x.shape[0], -1]), params: () => [], state: () => [] };
}

export function sequential(name: string, layers: Layer[]): Layer {
  /** The layers in order; with `residual`, relu(layers(x) + residual), fused into the last conv group if it can be. */
  const run = (x: tf.Tensor, ctx: ForwardContext, residual?: tf.Tensor): tf.Tensor => {
    const fuse = canFuseInference(ctx);
    let h = x;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i];
      const group = fuse ? fusedGroupAt(layers, i) : undefined;
      if (group) {
        const last = i + group.length === layers.length;
        if (last && residual && !group.relu) return fusedConvForward(h, group, residual, true);
        h = fusedConvForward(h, group);
        i += group.length - 1;
      } else if (l.forwardRelu && layers[i + 1]?.isRelu) {
        h = l.forwardRelu(h, ctx);
        i++;
      } else {
        h = l.forward(h, ctx);
      }
    }
    return residual ? addRelu(h, residual) : h;
  };
  return {
    name,
    forward: (x, ctx) => run(x, ctx),
    forwardAddRelu: (x, ctx, residual) => run(x, ctx, residual),
    params: () => layers.flatMap((l) => l.params()),
    state: () => layers.flatMap((l) => l.state()),
  };
}

/** y = relu(main(x) + shortcut(x)): the residual pattern of both ResNet block kinds. */
export function residual(name: string, main: Layer, shortcut: Layer | undefined): Layer {
  return {
    name,
    forward(x, ctx) {
      if (main.forwardAddRelu && canFuseInference(ctx)) {
        // The shortcut first, so that the main branch's last conv adds it (and the ReLU) as it writes its output.
        return main.forwardAddRelu(x, ctx, shortcut ? shortcut.forward(x, ctx) : x);
      }
      const m = main.forward(x, ctx);
      const s = shortcut ? shortcut.forward(x, ctx) : x;
      return addRelu(m, s);
    },
    params: () => [...main.params(), ...(shortcut ? shortcut.params() : [])],
    state: () => [...main.state(), ...(shortcut ? shortcut.state() : [])],
  };
}
