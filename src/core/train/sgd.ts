import * as tf from '@tensorflow/tfjs-core';

export interface SgdOptions {
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
}

/**
 * SGD with (Nesterov) momentum and L2 weight decay, PyTorch's torch.optim.SGD semantics exactly, so results
 * can be compared with PyTorch runs: d = g + wd*p; buf = m*buf + d (buf = d on the first step);
 * d = d + m*buf if nesterov else buf; p -= lr*d.
 */
export class Sgd {
  private readonly buffers = new Map<tf.Variable, tf.Variable>();

  constructor(private readonly options: SgdOptions) {}

  step(vars: readonly tf.Variable[], grads: tf.NamedTensorMap, lr: number): void {
    const { momentum, nesterov, weightDecay } = this.options;
    for (const v of vars) {
      const g = grads[v.name];
      if (!g) continue;
      tf.tidy(() => {
        let d: tf.Tensor = weightDecay ? tf.add(g, tf.mul(v, weightDecay)) : g;
        if (momentum) {
          const buf = this.buffers.get(v);
          let newBuf: tf.Tensor;
          if (!buf) {
            newBuf = d;
            this.buffers.set(v, tf.variable(d, false));
          } else {
            newBuf = tf.add(tf.mul(buf, momentum), d);
            buf.assign(newBuf);
          }
          d = nesterov ? tf.add(d, tf.mul(newBuf, momentum)) : newBuf;
        }
        v.assign(tf.sub(v, tf.mul(d, lr)));
      });
    }
  }

  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }
}
