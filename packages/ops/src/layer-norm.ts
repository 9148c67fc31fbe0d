import * as tf from '@tensorflow/tfjs-core';
import { customGradOp } from './custom-grad';
import { OpInputError, fmtShape } from './errors';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from './kernels/fused-layer-norm';
import { useFused } from './kernels/fused-switch';

/**
 * LayerNorm over the last dimension: `(x − mean)/√(var + eps) · γ + β` (biased variance,
 * as PyTorch). Backward is the closed form, saving only `x̂` and `1/σ`:
 * `dx = (1/σ)·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))`, `dγ = Σ dy·x̂`, `dβ = Σ dy`.
 */
function layerNorm_(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  const d = x.shape[x.rank - 1]!;
  if (gamma.rank !== 1 || gamma.shape[0] !== d) {
    throw new OpInputError('layerNorm', 'gamma', `[${d}]`, fmtShape(gamma.shape));
  }
  if (beta.rank !== 1 || beta.shape[0] !== d) {
    throw new OpInputError('layerNorm', 'beta', `[${d}]`, fmtShape(beta.shape));
  }
  const reduceAxes = [...Array(x.rank - 1).keys()];
  const fused = [x, gamma, beta].every((t) => t.dtype === 'float32') && useFused(LAYER_NORM_KERNEL) && useFused(LAYER_NORM_GRAD_KERNEL);
  const f = customGradOp<[tf.Tensor, tf.Tensor, tf.Tensor]>(([xi, g, b], save) => {
    if (fused) {
      // one pass forward (x̂, 1/σ, y), one pass backward (dx, dγ, dβ): wasm SIMD, cpu JavaScript
      const [y, xhat, rstd] = tf.engine().runKernel(LAYER_NORM_KERNEL, { x: xi, gamma: g, beta: b }, { eps }) as unknown as tf.Tensor[];
      save([xhat!, rstd!, g]);
      return {
        value: y!,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xh, rs, gs] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
          return tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, { dy, xhat: xh, rstd: rs, gamma: gs }, {}) as unknown as tf.Tensor[];
        },
      };
    }
    const mean = tf.mean(xi, -1, true);
    const xc = tf.sub(xi, mean);
    const variance = tf.mean(tf.square(xc), -1, true);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(xc, rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gs] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dg = tf.sum(tf.mul(dy, xh), reduceAxes);
        const db = tf.sum(dy, reduceAxes);
        const dxhat = tf.mul(dy, gs);
        const m1 = tf.mean(dxhat, -1, true);
        const m2 = tf.mean(tf.mul(dxhat, xh), -1, true);
        const dx = tf.mul(rs, tf.sub(tf.sub(dxhat, m1), tf.mul(xh, m2)));
        return [dx, dg, db];
      },
    };
  });
  return f(x, gamma, beta);
}

export const layerNorm = tf.op({ layerNorm_ });
