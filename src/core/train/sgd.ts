import * as tf from '@tensorflow/tfjs-core';
import { fusedKernelsReady, SGD } from '../compute/kernels/fused';

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
    // On wasm one fused kernel per parameter (compute/kernels/fused.ts) instead of five to seven small ones.
    const fused = momentum !== 0 && fusedKernelsReady();
    for (const v of vars) {
      const g = grads[v.name];
      if (!g) continue;
      if (fused && v.dtype === 'float32' && g.dtype === 'float32' && g.size === v.size) {
        const buf = this.buffers.get(v);
        const inputs: tf.NamedTensorMap = buf ? { p: v, g, buf } : { p: v, g };
        const [np, nb] = tf.engine().runKernel(SGD, inputs, { lr, momentum, weightDecay, nesterov }) as tf.Tensor[];
        if (buf) buf.assign(nb);
        else this.buffers.set(v, tf.variable(nb, false));
        v.assign(np);
        tf.dispose([np, nb]);
        continue;
      }
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
