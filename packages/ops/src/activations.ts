import * as tf from '@tensorflow/tfjs-core';
import { customGradOp } from './custom-grad';
import { GELU_KERNEL } from './kernels/fused-gelu';
import { useFused } from './kernels/fused-switch';
import { OpInputError } from './errors';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export type GeluApproximate = 'none' | 'tanh';

/**
 * GELU. `'none'` is the exact form `x·Φ(x)` (HF `gelu`, PyTorch default); `'tanh'` is
 * `0.5·x·(1+tanh(√(2/π)(x+0.044715x³)))` (HF `gelu_new`/`gelu_pytorch_tanh`). The gradient is
 * analytic, so backward saves only `x`. On the cpu backend one fused kernel computes each direction
 * (`registerBackendKernels`); elsewhere, and as its reference, the composite below.
 */
function gelu_(x: tf.Tensor, approximate: GeluApproximate = 'none'): tf.Tensor {
  if (x.dtype === 'float32' && useFused(GELU_KERNEL)) return tf.engine().runKernel(GELU_KERNEL, { x }, { approximate }) as tf.Tensor;
  const f = customGradOp<[tf.Tensor]>(([xi], save) => {
    save([xi]);
    if (approximate === 'tanh') {
      const inner = tf.mul(SQRT_2_OVER_PI, tf.add(xi, tf.mul(0.044715, tf.pow(xi, 3))));
      const value = tf.mul(tf.mul(0.5, xi), tf.add(1, tf.tanh(inner)));
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs] = saved as [tf.Tensor];
          const u = tf.mul(SQRT_2_OVER_PI, tf.add(xs, tf.mul(0.044715, tf.pow(xs, 3))));
          const t = tf.tanh(u);
          const du = tf.mul(SQRT_2_OVER_PI, tf.add(1, tf.mul(3 * 0.044715, tf.square(xs))));
          const sech2 = tf.sub(1, tf.square(t));
          const d = tf.add(tf.mul(0.5, tf.add(1, t)), tf.mul(tf.mul(0.5, xs), tf.mul(sech2, du)));
          return tf.mul(dy, d);
        },
      };
    }
    const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(xi, SQRT1_2))));
    return {
      value: tf.mul(xi, cdf),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs] = saved as [tf.Tensor];
        const phi = tf.mul(INV_SQRT_2PI, tf.exp(tf.mul(-0.5, tf.square(xs))));
        const c = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(xs, SQRT1_2))));
        return tf.mul(dy, tf.add(c, tf.mul(xs, phi)));
      },
    };
  });
  return f(x);
}

function relu_(x: tf.Tensor): tf.Tensor {
  return tf.relu(x);
}

/** SiLU / swish: `x·σ(x)`, gradient `σ(x)·(1 + x·(1−σ(x)))`. */
function silu_(x: tf.Tensor): tf.Tensor {
  const f = customGradOp<[tf.Tensor]>(([xi], save) => {
    save([xi]);
    return {
      value: tf.mul(xi, tf.sigmoid(xi)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs] = saved as [tf.Tensor];
        const s = tf.sigmoid(xs);
        return tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(xs, tf.sub(1, s)))));
      },
    };
  });
  return f(x);
}

export const gelu = tf.op({ gelu_ });
export const relu = tf.op({ relu_ });
export const silu = tf.op({ silu_ });

export type ActivationName = 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'relu' | 'silu' | 'swish';

/** Maps a Hugging Face `hidden_act` string to the op. */
export function activation(name: string): (x: tf.Tensor) => tf.Tensor {
  switch (name) {
    case 'gelu':
      return (x) => gelu(x, 'none');
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
    case 'gelu_fast':
      return (x) => gelu(x, 'tanh');
    case 'relu':
      return relu;
    case 'silu':
    case 'swish':
      return silu;
    default:
      throw new OpInputError('activation', 'name', 'one of gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu, swish', `unknown hidden_act "${name}"`);
  }
}
