import * as tf from '@tensorflow/tfjs-core';
import type { Parameter } from '@tfjs-peft/core';
import { decayFor, type Optimizer, type OptimizerState, type ParamEntry } from './optimizer';

/** SGD with optional momentum and (coupled, L2) weight decay, as `torch.optim.SGD`. */
export class SGD implements Optimizer {
  readonly params: ParamEntry[];
  private buf = new Map<string, tf.Variable>();
  private t = 0;
  constructor(
    params: [string, Parameter][],
    private readonly o: { momentum?: number; weightDecay?: number } = {},
  ) {
    this.params = params.map(([name, param]) => ({ name, param, weightDecay: decayFor(name, o.weightDecay ?? 0) }));
  }
  get slotNames(): readonly string[] {
    return this.o.momentum ? ['momentum_buffer'] : [];
  }
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.t++;
    const mu = this.o.momentum ?? 0;
    for (const { name, param, weightDecay } of this.params) {
      const g0 = grads[param.variable.name];
      if (!g0) continue;
      tf.tidy(() => {
        let g = weightDecay ? tf.add(g0, tf.mul(param.value, weightDecay)) : g0;
        if (mu) {
          const b = this.buf.get(name);
          if (!b)
            this.buf.set(
              name,
              tf.tidy(() => tf.variable(tf.clone(g), false)),
            );
          else b.assign(tf.add(tf.mul(b, mu), g));
          g = this.buf.get(name)!;
        }
        param.variable.assign(tf.sub(param.value, tf.mul(g, lr)));
      });
    }
  }
  state(): OptimizerState {
    return { step: this.t, slots: new Map([...this.buf].map(([n, b]) => [`${n}.momentum_buffer`, b])) };
  }
  loadState(s: OptimizerState): void {
    this.t = s.step;
    for (const { name } of this.params) {
      const b = s.slots.get(`${name}.momentum_buffer`);
      this.buf.get(name)?.dispose();
      this.buf.delete(name);
      if (b)
        this.buf.set(
          name,
          tf.tidy(() => tf.variable(tf.clone(b), false)),
        );
    }
  }
  stateBytes(): number {
    return [...this.buf.values()].reduce((a, b) => a + b.size * 4, 0);
  }
  dispose(): void {
    for (const b of this.buf.values()) b.dispose();
    this.buf.clear();
  }
}
