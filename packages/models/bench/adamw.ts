import * as tf from '@tensorflow/tfjs-core';
import type { Parameter } from '@tfjs-peft/core';

// Benchmark-only optimizer until @tfjs-peft/train lands: the same update as torch.optim.AdamW.
/** AdamW (decoupled weight decay, none on biases/LayerNorm), one variable at a time to keep the peak low. */
export class AdamW {
  private m = new Map<Parameter, tf.Variable>();
  private v = new Map<Parameter, tf.Variable>();
  private t = 0;
  constructor(private params: [string, Parameter][], private lr = 2e-5, private wd = 0.01) {}
  step(grads: Record<string, tf.Tensor>): void {
    this.t++;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    for (const [name, p] of this.params) {
      const g = grads[p.variable.name];
      if (!g) continue;
      if (!this.m.has(p)) {
        this.m.set(p, tf.variable(tf.zerosLike(p.value), false));
        this.v.set(p, tf.variable(tf.zerosLike(p.value), false));
      }
      const m = this.m.get(p)!;
      const v = this.v.get(p)!;
      const decay = /bias|LayerNorm/.test(name) ? 0 : this.wd;
      tf.tidy(() => {
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const upd = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        p.variable.assign(tf.sub(tf.mul(p.value, 1 - this.lr * decay), tf.mul(upd, this.lr)));
      });
    }
  }
  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}

