import * as tf from '@tensorflow/tfjs-core';
import { cloneModule, type AffineNorm } from '@tfjs-peft/core';
import { AdapterLayer } from '../adapter-layer';
import type { NamedTensor } from '../method';

export interface LnMask {
  weight?: tf.Tensor;
  bias?: tf.Tensor;
}

const disposeSaved = (s: { weight: tf.Tensor; bias: tf.Tensor | null }) => tf.dispose(s.bias ? [s.weight, s.bias] : [s.weight]);

/**
 * LayerNorm tuning (HF PEFT `LNTuningLayer`): a trainable copy of the norm (LayerNorm, or RMSNorm
 * with its weight only) per adapter in `ln_tuning_layers`, used instead of the frozen `base_layer`;
 * it stores absolute values, not deltas. With element masks (Fisher-selected subsets) only masked elements can differ from the
 * base: the effective parameter is `mask·tuned + (1−mask)·base`, so unmasked elements get no
 * gradient. Merge copies the effective values into the base; unmerge restores them.
 */
export class LnTuningLayer extends AdapterLayer<AffineNorm> {
  readonly kind = 'ln-tuning';
  ln_tuning_layers = new Map<string, AffineNorm>();
  private readonly _masks = new Map<string, LnMask>();
  private readonly _saved = new Map<string, { weight: tf.Tensor; bias: tf.Tensor | null }>();

  addAdapter(name: string, mask?: LnMask): void {
    const copy = this.adopt(cloneModule(this.base_layer));
    copy.unfreeze();
    this.ln_tuning_layers.set(name, copy);
    if (mask) this._masks.set(name, mask);
    if (this._active == null) this._active = name;
  }

  adapterNames(): string[] {
    return [...this.ln_tuning_layers.keys()];
  }
  /** PEFT's keys: `ln_tuning_layers.weight` (and `ln_tuning_layers.bias` when the norm has one); saved as the effective (masked) values. */
  peftTensors(name: string): NamedTensor[] {
    const ln = this.ln_tuning_layers.get(name);
    if (!ln) return [];
    const weight: NamedTensor = {
      name: 'ln_tuning_layers.weight',
      shape: ln.weight.shape,
      read: () => tf.tidy(() => tf.clone(this.effective(name).weight)),
      write: (t) => ln.weight.assign(t),
      parameter: ln.weight,
    };
    const bias = ln.bias;
    if (!bias) return [weight];
    return [
      weight,
      { name: 'ln_tuning_layers.bias', shape: bias.shape, read: () => tf.tidy(() => tf.clone(this.effective(name).bias!)), write: (t) => bias.assign(t), parameter: bias },
    ];
  }

  /** γ and β the adapter applies (masked mix of tuned and base; without a mask, the tuned variables themselves); β null for an RMSNorm. */
  effective(name: string): { weight: tf.Tensor; bias: tf.Tensor | null } {
    const tuned = this.ln_tuning_layers.get(name)!;
    const mask = this._masks.get(name);
    const mix = (t: tf.Tensor, base: tf.Tensor, m?: tf.Tensor) => (m ? tf.add(tf.mul(t, m), tf.mul(base, tf.sub(1, m))) : t);
    const baseBias = this.base_layer.bias;
    return {
      weight: mix(tuned.weight.value, this.base_layer.weight.value, mask?.weight),
      bias: tuned.bias && baseBias ? mix(tuned.bias.value, baseBias.value, mask?.bias) : null,
    };
  }

  forward(x: tf.Tensor): tf.Tensor {
    const name = this.useAdapter();
    if (name == null || !this.ln_tuning_layers.has(name)) return this.base_layer.forward(x);
    // PEFT runs the tuned copy; with a mask, the base norm's formula on the mixed values
    if (!this._masks.has(name)) return this.ln_tuning_layers.get(name)!.forward(x);
    return tf.tidy(() => {
      const { weight, bias } = this.effective(name);
      return this.base_layer.forwardWith(x, weight, bias);
    });
  }

  merge(name: string): void {
    // copies: without a mask `effective` returns the tuned variables themselves
    const [weight, bias] = tf.tidy(() => {
      const e = this.effective(name);
      return e.bias ? [tf.clone(e.weight), tf.clone(e.bias)] : [tf.clone(e.weight)];
    });
    const base = this.base_layer;
    this._saved.set(name, { weight: tf.clone(base.weight.value), bias: base.bias ? tf.clone(base.bias.value) : null });
    base.weight.variable.assign(weight!);
    if (bias) base.bias?.variable.assign(bias);
    tf.dispose(bias ? [weight, bias] : [weight]);
  }
  unmerge(name: string): void {
    const s = this._saved.get(name);
    if (!s) return;
    this.base_layer.weight.variable.assign(s.weight);
    if (s.bias) this.base_layer.bias?.variable.assign(s.bias);
    disposeSaved(s);
    this._saved.delete(name);
  }
  protected override disposeBuffers(): void {
    for (const m of this._masks.values()) tf.dispose([m.weight, m.bias].filter((t): t is tf.Tensor => !!t));
    for (const s of this._saved.values()) disposeSaved(s);
    this._masks.clear();
    this._saved.clear();
  }

  deleteAdapter(name: string): void {
    this.ln_tuning_layers.get(name)?.dispose();
    this.ln_tuning_layers.delete(name);
    const m = this._masks.get(name);
    if (m) tf.dispose([m.weight, m.bias].filter((t): t is tf.Tensor => !!t));
    this._masks.delete(name);
    const s = this._saved.get(name);
    if (s) disposeSaved(s); // the backup of a merged adapter: merged for good
    this._saved.delete(name);
    if (this._active === name) this._active = this.adapterNames()[0] ?? null;
  }
}
