import * as tf from '@tensorflow/tfjs-core';
import { OpInputError } from './errors';
import { DROPOUT_KERNEL, dropoutMask } from './kernels/fused-dropout';
import { useFused } from './kernels/fused-switch';

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales the rest by
 * `1/(1−rate)`. The mask depends only on `seed` and the shape, so a run replays exactly;
 * callers advance the seed per call (the `Dropout` layer in `@tfjs-peft/core` does). The mask is
 * a counter-based hash of (seed, element), the same on every backend. On wasm, cpu and webgpu one
 * fused kernel applies it and the backward pass regenerates it (no mask is kept for backward);
 * elsewhere the mask is built in JavaScript and multiplied in.
 * Outside training, or with `rate` 0, it returns `x` unchanged.
 */
function dropout_(x: tf.Tensor, rate: number, seed: number, training = true): tf.Tensor {
  if (!(rate >= 0 && rate < 1)) throw new OpInputError('dropout', 'rate', 'a number in [0, 1)', String(rate));
  if (!training || rate === 0) return x;
  if (x.dtype === 'float32' && useFused(DROPOUT_KERNEL)) return tf.engine().runKernel(DROPOUT_KERNEL, { x }, { rate, seed }) as tf.Tensor;
  return tf.mul(x, tf.tensor(dropoutMask(x.size, rate, seed), x.shape, 'float32'));
}

export const dropout = tf.op({ dropout_ });
