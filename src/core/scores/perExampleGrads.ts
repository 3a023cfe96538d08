import * as tf from '@tensorflow/tfjs-core';
import { readSync } from '../compute/read';
import type { AffineInfo, ConvPad, LinearInfo, Param } from '../models/layers';
import type { Model } from '../models/model';
import { AFFINE_GRAD_SQ_NORMS, affineGradSqNormsReady } from '../compute/kernels/affineGradSqNorms';
import { CONV_GRAD_SQ_NORMS, convGradSqNormsReady } from '../compute/kernels/convGradSqNorms';

/**
 * Exact per-example gradient norms from ONE backward pass (no batch-size-1 loop).
 *
 * For a loss sum_i <f(x_i), c_i> with constant cotangents c_i (GraNd: c_i = softmax(f(x_i)) - onehot(y_i), the
 * cross-entropy gradient w.r.t. the logits), the backward pass gives every layer's output gradient g_i for each
 * example separately (batch norm runs in inference mode, so examples do not interact). Each parameter's
 * per-example gradient is then a small product of the layer input a_i and g_i:
 *   dense   dW_i = a_i^T g_i            -> ||dW_i||^2 = ||a_i||^2 ||g_i||^2, ||dW_i||_1 = ||a_i||_1 ||g_i||_1, ...
 *   conv    dW_i = sum_p patch_i(p)^T g_i(p)   either materialized ("direct": a depthwise convolution over
 *           the examples) or through the "ghost norm" sum_pq <patch_i(p),patch_i(q)> <g_i(p),g_i(q)>,
 *           whichever costs fewer multiply-adds for that layer
 *   bias    db_i = sum_p g_i(p);  batch norm: dgamma_i = sum_p g_i(p) * xhat_i(p), dbeta_i = sum_p g_i(p)
 */
export type { ConvMethod, NormKind, ParamSubset } from '../../contract/choices';
import type { ConvMethod, NormKind, ParamSubset } from '../../contract/choices';

export interface GradNormOptions {
  readonly norm?: NormKind;
  readonly subset?: ParamSubset;
  readonly convMethod?: ConvMethod;
}

type Capture =
  | { readonly kind: 'linear'; readonly info: LinearInfo; readonly input: tf.Tensor; dy?: tf.Tensor }
  | { readonly kind: 'affine'; readonly info: AffineInfo; readonly xhat: tf.Tensor; dy?: tf.Tensor };

/** A hooked layer: its capture until its output gradient arrives, then only its per-example part [N]. */
interface LayerNorms {
  readonly name: string;
  capture?: Capture;
  part?: tf.Tensor1D;
  /** The layer selects no parameters of the subset (its part stays empty). */
  empty?: boolean;
}

