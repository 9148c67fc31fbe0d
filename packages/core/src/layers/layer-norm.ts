import * as tf from '@tensorflow/tfjs-core';
import { layerNorm } from '@tfjs-peft/ops';
import { Module } from '../module/module';
import { Parameter } from '../module/parameter';

/** `nn.LayerNorm` over the last dimension; `weight` (γ) starts at 1, `bias` (β) at 0. */
export class LayerNorm extends Module {
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
}
