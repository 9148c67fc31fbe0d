import * as tf from '@tensorflow/tfjs-core';
import { OpInputError } from './errors';
import { customGradOp } from './custom-grad';
import { SOFTMAX_GRAD_KERNEL, SOFTMAX_KERNEL } from './kernels/fused-softmax';
import { useFused } from './kernels/fused-switch';

function lastAxis(op: string, x: tf.Tensor, axis: number): void {
  if (axis !== -1 && axis !== x.rank - 1) {
    throw new OpInputError(op, 'axis', `-1 or ${x.rank - 1} (the last axis)`, String(axis));
  }
}

/**
 * Softmax over the last axis, numerically stable. On wasm, cpu and webgpu the backward is one fused pass
 * from the output alone (`dx = y·(dy − Σ dy·y)`), and on cpu the forward too; elsewhere tfjs's
 * kernel and gradient, which stay the reference.
 */
export function softmaxLastAxis(x: tf.Tensor): tf.Tensor {
  if (x.dtype !== 'float32' || !useFused(SOFTMAX_GRAD_KERNEL)) return tf.softmax(x, -1);
  const fusedForward = useFused(SOFTMAX_KERNEL);
  const f = customGradOp<[tf.Tensor]>(([xi], save) => {
    // inside the custom gradient tf.softmax records nothing on the tape: only this op's gradient runs
    const y = fusedForward ? (tf.engine().runKernel(SOFTMAX_KERNEL, { x: xi }, {}) as tf.Tensor) : tf.softmax(xi, -1);
    save([y]);
    return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(SOFTMAX_GRAD_KERNEL, { dy, y: saved[0]! }, {}) as tf.Tensor };
  });
  return f(x);
}

function softmax_(x: tf.Tensor, axis = -1): tf.Tensor {
  lastAxis('softmax', x, axis);
  return softmaxLastAxis(x);
}

/** log-softmax over the last axis: `x − logΣexp(x)`. */
function logSoftmax_(x: tf.Tensor, axis = -1): tf.Tensor {
  lastAxis('logSoftmax', x, axis);
  return tf.sub(x, tf.logSumExp(x, -1, true));
}

export const softmax = tf.op({ softmax_ });
export const logSoftmax = tf.op({ logSoftmax_ });