/** Identity whose backward pass hands the incoming gradient to `sink` (kept, caller disposes). */
function tapGradient(x: tf.Tensor, sink: (dy: tf.Tensor) => void): tf.Tensor {
  const f = tf.customGrad((xIn) => ({
    value: tf.clone(xIn as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => {
      sink(tf.keep(tf.clone(dy)));
      return dy;
    },
  }));
  return f(x);
}

/** Parameter filter of the backward-pass path ('last-layer' has its own closed form, lastLayerNorms). */
function selected(p: Param | undefined, subset: Exclude<ParamSubset, 'last-layer'>): boolean {
  if (!p) return false;
  return subset === 'all' || (subset === 'weights' ? p.role === 'weight' : p.role === 'bias');
}

/** Name of the model's final linear layer (the classifier), found by one cheap symbolic pass over a tiny batch. */
export function lastLinearLayer(model: Model): string {
  let last = '';
  tf.tidy(() => {
    model.forward(tf.zeros([1, ...model.spec.inputShape]) as tf.Tensor4D, {
      training: false,
      onLinear: (info, _input, out) => {
        last = info.name;
        return out;
      },
    });
  });
  return last;
}

/** Per-example reduction of a per-example gradient laid out as [N, ...]: sum of squares, sum of |.|, or max |.|. */
function reduceRows(t: tf.Tensor, norm: NormKind, exampleAxis = 0): tf.Tensor1D {
  const axes = t.shape.map((_, i) => i).filter((i) => i !== exampleAxis);
  if (norm === 'l2') return tf.sum(tf.square(t), axes) as tf.Tensor1D;
  if (norm === 'l1') return tf.sum(tf.abs(t), axes) as tf.Tensor1D;
  return tf.max(tf.abs(t), axes) as tf.Tensor1D;
}

/** Combines per-parameter reductions: squares and |.| add up, maxima take the max. */
function combine(acc: tf.Tensor1D | undefined, part: tf.Tensor1D, norm: NormKind): tf.Tensor1D {
  if (!acc) return part;
  return (norm === 'linf' ? tf.maximum(acc, part) : tf.add(acc, part)) as tf.Tensor1D;
}

/**
 * Explicit padding of a conv before/after along one axis: same/valid as TensorFlow computes it, a number as
 * PyTorch pads (rows past the last window stay unread: callers crop to the windows).
 */
function convPads(inSize: number, outSize: number, k: number, stride: number, pad: ConvPad): [number, number] {
  if (typeof pad === 'number') return [pad, pad];
  if (pad === 'valid') return [0, 0];
  const total = Math.max((outSize - 1) * stride + k - inSize, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * Per-example conv weight gradients, materialized as [K, N, Co] (K = kh*kw*ci): a depthwise convolution of the
 * input, with examples as channels, by the output gradient as filter (the per-example form of the usual
 * "backprop filter = conv of input by dy" identity; the forward stride becomes the filter dilation).
 */
export function convWeightGradsDirect(input: tf.Tensor4D, dy: tf.Tensor4D, k: number, stride: number, pad: ConvPad): tf.Tensor3D {
  const [n, h, w, ci] = input.shape;
  const [, oh, ow, co] = dy.shape;
  const [pt, pb] = convPads(h, oh, k, stride, pad);
  const [pl, pr] = convPads(w, ow, k, stride, pad);
  const xp = pt || pb || pl || pr ? tf.pad(input, [[0, 0], [pt, pb], [pl, pr], [0, 0]]) : input;
  const xt = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, Hp, Wp, N]
  const filt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [OH, OW, N, Co]
  let out = tf.depthwiseConv2d(xt, filt, 1, 'valid', 'NHWC', stride); // [Ci, >=k, >=k, N*Co]
  if (out.shape[1] !== k || out.shape[2] !== k) out = tf.slice(out, [0, 0, 0, 0], [ci, k, k, n * co]);
  // Channel index is n*Co + co, so this reshape puts the example on axis 1.
  return tf.reshape(out, [ci * k * k, n, co]) as tf.Tensor3D;
}

/** Patches [N, P, K] of a conv's input (K = kh*kw*ci, same order as the weight's first three axes). */
function patches(input: tf.Tensor4D, k: number, stride: number, pad: ConvPad, oh: number, ow: number): tf.Tensor3D {
  const [n, h, w, ci] = input.shape;
  const [pt, pb] = convPads(h, oh, k, stride, pad);
  const [pl, pr] = convPads(w, ow, k, stride, pad);
  const xp = tf.pad(input, [[0, 0], [pt, pb], [pl, pr], [0, 0]]);
  const cols: tf.Tensor[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      cols.push(tf.stridedSlice(xp, [0, i, j, 0], [n, i + (oh - 1) * stride + 1, j + (ow - 1) * stride + 1, ci], [1, stride, stride, 1]));
    }
  }
  return tf.reshape(tf.concat(cols, 3), [n, oh * ow, k * k * ci]) as tf.Tensor3D;
}

/** Squared per-example weight-gradient norms via the ghost norm: sum_pq (U U^T)_pq (G G^T)_pq. */
export function convWeightSqNormsGhost(input: tf.Tensor4D, dy: tf.Tensor4D, k: number, stride: number, pad: ConvPad): tf.Tensor1D {
  const [n, oh, ow, co] = dy.shape;
  const u = patches(input, k, stride, pad, oh, ow);
  const g = tf.reshape(dy, [n, oh * ow, co]) as tf.Tensor3D;
  const uu = tf.matMul(u, u, false, true);
  const gg = tf.matMul(g, g, false, true);
  return tf.sum(tf.mul(uu, gg), [1, 2]) as tf.Tensor1D;
}

/** Multiply-adds per example of the two exact conv methods: pick the cheaper one. */
export function convCosts(p: number, kDim: number, co: number): { direct: number; ghost: number } {
  return { direct: p * kDim * co, ghost: p * p * (kDim + co) };
}

function linearPart(c: Extract<Capture, { kind: 'linear' }>, norm: NormKind, subset: Exclude<ParamSubset, 'last-layer'>, method: ConvMethod): tf.Tensor1D | undefined {
  const { info, input } = c;
  const dy = c.dy!;
  let acc: tf.Tensor1D | undefined;
  if (selected(info.weight, subset)) {
    let part: tf.Tensor1D;
    if (info.kind === 'dense') {
      // dW_i = a_i g_i^T: every norm of an outer product factorizes.
      if (norm === 'l2') part = tf.mul(tf.sum(tf.square(input), 1), tf.sum(tf.square(dy), 1)) as tf.Tensor1D;
      else if (norm === 'l1') part = tf.mul(tf.sum(tf.abs(input), 1), tf.sum(tf.abs(dy), 1)) as tf.Tensor1D;
      else part = tf.mul(tf.max(tf.abs(input), 1), tf.max(tf.abs(dy), 1)) as tf.Tensor1D;
    } else {
      const k = info.weight.variable.shape[0];
      const [, oh, ow, co] = dy.shape;
      const kDim = k * k * input.shape[3]!;
      const cost = convCosts(oh! * ow!, kDim, co!);
      const stride = info.stride ?? 1;
      const pad = info.pad ?? 'same';
      // On wasm the direct l2 norms run as one fused kernel, several times faster per multiply-add than the
      // ghost norm's per-example batched matmuls.
      const fused = norm === 'l2' && method !== 'ghost' && convGradSqNormsReady();
      const ghostCost = fused ? perExampleGradTuning.fusedDirectOverGhost * cost.ghost : cost.ghost;
      const ghost = norm === 'l2' && (method === 'ghost' || (method === 'auto' && ghostCost < cost.direct));
      part = fused && !ghost
        ? (tf.engine().runKernel(CONV_GRAD_SQ_NORMS, { x: input, dy }, { filterSize: [k, k], strides: [stride, stride], pad }) as tf.Tensor1D)
        : ghost
        ? convWeightSqNormsGhost(input as tf.Tensor4D, dy as tf.Tensor4D, k, stride, pad)
        : reduceRows(convWeightGradsDirect(input as tf.Tensor4D, dy as tf.Tensor4D, k, stride, pad), norm, 1);
    }
    acc = combine(acc, part, norm);
  }
  if (selected(info.bias, subset)) {
    const db = info.kind === 'dense' ? dy : tf.sum(dy, [1, 2]);
    acc = combine(acc, reduceRows(db, norm), norm);
  }
  return acc;
}

function affinePart(c: Extract<Capture, { kind: 'affine' }>, norm: NormKind, subset: Exclude<ParamSubset, 'last-layer'>): tf.Tensor1D | undefined {
  if (subset !== 'all') return undefined; // gamma/beta are neither conv/dense weights nor biases nor the classifier
  const dy = c.dy!;
  if (norm === 'l2' && perExampleGradTuning.fusedAffine && dy.shape[dy.rank - 1]! % 4 === 0 && affineGradSqNormsReady()) {
    return tf.engine().runKernel(AFFINE_GRAD_SQ_NORMS, { dy, xhat: c.xhat }) as tf.Tensor1D; // one fused pass on wasm
  }
  const dgamma = tf.sum(tf.mul(dy, c.xhat), [1, 2]);
  const dbeta = tf.sum(dy, [1, 2]);
  return combine(reduceRows(dgamma, norm), reduceRows(dbeta, norm), norm);
}

/**
 * The classifier's weight gradient needs no backward pass: its output gradient is the cotangent itself, so
 * ||dW_i|| = ||a_i|| ||c_i|| (and likewise for l1 and linf) with a_i the classifier's input.
 */
function lastLayerNorms(model: Model, x: tf.Tensor4D, cotangent: tf.Tensor2D, norm: NormKind): tf.Tensor1D {
  return tf.tidy(() => {
    let features: tf.Tensor | undefined;
    model.forward(x, {
      training: false,
      onLinear: (_info, input, out) => {
        features = input; // the last call wins: the classifier
        return out;
      },
    });
    const a = features as tf.Tensor2D;
    let r: tf.Tensor;
    if (norm === 'l2') r = tf.mul(tf.norm(a, 2, 1), tf.norm(cotangent, 2, 1));
    else if (norm === 'l1') r = tf.mul(tf.sum(tf.abs(a), 1), tf.sum(tf.abs(cotangent), 1));
    else r = tf.mul(tf.max(tf.abs(a), 1), tf.max(tf.abs(cotangent), 1));
    return r as tf.Tensor1D;
  });
}

/** Switches for benchmarks (bench/profile.ts --ab): both change only the work, never the result. */
export const perExampleGradTuning = {
  /** A cotangent given as a function of the logits is computed from the taped forward pass (one forward, not two). */
  singleForward: true,
  /**
   * Differentiate w.r.t. a scalar zero added to the first layer's output instead of w.r.t. the input, so the
   * backward pass stops there (the first conv's input gradient is never needed).
   */
  probe: true,
  /**
   * With the fused direct kernel (wasm), 'auto' takes the ghost norm only where it needs this many times fewer
   * multiply-adds than the direct method (resnet18 x0.25 stage 4, ghost 7x fewer: direct still took 25% less
   * CPU time for the whole GraNd pass; bench/profile.ts --ab grand-direct).
   */
  fusedDirectOverGhost: 16,
  /** Batch-norm affine norms in one fused pass on wasm (else composed from stock ops). */
  fusedAffine: true,
};

/** A cotangent [N, K]: given, or computed from the logits (treated as a constant, not differentiated). */
export type Cotangent = tf.Tensor2D | ((logits: tf.Tensor2D) => tf.Tensor2D);

/** GraNd's cotangent: softmax(logits) - onehot(labels), the cross-entropy gradient w.r.t. the logits. */
export function grandCotangent(labels: Int32Array, numClasses: number): (logits: tf.Tensor2D) => tf.Tensor2D {
  return (logits) =>
    tf.tidy(() => tf.sub(tf.softmax(logits), tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses)) as tf.Tensor2D);
}

