import * as tf from '@tensorflow/tfjs-core';
import { readSync } from '../compute/read';
import type { AffineInfo, LinearInfo } from '../models/layers';
import type { Model } from '../models/model';
import { convWeightGradsDirect } from '../scores/perExampleGrads';

/**
 * Empirical NTK Gram matrix of the LOGIT Jacobian (Fort et al. 2020; Data Diet appendix B.3): for m examples and
 * C classes, Psi is the mC x N matrix whose rows are the gradients of each logit f_c(x_i) w.r.t. all N parameters,
 * and K = Psi Psi^T (mC x mC). We use the logit Jacobian rather than the per-example loss-gradient Gram because
 * that is the kernel the papers measure: the loss-gradient Gram mixes in the changing softmax errors (which shrink
 * as examples are learned), so its velocity would measure the loss landscape, not how the features move.
 *
 * Rows are ordered class-major (row c*m + i). Batch norm runs in inference mode so examples do not interact.
 *
 * Computed without a batch-size-1 loop: one backward pass per class with cotangent e_c for all m examples gives
 * every layer's output gradient g_{i,c}; then, per layer,
 *   dense   <dW_ic, dW_jd> = <a_i, a_j> <g_ic, g_jd>   (+ <g_ic, g_jd> for the bias): a Hadamard product of Grams
 *   conv    per-example weight gradients materialized (depthwise-conv trick), Gram of their rows; bias sums g
 *   bn      dgamma = sum_p g * xhat, dbeta = sum_p g, Gram of their rows
 * and K is the sum of the per-layer Grams. Memory: the C backward passes' activations gradients plus one conv
 * layer's mC x (params of that layer) at a time: meant for the small windows (m ~ 100) of the velocity study.
 */
export interface NtkGram {
  /** mC x mC, row-major, row index c*m + i. */
  readonly gram: Float32Array;
  /** mC */
  readonly size: number;
}

type Capture =
  | { readonly kind: 'linear'; readonly info: LinearInfo; readonly input: tf.Tensor; dy?: tf.Tensor }
  | { readonly kind: 'affine'; readonly info: AffineInfo; readonly xhat: tf.Tensor; dy?: tf.Tensor };

/** Identity whose backward pass hands the incoming gradient to `sink` (kept; the caller disposes it). */
function tap(x: tf.Tensor, sink: (dy: tf.Tensor) => void): tf.Tensor {
  return tf.customGrad((xIn) => ({
    value: tf.clone(xIn as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => {
      sink(tf.keep(tf.clone(dy)));
      return dy;
    },
  }))(x);
}

/** One backward pass of sum_i f_c(x_i): every parametrized layer's input and output gradient. */
function captureClass(model: Model, x: tf.Tensor4D, c: number): Capture[] {
  const captures: Capture[] = [];
  const m = x.shape[0];
  tf.tidy(() => {
    const cot = tf.oneHot(tf.fill([m], c, 'int32') as tf.Tensor1D, model.spec.numClasses);
    tf.grad((xIn: tf.Tensor) => {
      const logits = model.forward(xIn as tf.Tensor4D, {
        training: false,
        onLinear: (info, input, out) => {
          const cap: Capture = { kind: 'linear', info, input: tf.keep(tf.clone(input)) };
          captures.push(cap);
          return tap(out, (dy) => (cap.dy = dy));
        },
        onAffine: (info, xhat, out) => {
          const cap: Capture = { kind: 'affine', info, xhat: tf.keep(tf.clone(xhat)) };
          captures.push(cap);
          return tap(out, (dy) => (cap.dy = dy));
        },
      });
      return tf.sum(tf.mul(logits, cot));
    })(x);
  });
  return captures;
}

function disposeCaptures(all: Capture[][]): void {
  for (const caps of all) for (const c of caps) {
    (c.kind === 'linear' ? c.input : c.xhat).dispose();
    c.dy?.dispose();
  }
}

/** Rows of the per-(class, example) gradient of one layer, stacked class-major: [mC, P_layer]. */
function rowsOf(layer: Capture[], m: number): tf.Tensor2D[] {
  const first = layer[0];
  if (first.kind === 'affine') {
    return [
      tf.concat(layer.map((c) => tf.reshape(tf.sum(tf.mul(c.dy!, (c as typeof first).xhat), [1, 2]), [m, -1])), 0) as tf.Tensor2D,
      tf.concat(layer.map((c) => tf.reshape(tf.sum(c.dy!, [1, 2]), [m, -1])), 0) as tf.Tensor2D,
    ];
  }
  const { info } = first;
  const out: tf.Tensor2D[] = [];
  const k = info.weight.variable.shape[0];
  out.push(
    tf.concat(
      layer.map((c) => {
        const g = convWeightGradsDirect((c as typeof first).input as tf.Tensor4D, c.dy as tf.Tensor4D, k, info.stride ?? 1, info.pad ?? 'same'); // [K, m, Co]
        return tf.reshape(tf.transpose(g, [1, 0, 2]), [m, -1]);
      }),
      0,
    ) as tf.Tensor2D,
  );
  if (info.bias) out.push(tf.concat(layer.map((c) => tf.reshape(tf.sum(c.dy!, [1, 2]), [m, -1])), 0) as tf.Tensor2D);
  return out;
}

export function logitNtkGram(model: Model, x: tf.Tensor4D): NtkGram {
  const m = x.shape[0];
  const classes = model.spec.numClasses;
  const size = m * classes;
  const perClass: Capture[][] = [];
  try {
    for (let c = 0; c < classes; c++) perClass.push(captureClass(model, x, c));
    const layers = perClass[0].length;
    let gram = tf.zeros([size, size]) as tf.Tensor2D;
    for (let l = 0; l < layers; l++) {
      const layer = perClass.map((caps) => {
        if (!caps[l].dy) throw new Error(`no gradient reached layer ${caps[l].info.name}`);
        return caps[l];
      });
      const next = tf.tidy(() => {
        const first = layer[0];
        let part: tf.Tensor2D;
        if (first.kind === 'linear' && first.info.kind === 'dense') {
          // <a_i a_j> + 1 (bias), tiled over the C x C class blocks, times the output-gradient Gram.
          const a = first.input as tf.Tensor2D;
          const aa = tf.add(tf.matMul(a, a, false, true), 1);
          const g = tf.concat(layer.map((c) => c.dy as tf.Tensor2D), 0);
          part = tf.mul(tf.tile(aa, [classes, classes]), tf.matMul(g, g, false, true)) as tf.Tensor2D;
        } else {
          part = rowsOf(layer, m)
            .map((r) => tf.matMul(r, r, false, true))
            .reduce((s, v) => tf.add(s, v)) as tf.Tensor2D;
        }
        return tf.add(gram, part) as tf.Tensor2D;
      });
      gram.dispose();
      gram = next;
    }
    const out = readSync(gram, 'kernel velocity (NTK Gram matrices)');
    gram.dispose();
    return { gram: out, size };
  } finally {
    disposeCaptures(perClass);
  }
}
