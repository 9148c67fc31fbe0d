import type * as tf from '@tensorflow/tfjs-core';
import { dropout } from '@tfjs-peft/ops';
import { Module } from '../module/module';
import { nextSeed } from '../random';

/** `nn.Dropout`: active only in train mode; each call draws a fresh seed from the seed stream. */
export class Dropout extends Module {
  constructor(readonly p: number) {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return x;
    return dropout(x, this.p, nextSeed(), true);
  }
}
