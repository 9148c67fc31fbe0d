import * as tf from '@tensorflow/tfjs-core';
import { OpInputError, fmtShape } from './errors';
import { ADAMW_KERNEL } from './kernels/fused-adamw';
import { useFused } from './kernels/fused-switch';

/** One AdamW step's scalars: torch.optim.AdamW's, with the bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ. */
export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  c1: number;
  c2: number;
}

/**
 * One AdamW update of a parameter, as torch.optim.AdamW: `m' = β₁m + (1−β₁)g`,
 * `v' = β₂v + (1−β₂)g²`, `p' = p(1 − lr·wd) − (lr/c₁)·m'/(√v'/√c₂ + ε)`. Returns `[p', m', v']` (new
 * tensors; assign them to the variables). One fused pass on wasm (SIMD), cpu and webgpu (WGSL); the
 * composite of element-wise ops elsewhere, and as their reference.
 */
export function adamwUpdate(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, h: AdamWHyper): [tf.Tensor, tf.Tensor, tf.Tensor] {
  for (const [name, t] of [
    ['g', g],
    ['m', m],
    ['v', v],
  ] as const) {
    if (t.shape.join(',') !== p.shape.join(',')) throw new OpInputError('adamwUpdate', name, fmtShape(p.shape), fmtShape(t.shape));
  }
  if ([p, g, m, v].every((t) => t.dtype === 'float32') && useFused(ADAMW_KERNEL)) {
    return tf.engine().runKernel(ADAMW_KERNEL, { p, g, m, v }, h as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
  }
  return tf.tidy(() => {
    const m1 = tf.add(tf.mul(m, h.beta1), tf.mul(g, 1 - h.beta1));
    const v1 = tf.add(tf.mul(v, h.beta2), tf.mul(tf.square(g), 1 - h.beta2));
    const denom = tf.add(tf.div(tf.sqrt(v1), Math.sqrt(h.c2)), h.eps);
    const decayed = h.weightDecay ? tf.mul(p, 1 - h.lr * h.weightDecay) : p;
    const p1 = tf.sub(decayed, tf.mul(tf.div(m1, denom), h.lr / h.c1));
    return [p1, m1, v1] as [tf.Tensor, tf.Tensor, tf.Tensor];
  });
}
