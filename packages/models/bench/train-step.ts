import * as tf from '@tensorflow/tfjs-core';
import type { Parameter } from '@tfjs-peft/core';

// Benchmark helpers until @tfjs-peft/train lands: AdamW with torch.optim.AdamW's update, and step timing.
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
        this.m.set(p, tf.tidy(() => tf.variable(tf.zerosLike(p.value), false)));
        this.v.set(p, tf.tidy(() => tf.variable(tf.zerosLike(p.value), false)));
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


/**
 * Times `steps` training steps (forward + backward + AdamW) after one warm-up step; returns the
 * median step time and the peak tensor memory of a step.
 */
export async function timeTrainingSteps(loss: () => tf.Scalar, params: [string, Parameter][], steps: number, lr = 2e-5): Promise<{ ms: number; peak: number }> {
  const { measurePeakBytes } = await import('@tfjs-peft/core');
  const opt = new AdamW(params, lr);
  const step = async () => {
    const { value, grads } = tf.variableGrads(loss, params.map(([, p]) => p.variable));
    opt.step(grads);
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
  };
  await step();
  const times: number[] = [];
  let peak = 0;
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const r = await measurePeakBytes(step);
    times.push(performance.now() - t0);
    peak = Math.max(peak, r.peakBytes);
  }
  opt.dispose();
  times.sort((x, y) => x - y);
  return { ms: times[Math.floor(times.length / 2)]!, peak };
}
