import * as tf from '@tensorflow/tfjs-core';
import { activation } from '@tfjs-peft/core';

function quickGelu_(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}

/** HF `QuickGELUActivation` (OpenAI CLIP's `hidden_act` `quick_gelu`): `x·σ(1.702·x)`, autodiff gradient. */
export const quickGelu = tf.op({ quickGelu_ });

/** The op for a CLIP `hidden_act`: `quick_gelu` here, the others from `activation()`. */
export function clipActivation(name: string): (x: tf.Tensor) => tf.Tensor {
  return name === 'quick_gelu' ? quickGelu : activation(name);
}
