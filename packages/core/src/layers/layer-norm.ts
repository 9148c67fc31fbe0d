import * as tf from '@tensorflow/tfjs-core';
import { layerNorm } from '@tfjs-peft/ops';
import { Module } from '../module/module';
import { Parameter } from '../module/parameter';

/**
 * A normalisation over the last axis whose affine parameters can be swapped in: what LN tuning
 * wraps (PEFT's `LNTuningLayer` takes any norm; here LayerNorm and RMSNorm). `forwardWith` is the
 * layer's forward with other values for `weight` (and `bias`, when the layer has one).
 */
export interface AffineNorm extends Module {
  readonly normalizedShape: number;
  readonly eps: number;
  weight: Parameter;
  /** null for norms without a shift (RMSNorm) */
  readonly bias: Parameter | null;
  forward(x: tf.Tensor): tf.Tensor;
  forwardWith(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null): tf.Tensor;
}

/** Whether `m` is a norm LN tuning can wrap. */
export function isAffineNorm(m: unknown): m is AffineNorm {
  return m instanceof LayerNorm || m instanceof RMSNorm;
}

/** `nn.LayerNorm` over the last dimension; `weight` (γ) starts at 1, `bias` (β) at 0. */
export class LayerNorm extends Module implements AffineNorm {
  weight: Parameter;
  bias: Parameter;

  constructor(
    readonly normalizedShape: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = new Parameter(tf.ones([normalizedShape]), { name: 'weight' });
    this.bias = new Parameter(tf.zeros([normalizedShape]), { name: 'bias' });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return layerNorm(x, this.weight.value, this.bias.value, this.eps);
  }

  forwardWith(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
    return layerNorm(x, weight, bias ?? tf.zerosLike(weight), this.eps);
  }
}

/**
 * Root-mean-square norm over the last dimension (HF `LlamaRMSNorm`, `Qwen2RMSNorm`, `nn.RMSNorm`):
 * `weight · x / √(mean(x²) + ε)`; weight only, starts at 1.
 */
export class RMSNorm extends Module implements AffineNorm {
  weight: Parameter;
  readonly bias = null;

  constructor(
    readonly normalizedShape: number,
    readonly eps = 1e-6,
  ) {
    super();
    this.weight = new Parameter(tf.ones([normalizedShape]), { name: 'weight' });
  }

  /** the size of the normalised axis (transformers' `hidden_size`) */
  get hiddenSize(): number {
    return this.normalizedShape;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.forwardWith(x, this.weight.value, null);
  }

  /** `bias` is ignored: an RMSNorm has none */
  forwardWith(x: tf.Tensor, weight: tf.Tensor, _bias: tf.Tensor | null = null): tf.Tensor {
    return tf.tidy(() => {
      const variance = tf.mean(tf.square(x), -1, true);
      return tf.mul(weight, tf.mul(x, tf.rsqrt(tf.add(variance, this.eps))));
    });
  }
}
