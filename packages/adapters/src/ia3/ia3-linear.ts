import * as tf from '@tensorflow/tfjs-core';
import { Linear, Parameter } from '@tfjs-peft/core';
import { AdapterLayer, parameterTensor } from '../adapter-layer';
import type { NamedTensor } from '../method';

/**
 * (IA)³ on a Linear (HF PEFT `ia3.Linear`): a learned vector `ia3_l`, initialised to 1. For a
 * feed-forward target it is `[1, in]` and scales the input, `y = W (x ⊙ l) + b`; otherwise `[out, 1]`
 * and scales the output, `y = (W x + b) ⊙ l`. Merge scales W (and b for non-feed-forward); unmerge
 * divides by `l + 1e-8`, as PEFT.
 */
export class IA3Linear extends AdapterLayer<Linear> {
  readonly kind = 'ia3';
  ia3_l = new Map<string, Parameter>();

  constructor(
    base: Linear,
    readonly isFeedforward: boolean,
  ) {
    super(base);
  }

  addAdapter(name: string): void {
    const shape = this.isFeedforward ? [1, this.base_layer.inFeatures] : [this.base_layer.outFeatures, 1];
    this.ia3_l.set(name, new Parameter(tf.ones(shape), { name: 'ia3_l' }));
    if (this._active == null) this._active = name;
  }

  adapterNames(): string[] {
    return [...this.ia3_l.keys()];
  }
  /** PEFT's key: `ia3_l`. */
  peftTensors(name: string): NamedTensor[] {
    const l = this.ia3_l.get(name);
    return l ? [parameterTensor('ia3_l', l)] : [];
  }

  forward(x: tf.Tensor): tf.Tensor {
    const name = this.useAdapter();
    const l = name == null ? undefined : this.ia3_l.get(name);
    if (!l) return this.base_layer.forward(x);
    return tf.tidy(() => {
      if (this.isFeedforward) return this.base_layer.forward(tf.mul(x, tf.reshape(l.value, [this.base_layer.inFeatures])));
      return tf.mul(this.base_layer.forward(x), tf.reshape(l.value, [this.base_layer.outFeatures]));
    });
  }

  private scale(name: string, inverse: boolean): void {
    const l = this.ia3_l.get(name)!.value;
    const f = (t: tf.Tensor, s: tf.Tensor) => (inverse ? tf.div(t, tf.add(s, 1e-8)) : tf.mul(t, s));
    const w = this.base_layer.weight;
    // assign inside the tidy, so the tensor holding the new value is released (the variable keeps its data)
    tf.tidy(() => w.variable.assign(f(w.value, l)));
    const b = this.base_layer.bias;
    if (b && !this.isFeedforward) tf.tidy(() => b.variable.assign(f(b.value, tf.reshape(l, [this.base_layer.outFeatures]))));
  }
  merge(name: string): void {
    this.scale(name, false);
  }
  unmerge(name: string): void {
    this.scale(name, true);
  }
  deleteAdapter(name: string): void {
    this.ia3_l.get(name)?.dispose();
    this.ia3_l.delete(name);
    if (this._active === name) this._active = this.adapterNames()[0] ?? null;
  }
}
