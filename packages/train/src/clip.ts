import * as tf from '@tensorflow/tfjs-core';

/** The global L2 norm of all gradients (NaN or Infinity when any gradient is non-finite). */
export async function globalGradNorm(grads: Record<string, tf.Tensor>): Promise<number> {
  const list = Object.values(grads).filter((g): g is tf.Tensor => g != null);
  if (!list.length) return 0;
  const sq = tf.tidy(() => tf.addN(list.map((g) => tf.sum(tf.square(tf.cast(g, 'float32'))))));
  const norm = Math.sqrt((await sq.data())[0]!);
  sq.dispose();
  return norm;
}

/**
 * Global-norm gradient clipping (`torch.nn.utils.clip_grad_norm_`): when the L2 norm of all
 * gradients exceeds `maxNorm`, every gradient is scaled by `maxNorm / (norm + 1e-6)`. Returns the
 * norm before clipping and the (possibly new) gradients; replaced gradients are disposed.
 *
 * A non-finite norm (a NaN or infinite gradient) is reported, not applied: `finite` is false,
 * `norm` is the NaN/Infinity, and the gradients are returned untouched (scaling by
 * `maxNorm / NaN` would only spread the NaN). The caller should skip the update, as PyTorch AMP's
 * `GradScaler` does.
 */
export async function clipGradNorm(grads: Record<string, tf.Tensor>, maxNorm: number): Promise<{ norm: number; finite: boolean; grads: Record<string, tf.Tensor> }> {
  const norm = await globalGradNorm(grads);
  if (!Number.isFinite(norm)) return { norm, finite: false, grads };
  if (!(norm > maxNorm)) return { norm, finite: true, grads };
  const scale = maxNorm / (norm + 1e-6);
  const out: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) {
    out[k] = tf.mul(g, scale);
    g.dispose();
  }
  return { norm, finite: true, grads: out };
}
