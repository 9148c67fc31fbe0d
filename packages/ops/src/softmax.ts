import * as tf from '@tensorflow/tfjs-core';
import { OpInputError } from './errors';

function lastAxis(op: string, x: tf.Tensor, axis: number): void {
  if (axis !== -1 && axis !== x.rank - 1) {
    throw new OpInputError(op, 'axis', `-1 or ${x.rank - 1} (the last axis)`, String(axis));
  }
}

/** Softmax over the last axis (numerically stable; tfjs's kernel with its gradient). */
function softmax_(x: tf.Tensor, axis = -1): tf.Tensor {
  lastAxis('softmax', x, axis);
  return tf.softmax(x, -1);
}

/** log-softmax over the last axis: `x − logΣexp(x)`. */
function logSoftmax_(x: tf.Tensor, axis = -1): tf.Tensor {
  lastAxis('logSoftmax', x, axis);
  return tf.sub(x, tf.logSumExp(x, -1, true));
}

export const softmax = tf.op({ softmax_ });
export const logSoftmax = tf.op({ logSoftmax_ });
