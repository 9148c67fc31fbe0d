import * as tf from '@tensorflow/tfjs-core';
import { Linear, dropout, nextSeed } from '@tfjs-peft/core';
import { AdapterLayer, parameterTensor } from '../adapter-layer';
import type { NamedTensor } from '../method';

export interface LoraLayerOptions {
  r: number;
  alpha: number;
  dropout: number;
  rslora: boolean;
  init: boolean | 'gaussian';
}

/**
 * LoRA on a Linear (HF PEFT `lora.Linear`): `y = W x + b + B(A(dropout(x))) · s` with
 * `lora_A` `[r, in]`, `lora_B` `[out, r]` (no biases) and `s = α/r` (rsLoRA: `α/√r`). B starts at
 * zero, so a fresh adapter is a no-op. Merge adds `s·B·A` to W; unmerge subtracts it.
 */
export class LoraLinear extends AdapterLayer<Linear> {
  readonly kind = 'lora';
  lora_A = new Map<string, Linear>();
  lora_B = new Map<string, Linear>();
  private readonly _opts = new Map<string, LoraLayerOptions & { scaling: number }>();

  addAdapter(name: string, o: LoraLayerOptions): void {
    const { inFeatures, outFeatures } = this.base_layer;
    const a = this.adopt(new Linear(inFeatures, o.r, { bias: false, ...(o.init === 'gaussian' ? { initStd: 1 / o.r } : {}) }));
    const b = this.adopt(new Linear(o.r, outFeatures, { bias: false, initStd: 0 }));
    // inside tidy: assign shares the new tensor's data, the tensor itself must still be released
    tf.tidy(() => b.weight.assign(o.init === false ? tf.randomNormal(b.weight.shape, 0, 0.02, 'float32', nextSeed()) : tf.zeros(b.weight.shape)));
    this.lora_A.set(name, a);
    this.lora_B.set(name, b);
    this._opts.set(name, { ...o, scaling: o.rslora ? o.alpha / Math.sqrt(o.r) : o.alpha / o.r });
    if (this._active == null) this._active = name;
  }

  adapterNames(): string[] {
    return [...this.lora_A.keys()];
  }
  /** PEFT's keys: `lora_A.weight`, `lora_B.weight`. */
  peftTensors(name: string): NamedTensor[] {
    if (!this.lora_A.has(name)) return [];
    return [parameterTensor('lora_A.weight', this.lora_A.get(name)!.weight), parameterTensor('lora_B.weight', this.lora_B.get(name)!.weight)];
  }
  /** The layer options of an adapter (r, alpha, dropout, rsLoRA, init) with its scaling. */
  protected options(name: string): LoraLayerOptions & { scaling: number } {
    return this._opts.get(name)!;
  }
  scaling(name: string): number {
    return this._opts.get(name)!.scaling;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const name = this.useAdapter();
    if (name == null || !this.lora_A.has(name)) return this.base_layer.forward(x);
    const o = this._opts.get(name)!;
    return tf.tidy(() => {
      const base = this.base_layer.forward(x);
      const xin = this.training && o.dropout > 0 ? dropout(x, o.dropout, nextSeed(), true) : x;
      const delta = this.lora_B.get(name)!.forward(this.lora_A.get(name)!.forward(xin));
      return tf.add(base, tf.mul(delta, o.scaling));
    });
  }

  /** `s · B · A`, the weight update this adapter stands for, `[out, in]`. */
  deltaWeight(name: string): tf.Tensor {
    return tf.tidy(() => tf.mul(tf.matMul(this.lora_B.get(name)!.weight.value, this.lora_A.get(name)!.weight.value), this.scaling(name)));
  }

  // assign inside the tidy: the variable keeps the new data, the tensor holding it is released
  // (assigning a tidy's result kept a full copy of W alive per merge and per unmerge)
  merge(name: string): void {
    const w = this.base_layer.weight;
    tf.tidy(() => w.variable.assign(tf.add(w.value, this.deltaWeight(name))));
  }
  unmerge(name: string): void {
    const w = this.base_layer.weight;
    tf.tidy(() => w.variable.assign(tf.sub(w.value, this.deltaWeight(name))));
  }
  deleteAdapter(name: string): void {
    this.lora_A.get(name)?.dispose();
    this.lora_B.get(name)?.dispose();
    this.lora_A.delete(name);
    this.lora_B.delete(name);
    this._opts.delete(name);
    if (this._active === name) this._active = this.adapterNames()[0] ?? null;
  }
}
