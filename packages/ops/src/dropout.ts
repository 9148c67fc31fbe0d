import * as tf from '@tensorflow/tfjs-core';
import { OpInputError } from './errors';

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales the rest by
 * `1/(1−rate)`. The mask depends only on `seed` and the shape, so a run replays exactly;
 * callers advance the seed per call (the `Dropout` layer in `@tfjs-peft/core` does).
 * Outside training, or with `rate` 0, it returns `x` unchanged.
 */
function dropout_(x: tf.Tensor, rate: number, seed: number, training = true): tf.Tensor {
  if (!(rate >= 0 && rate < 1)) throw new OpInputError('dropout', 'rate', 'a number in [0, 1)', String(rate));
  if (!training || rate === 0) return x;
  const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate), x.dtype);
  return tf.mul(x, tf.mul(keep, 1 / (1 - rate)));
}

export const dropout = tf.op({ dropout_ });
