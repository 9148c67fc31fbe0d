import * as tf from '@tensorflow/tfjs-core';
import { customGradOp } from './custom-grad';
import { OpInputError, fmtShape } from './errors';

/**
 * Row lookup `weight[ids]`: `weight` `[V, D]`, integer `ids` of any shape → `[...ids.shape, D]`.
 * The gradient is a scatter-add of the output gradient into the looked-up rows
 * (`UnsortedSegmentSum`, which `registerBackendKernels('wasm')` provides for wasm). As in
 * PyTorch's `nn.Embedding(padding_idx=p)`, row `paddingIdx` gets no gradient from the lookup.
 */
function embedding_(weight: tf.Tensor, ids: tf.Tensor, paddingIdx: number | null = null): tf.Tensor {
  if (weight.rank !== 2) throw new OpInputError('embedding', 'weight', 'rank 2 [vocab,dim]', fmtShape(weight.shape));
  if (ids.dtype !== 'int32') throw new OpInputError('embedding', 'ids', 'dtype int32', ids.dtype);
  const [v, d] = weight.shape as [number, number];
  const n = ids.size;
  const f = customGradOp<[tf.Tensor]>(([w], save) => {
    const flat = tf.reshape(ids, [n]);
    save([flat]);
    return {
      value: tf.reshape(tf.gather(w, flat), [...ids.shape, d]),
      gradFunc: (dy, [savedIds]) => {
        let g = tf.reshape(dy, [n, d]);
        if (paddingIdx != null) {
          const keep = tf.reshape(tf.cast(tf.notEqual(savedIds!, tf.scalar(paddingIdx, 'int32')), 'float32'), [n, 1]);
          g = tf.mul(g, keep);
        }
        return tf.unsortedSegmentSum(g, savedIds as tf.Tensor1D, v);
      },
    };
  });
  return f(weight);
}

export const embedding = tf.op({ embedding_ });
