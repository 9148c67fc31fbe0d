import * as tf from '@tensorflow/tfjs-core';

/**
 * Global-norm gradient clipping (`torch.nn.utils.clip_grad_norm_`): when the L2 norm of all
 * gradients exceeds `maxNorm`, every gradient is scaled by `maxNorm / (norm + 1e-6)`. Returns the
 * norm before clipping and the (possibly new) gradients; replaced gradients are disposed.
 */
export async function clipGradNorm(grads: Record<string, tf.Tensor>, maxNorm: number): Promise<{ norm: number; grads: Record<string, tf.Tensor> }> {
  const sq = tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
  const norm = Math.sqrt((await sq.data())[0]!);
  sq.dispose();
  if (!(norm > maxNorm)) return { norm, grads };
  const scale = maxNorm / (norm + 1e-6);
  const out: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) {
    out[k] = tf.mul(g, scale);
    g.dispose();
  }
  return { norm, grads: out };
}
