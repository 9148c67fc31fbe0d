import * as tf from '@tensorflow/tfjs-core';
import { linear } from '@tfjs-peft/ops';
import { Module } from '../module/module';
import { Parameter } from '../module/parameter';
import { nextSeed } from '../random';

export interface LinearOptions {
  bias?: boolean;
  /** Initial weights: PyTorch's default U(±1/√in) when omitted, or N(0, std). */
  initStd?: number;
}

/** `nn.Linear`: weight `[out, in]` (the checkpoint layout), optional bias `[out]`. */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    const init = (shape: number[]) =>
      options.initStd != null ? tf.randomNormal(shape, 0, options.initStd, 'float32', nextSeed()) : tf.randomUniform(shape, -bound, bound, 'float32', nextSeed());
    this.weight = new Parameter(
      tf.tidy(() => init([outFeatures, inFeatures])),
      { name: 'weight' },
    );
    this.bias =
      options.bias === false
        ? null
        : new Parameter(
            tf.tidy(() => (options.initStd != null ? tf.zeros([outFeatures]) : init([outFeatures]))),
            { name: 'bias' },
          );
  }

  forward(x: tf.Tensor): tf.Tensor {
    return linear(x, this.weight.value, this.bias?.value ?? null);
  }
}
