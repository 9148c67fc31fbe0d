import * as tf from '@tensorflow/tfjs-core';
import { Parameter, dropout, nextSeed } from '@tfjs-peft/core';
import { LoraLinear, type LoraLayerOptions } from '../lora/lora-linear';
import { parameterTensor } from '../adapter-layer';
import type { NamedTensor } from '../method';

/** Identity in forward, zero gradient in backward (PyTorch's `.detach()`; tfjs has no stopGradient). */
const detach = (t: tf.Tensor): tf.Tensor =>
  (tf.customGrad(((a: tf.Tensor) => ({ value: tf.clone(a), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as never) as (x: tf.Tensor) => tf.Tensor)(t);

/** Row-wise Euclidean norm of a `[out, in]` matrix (`tf.norm` throws inside its `pow` on the wasm backend with tfjs 4.22). */
const rowNorm = (w: tf.Tensor): tf.Tensor => tf.sqrt(tf.sum(tf.square(w), 1));

/**
 * DoRA on a Linear (HF PEFT `lora.Linear` with `use_dora=True`, `DoraLinearLayer`): LoRA plus a
 * per-output-row `lora_magnitude_vector` m, initialised to ‖W‖ row-wise. Forward, as PEFT:
 * `n = ‖W + s·B·A‖` row-wise, DETACHED (a constant in backward, section 4.3 of the paper),
 * `g = m / n`, `y = base(x) + (g − 1) ⊙ (x Wᵀ) + g ⊙ B(A(dropout(x))) · s` (the bias is not scaled).
 * Merge: `W' = g ⊙ (W + s·B·A)`; unmerge divides by g and subtracts `s·B·A`.
 */
export class DoraLinear extends LoraLinear {
  override readonly kind = 'lora';
  lora_magnitude_vector = new Map<string, Parameter>();
  /** `m / ‖W + ΔW‖` as used at merge time, kept so unmerge restores W exactly as PEFT does. */
  private readonly _mergedScale = new Map<string, tf.Tensor>();

  override addAdapter(name: string, o: LoraLayerOptions): void {
    super.addAdapter(name, o);
    const w = this.base_layer.weight.value;
    this.lora_magnitude_vector.set(
      name,
      new Parameter(
        tf.tidy(() => rowNorm(w)),
        { name: 'lora_magnitude_vector' },
      ),
    );
  }

  /** PEFT's keys: LoRA's and `lora_magnitude_vector` (saved without `.weight`). */
  override peftTensors(name: string): NamedTensor[] {
    const m = this.lora_magnitude_vector.get(name);
    return m ? [...super.peftTensors(name), parameterTensor('lora_magnitude_vector', m)] : super.peftTensors(name);
  }

  /** Row-wise `‖W + s·B·A‖`, `[out]`, with no gradient (PEFT detaches it). */
  weightNorm(name: string): tf.Tensor {
    return tf.tidy(() => detach(rowNorm(tf.add(this.base_layer.weight.value, this.deltaWeight(name)))));
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const name = this.useAdapter();
    if (name == null || !this.lora_magnitude_vector.has(name)) return super.forward(x);
    const p = this.options(name);
    return tf.tidy(() => {
      const base = this.base_layer.forward(x);
      const xin = this.training && p.dropout > 0 ? dropout(x, p.dropout, nextSeed(), true) : x;
      const g = tf.div(this.lora_magnitude_vector.get(name)!.value, this.weightNorm(name));
      const xw = tf.reshape(tf.matMul(tf.reshape(xin, [-1, xin.shape[xin.rank - 1]!]), this.base_layer.weight.value, false, true), [...xin.shape.slice(0, -1), -1]);
      const lora = tf.mul(this.lora_B.get(name)!.forward(this.lora_A.get(name)!.forward(xin)), p.scaling);
      return tf.add(base, tf.add(tf.mul(tf.sub(g, 1), xw), tf.mul(g, lora)));
    });
  }

  override merge(name: string): void {
    const w = this.base_layer.weight;
    const g = tf.tidy(() => tf.div(this.lora_magnitude_vector.get(name)!.value, this.weightNorm(name)));
    this._mergedScale.get(name)?.dispose();
    this._mergedScale.set(name, g);
    tf.tidy(() => w.variable.assign(tf.mul(tf.add(w.value, this.deltaWeight(name)), tf.expandDims(g, 1))));
  }
  override unmerge(name: string): void {
    const w = this.base_layer.weight;
    const g = this._mergedScale.get(name);
    if (g == null) return;
    tf.tidy(() => w.variable.assign(tf.sub(tf.div(w.value, tf.expandDims(g, 1)), this.deltaWeight(name))));
    g.dispose();
    this._mergedScale.delete(name);
  }
  override deleteAdapter(name: string): void {
    this.lora_magnitude_vector.get(name)?.dispose();
    this.lora_magnitude_vector.delete(name);
    this._mergedScale.get(name)?.dispose();
    this._mergedScale.delete(name);
    super.deleteAdapter(name);
  }
}
