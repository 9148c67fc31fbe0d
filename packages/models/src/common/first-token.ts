import * as tf from '@tensorflow/tfjs-core';
import { TfjsPeftError } from '@tfjs-peft/core';

/** `h[:, :1]`: the first position of `[B, T, H]` states, kept as `[B, 1, H]`. */
export function firstPosition(h: tf.Tensor): tf.Tensor {
  const [b, , d] = h.shape as [number, number, number];
  return tf.slice(h, [0, 0, 0], [b, 1, d]);
}

/** `h[:, 0]`: the first position of `[B, T, H]` states as `[B, H]` (what poolers and heads read). */
export function firstToken(h: tf.Tensor): tf.Tensor {
  const [b, , d] = h.shape as [number, number, number];
  return tf.reshape(firstPosition(h), [b, d]);
}

/** `firstTokenOnly` was asked of a model or mode that needs every position's state. */
export class FirstTokenOnlyError extends TfjsPeftError {
  constructor(where: string, why: string) {
    super('FIRST_TOKEN_ONLY_UNSUPPORTED', `firstTokenOnly: ${where} ${why}; leave firstTokenOnly unset there`);
  }
}
