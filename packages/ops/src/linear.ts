import * as tf from '@tensorflow/tfjs-core';
import { OpInputError, fmtShape } from './errors';
import { addBias, frozenLinear2d, requiresGrad, reshapeView } from './lean-grad';

/**
 * `y = x · Wᵀ + b` with the weight in PyTorch/Hugging Face layout `[out, in]`, so weights
 * load from checkpoints without a transpose. `x` may have any leading dimensions.
 *
 * For the backward pass it keeps what PyTorch keeps: `x` only when `W` trains (for `dW`), nothing
 * for a frozen `W` (a non-trainable `tf.Variable`: `dx = dy · W` needs only `W`), never the output;
 * a frozen weight or bias gets no gradient work at all.
 */
function linear_(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor | null): tf.Tensor {
  if (weight.rank !== 2) throw new OpInputError('linear', 'weight', 'rank 2 [out,in]', fmtShape(weight.shape));
  const [outF, inF] = weight.shape as [number, number];
  if (x.shape[x.rank - 1] !== inF) {
    throw new OpInputError('linear', 'x', `last dimension ${inF}`, fmtShape(x.shape));
  }
  if (bias != null && (bias.rank !== 1 || bias.shape[0] !== outF)) {
    throw new OpInputError('linear', 'bias', `[${outF}]`, fmtShape(bias.shape));
  }
  const x2 = x.rank === 2 ? x : reshapeView(x, [-1, inF]);
  let y: tf.Tensor;
  if (!requiresGrad(weight)) y = frozenLinear2d(x2, weight, bias ?? null);
  else {
    y = tf.matMul(x2, weight, false, true);
    if (bias != null) y = addBias(y, bias);
  }
  return x.rank === 2 ? y : reshapeView(y, [...x.shape.slice(0, -1), outF]);
}

export const linear = tf.op({ linear_ });