/** sum_i <logits_i, c_i> with c = cot(logits) held constant: its gradient w.r.t. the logits is c itself. */
function dotWithConstant(logits: tf.Tensor2D, cot: (logits: tf.Tensor2D) => tf.Tensor2D): tf.Scalar {
  const f = tf.customGrad((l, save) => {
    // Ops inside a custom gradient's forward function are not recorded on the tape.
    const c = cot(l as tf.Tensor2D);
    (save as (ts: tf.Tensor[]) => void)([c]);
    return { value: tf.sum(tf.mul(l as tf.Tensor, c)), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]) };
  });
  return f(logits) as tf.Scalar;
}

/**
 * Norm of each example's gradient of <f(x_i), c_i> w.r.t. the chosen parameters, in inference mode.
 * `cotangent` is [N, numClasses] (or a function of the logits giving it) and treated as a constant. Returns
 * N norms (l2: the square root is taken).
 */
export function perExampleGradNorms(model: Model, x: tf.Tensor4D, cotangent: Cotangent, options: GradNormOptions = {}): Float32Array {
  const t = perExampleGradNormsTensor(model, x, cotangent, options);
  try {
    return readSync(t, 'this per-example gradient analysis');
  } finally {
    t.dispose();
  }
}

/** perExampleGradNorms read asynchronously (every backend, webgpu included: compute/read.ts). */
export async function perExampleGradNormsAsync(model: Model, x: tf.Tensor4D, cotangent: Cotangent, options: GradNormOptions = {}): Promise<Float32Array> {
  const t = perExampleGradNormsTensor(model, x, cotangent, options);
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** perExampleGradNorms as a tensor [N] on the backend (the caller disposes it). */
export function perExampleGradNormsTensor(model: Model, x: tf.Tensor4D, cotangent: Cotangent, options: GradNormOptions = {}): tf.Tensor1D {
  const norm = options.norm ?? 'l2';
  const subset = options.subset ?? 'all';
  const method = options.convMethod ?? 'auto';
  if (subset === 'last-layer') {
    const cot = typeof cotangent === 'function' ? tf.tidy(() => cotangent(model.forward(x, { training: false }) as tf.Tensor2D)) : cotangent;
    try {
      return lastLayerNorms(model, x, cot, norm);
    } finally {
      if (cot !== cotangent) cot.dispose();
    }
  }
  // Each layer's per-example part is computed as soon as its output gradient arrives in the backward pass, and
  // its captured input and gradient are released then: only one layer's worth is held at a time, not all of them.
  const layers: LayerNorms[] = [];
  const reduce = (l: LayerNorms, dy: tf.Tensor): void => {
    const c = l.capture!;
    c.dy = dy;
    try {
      const part = tf.tidy(() => (c.kind === 'linear' ? linearPart(c, norm, subset, method) : affinePart(c, norm, subset)));
      if (part) l.part = tf.keep(part);
      else l.empty = true;
    } finally {
      (c.kind === 'linear' ? c.input : c.xhat).dispose();
      dy.dispose();
      l.capture = undefined;
    }
  };
  try {
    return tf.tidy(() => {
      const { singleForward, probe } = perExampleGradTuning;
      const cot: Cotangent =
        typeof cotangent === 'function' && !singleForward ? cotangent(model.forward(x, { training: false }) as tf.Tensor2D) : cotangent;
      // With the probe, the first hooked layer's output gets + p (p = 0) and the gradient is taken w.r.t. p.
      let pending: tf.Tensor | undefined;
      const first = (out: tf.Tensor): tf.Tensor => {
        if (!pending) return out;
        const y = tf.add(out, pending);
        pending = undefined;
        return y;
      };
      const hook = (capture: Capture, out: tf.Tensor): tf.Tensor => {
        const l: LayerNorms = { name: capture.info.name, capture };
        layers.push(l);
        return tapGradient(out, (dy) => reduce(l, dy));
      };
      const f = (xIn: tf.Tensor, p?: tf.Tensor) => {
        pending = p;
        const logits = model.forward(xIn as tf.Tensor4D, {
          training: false,
          onLinear: (info, input, out) => {
            out = first(out);
            if (!selected(info.weight, subset) && !selected(info.bias, subset)) return out;
            return hook({ kind: 'linear', info, input: tf.keep(tf.clone(input)) }, out); // clone: input may be the caller's x
          },
          onAffine: (info, xhat, out) => {
            out = first(out);
            if (subset !== 'all') return out;
            return hook({ kind: 'affine', info, xhat: tf.keep(xhat) }, out);
          },
        }) as tf.Tensor2D;
        return typeof cot === 'function' ? dotWithConstant(logits, cot) : tf.sum(tf.mul(logits, cot));
      };
      if (probe) tf.grad((p: tf.Tensor) => f(x, p))(tf.scalar(0));
      else tf.grad((xIn: tf.Tensor) => f(xIn))(x);
      let acc: tf.Tensor1D | undefined;
      for (const l of layers) {
        if (!l.part && !l.empty) throw new Error(`no gradient reached layer ${l.name}`);
        if (l.part) acc = acc ? combine(acc, l.part, norm) : tf.clone(l.part); // a clone: l.part is disposed below
      }
      if (!acc) throw new Error(`parameter subset "${subset}" selects no parameters of ${model.spec.arch}`);
      return (norm === 'l2' ? tf.sqrt(acc) : acc) as tf.Tensor1D;
    });
  } finally {
    for (const l of layers) {
      if (l.capture) (l.capture.kind === 'linear' ? l.capture.input : l.capture.xhat).dispose();
      l.part?.dispose();
    }
  }
}
