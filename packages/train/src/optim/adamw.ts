import * as tf from '@tensorflow/tfjs-core';
import type { Parameter } from '@tfjs-peft/core';
import { adamwUpdate } from '@tfjs-peft/core';
import { decayFor, type Optimizer, type OptimizerState, type ParamEntry } from './optimizer';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

/**
 * AdamW as `torch.optim.AdamW`: `p ← p·(1 − lr·wd)`, then the bias-corrected Adam step.
 * Weight decay is skipped for biases and LayerNorm. Moments are created lazily and updated one
 * parameter at a time, so the temporary memory of a step is that of the largest parameter. Each
 * update is `adamwUpdate` (ops): one fused pass on wasm (SIMD) and cpu, element-wise ops elsewhere.
 */
export class AdamW implements Optimizer {
  readonly params: ParamEntry[];
  readonly slotNames = ['exp_avg', 'exp_avg_sq'] as const;
  private m = new Map<string, tf.Variable>();
  private v = new Map<string, tf.Variable>();
  private t = 0;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;

  constructor(params: [string, Parameter][], o: AdamWOptions = {}) {
    this.b1 = o.beta1 ?? 0.9;
    this.b2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    this.params = params.map(([name, param]) => ({ name, param, weightDecay: decayFor(name, o.weightDecay ?? 0.01) }));
  }

  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.t++;
    const c1 = 1 - this.b1 ** this.t;
    const c2 = 1 - this.b2 ** this.t;
    for (const { name, param, weightDecay } of this.params) {
      const g = grads[param.variable.name];
      if (!g) continue;
      if (!this.m.has(name)) {
        this.m.set(
          name,
          tf.tidy(() => tf.variable(tf.zerosLike(param.value), false)),
        );
        this.v.set(
          name,
          tf.tidy(() => tf.variable(tf.zerosLike(param.value), false)),
        );
      }
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const next = adamwUpdate(param.value, g, m, v, { lr, beta1: this.b1, beta2: this.b2, eps: this.eps, weightDecay, c1, c2 });
      // assign takes over the new buffers (reference-counted); the old ones are released
      param.variable.assign(next[0]);
      m.assign(next[1]);
      v.assign(next[2]);
      tf.dispose(next);
    }
  }

  state(): OptimizerState {
    const slots = new Map<string, tf.Tensor>();
    for (const [n, m] of this.m) slots.set(`${n}.exp_avg`, m);
    for (const [n, v] of this.v) slots.set(`${n}.exp_avg_sq`, v);
    return { step: this.t, slots };
  }

  loadState(s: OptimizerState): void {
    this.t = s.step;
    for (const { name, param } of this.params) {
      const m = s.slots.get(`${name}.exp_avg`);
      const v = s.slots.get(`${name}.exp_avg_sq`);
      this.m.get(name)?.dispose();
      this.v.get(name)?.dispose();
      this.m.delete(name);
      this.v.delete(name);
      // no moments in the state: none were made yet (made lazily at the parameter's first gradient)
      if (!m || !v) continue;
      this.m.set(
        name,
        tf.tidy(() => tf.variable(tf.reshape(m, param.shape), false)),
      );
      this.v.set(
        name,
        tf.tidy(() => tf.variable(tf.reshape(v, param.shape), false)),
      );
    }
  }

  stateBytes(): number {
    let n = 0;
    for (const x of [...this.m.values(), ...this.v.values()]) n += x.size * 4;
    return n;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}
