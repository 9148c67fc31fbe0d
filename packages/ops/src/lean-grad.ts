import * as tf from '@tensorflow/tfjs-core';
import { OpInputError, fmtShape } from './errors';
import { frozenMatMul } from './kernels/bf16-mat-mul';

/**
 * Ops whose backward pass keeps nothing alive. tfjs's own gradients for `Add`, `Sub`, `Reshape`
 * and `Multiply` save their inputs, often only to read their shapes; on a training step those
 * saved copies pin every pre-bias matmul output, every head-split reshape input and the
 * attention scores until the backward pass reaches them (measured on BERT-mini, batch 8 × 128:
 * ~110 of the 262 MiB saved for backward). The versions here capture shapes and constants in the
 * gradient closure instead; values are identical to the tf ops they replace.
 */

type LeanFunc = (...xs: tf.Tensor[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor) => tf.Tensor | tf.Tensor[] };

/** Runs `f` on `xs` as a custom-gradient op that saves nothing (its gradient closes over what it needs). */
function lean(f: LeanFunc, ...xs: tf.Tensor[]): tf.Tensor {
  const g = tf.customGrad(((...args: unknown[]) => f(...(args.slice(0, xs.length) as tf.Tensor[]))) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (g as (...a: tf.Tensor[]) => tf.Tensor)(...xs);
}

/** Whether the backward pass needs a gradient for `t`: false only for a non-trainable `tf.Variable` (a frozen parameter, PyTorch's `requires_grad=False`). */
export function requiresGrad(t: tf.Tensor): boolean {
  return !(t instanceof tf.Variable) || t.trainable;
}

/** `tf.reshape` whose gradient reshapes `dy` back to the input's shape without keeping the input. */
export function reshapeView(x: tf.Tensor, shape: number[]): tf.Tensor {
  const inShape = x.shape.slice();
  return lean((xi: tf.Tensor) => ({ value: tf.reshape(xi, shape), gradFunc: (dy: tf.Tensor) => tf.reshape(dy, inShape) }), x);
}

/** `y + bias` for `y [..., N]` and `bias [N]`; no gradient work for a frozen bias. */
export function addBias(y: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const n = y.shape[y.rank - 1];
  if (bias.rank !== 1 || bias.shape[0] !== n) throw new OpInputError('addBias', 'bias', `[${n}]`, fmtShape(bias.shape));
  const leading = [...Array(y.rank - 1).keys()];
  if (!requiresGrad(bias)) {
    return lean((yi: tf.Tensor) => ({ value: tf.add(yi, bias), gradFunc: (dy: tf.Tensor) => dy }), y);
  }
  return lean(
    (yi: tf.Tensor, bi: tf.Tensor) => ({
      value: tf.add(yi, bi),
      gradFunc: (dy: tf.Tensor) => [dy, leading.length ? tf.sum(dy, leading) : tf.clone(dy)],
    }),
    y,
    bias,
  );
}

/** `a + b` for two tensors of one shape (residual connections). */
export function addResidual(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (!tf.util.arraysEqual(a.shape, b.shape)) throw new OpInputError('addResidual', 'b', fmtShape(a.shape), fmtShape(b.shape));
  // two tensor objects: each input's gradient may be consumed (and freed) on its own
  return lean((ai: tf.Tensor, bi: tf.Tensor) => ({ value: tf.add(ai, bi), gradFunc: (dy: tf.Tensor) => [dy, tf.clone(dy)] }), a, b);
}

/** `s · scale + shift` where `shift` (a mask bias, broadcast to `s`) is a constant. */
export function scaleShift(s: tf.Tensor, scale: number, shift: tf.Tensor | null): tf.Tensor {
  return lean(
    (si: tf.Tensor) => ({
      value: shift == null ? tf.mul(si, scale) : tf.add(tf.mul(si, scale), shift),
      gradFunc: (dy: tf.Tensor) => tf.mul(dy, scale),
    }),
    s,
  );
}

/**
 * `x · Wᵀ (+ bias)` for a frozen `W [out, in]` and `x [M, in]`: the backward pass computes only
 * `dx = dy · W` (and the bias gradient when the bias trains), and keeps neither `x` nor the
 * output — what PyTorch saves for a linear layer whose weight does not require grad. Both products
 * run in the precision `setFrozenMatMulPrecision` sets (float32 by default).
 */
export function frozenLinear2d(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  const forward = (xi: tf.Tensor, b: tf.Tensor | null) => {
    const y = frozenMatMul(xi, weight, false, true);
    return b == null ? y : tf.add(y, b);
  };
  if (bias == null || !requiresGrad(bias)) {
    return lean((xi: tf.Tensor) => ({ value: forward(xi, bias), gradFunc: (dy: tf.Tensor) => frozenMatMul(dy, weight) }), x);
  }
  return lean(
    (xi: tf.Tensor, bi: tf.Tensor) => ({
      value: forward(xi, bi),
      gradFunc: (dy: tf.Tensor) => [frozenMatMul(dy, weight), tf.sum(dy, 0)],
    }),
    x,
    bias,
  );
}
