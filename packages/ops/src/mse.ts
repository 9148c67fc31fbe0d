import * as tf from '@tensorflow/tfjs-core';
import { OpInputError, fmtShape } from './errors';
import type { Reduction } from './cross-entropy';

/** Mean squared error (PyTorch `MSELoss`): `'mean'` over all elements, `'sum'`, or `'none'`. */
function mse_(prediction: tf.Tensor, target: tf.Tensor, reduction: Reduction = 'mean'): tf.Tensor {
  if (prediction.shape.join(',') !== target.shape.join(',')) {
    throw new OpInputError('mse', 'target', `shape ${fmtShape(prediction.shape)} (as prediction)`, fmtShape(target.shape));
  }
  const sq = tf.squaredDifference(prediction, tf.cast(target, prediction.dtype));
  if (reduction === 'none') return sq;
  return reduction === 'sum' ? tf.sum(sq) : tf.mean(sq);
}

export const mse = tf.op({ mse_ });
