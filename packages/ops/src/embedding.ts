import * as tf from '@tensorflow/tfjs-core';
import { OpInputError, fmtShape } from './errors';

/**
 * Row lookup `weight[ids]`: `weight` `[V, D]`, integer `ids` of any shape → `[...ids.shape, D]`.
 * The gradient with respect to `weight` is a scatter-add (`UnsortedSegmentSum`), which
 * `registerBackendKernels('wasm')` provides for the wasm backend.
 */
function embedding_(weight: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  if (weight.rank !== 2) throw new OpInputError('embedding', 'weight', 'rank 2 [vocab,dim]', fmtShape(weight.shape));
  if (ids.dtype !== 'int32') throw new OpInputError('embedding', 'ids', 'dtype int32', ids.dtype);
  const d = weight.shape[1]!;
  const flat = ids.rank === 1 ? ids : tf.reshape(ids, [-1]);
  const rows = tf.gather(weight, flat);
  return ids.rank === 1 ? rows : tf.reshape(rows, [...ids.shape, d]);
}

export const embedding = tf.op({ embedding_ });
