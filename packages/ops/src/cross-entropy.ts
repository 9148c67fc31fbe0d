import * as tf from '@tensorflow/tfjs-core';
import { customGradOp } from './custom-grad';
import { OpInputError, fmtShape } from './errors';
import { CROSS_ENTROPY_GRAD_KERNEL, CROSS_ENTROPY_KERNEL } from './kernels/fused-cross-entropy';
import { useFused } from './kernels/fused-switch';

export type Reduction = 'mean' | 'sum' | 'none';

export interface CrossEntropyOptions {
  /** Targets equal to this are ignored (PyTorch/HF: −100). */
  ignoreIndex?: number;
  /** ε: the target is `(1−ε)·onehot + ε/C` (PyTorch `label_smoothing`). */
  labelSmoothing?: number;
  /** `'mean'` over non-ignored targets (default), `'sum'`, or `'none'` (per target). */
  reduction?: Reduction;
}

/**
 * Softmax cross-entropy from logits `[..., C]` and integer targets `[...]`, with PyTorch's
 * semantics for `ignore_index` and `label_smoothing`. One difference: when every target is
 * ignored, `'mean'` returns 0 rather than PyTorch's NaN, so one empty batch cannot poison a run.
 *
 * On wasm, cpu and webgpu two fused kernels do it: one pass over the logits forward and one that writes the
 * gradient `(softmax − target)·w` directly — nothing `[N, C]` is materialised beyond that gradient.
 * Elsewhere the composite (the reference) avoids more than one `[N, C]` tensor beyond the softmax,
 * with the smoothed target built from one `oneHot`.
 */
function crossEntropy_(logits: tf.Tensor, labels: tf.Tensor, options: CrossEntropyOptions = {}): tf.Tensor {
  const { ignoreIndex = -100, labelSmoothing = 0, reduction = 'mean' } = options;
  const c = logits.shape[logits.rank - 1]!;
  const lead = logits.shape.slice(0, -1);
  if (labels.shape.length !== lead.length || labels.shape.some((s, i) => s !== lead[i])) {
    throw new OpInputError('crossEntropy', 'labels', `shape ${fmtShape(lead)} (logits without the class axis)`, fmtShape(labels.shape));
  }
  if (labels.dtype !== 'int32') {
    throw new OpInputError('crossEntropy', 'labels', 'dtype int32', labels.dtype);
  }
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new OpInputError('crossEntropy', 'labelSmoothing', 'a number in [0, 1]', String(labelSmoothing));
  }
  const n = lead.reduce((a, b) => a * b, 1);
  const eps = labelSmoothing;
  const fused = logits.dtype === 'float32' && useFused(CROSS_ENTROPY_KERNEL) && useFused(CROSS_ENTROPY_GRAD_KERNEL);

  const f = customGradOp<[tf.Tensor]>(([z], save) => {
    const flatLabels = tf.reshape(labels, [n]);
    const keep = tf.notEqual(flatLabels, tf.scalar(ignoreIndex, 'int32'));
    const valid = tf.cast(keep, 'float32');
    const safe = tf.where(keep, flatLabels, tf.zerosLike(flatLabels));
    // per-item weight: 1/count for 'mean' (0 when nothing is valid), 1 for 'sum'/'none'
    const weights = reduction === 'mean' ? tf.div(valid, tf.maximum(tf.sum(valid), 1)) : valid;
    const z2 = tf.reshape(z, [n, c]);
    let lse: tf.Tensor;
    let picked: tf.Tensor;
    let meanLogit: tf.Tensor | null = null;
    if (fused) {
      [lse, picked, meanLogit] = tf.engine().runKernel(CROSS_ENTROPY_KERNEL, { logits: z2, labels: safe }, {}) as unknown as tf.Tensor[] as [tf.Tensor, tf.Tensor, tf.Tensor];
    } else {
      lse = tf.logSumExp(z2, -1); // [n]
      const rowOffsets = tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(c, 'int32'));
      picked = tf.gather(tf.reshape(z2, [n * c]), tf.add(rowOffsets, safe));
    }
    let perItem = tf.sub(lse, picked);
    if (eps > 0) {
      const smooth = tf.sub(lse, meanLogit ?? tf.mean(z2, -1));
      perItem = tf.add(tf.mul(1 - eps, perItem), tf.mul(eps, smooth));
    }
    save([z2, lse, safe, weights]);
    const weighted = tf.mul(perItem, weights);
    const value = reduction === 'none' ? tf.reshape(weighted, lead) : tf.sum(weighted);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [zs, l, sf, w] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        if (fused) {
          const scale = reduction === 'none' ? tf.mul(tf.reshape(dy, [n]), w) : tf.mul(tf.reshape(dy, []), w);
          const dx = tf.engine().runKernel(CROSS_ENTROPY_GRAD_KERNEL, { logits: zs, lse: l, labels: sf, scale }, { eps }) as tf.Tensor;
          return tf.reshape(dx, logits.shape);
        }
        const p = tf.exp(tf.sub(zs, tf.reshape(l, [n, 1])));
        // int32 oneHot then cast: the wasm OneHot kernel writes garbage for dtype float32 (tfjs 4.22)
        const target = tf.add(tf.mul(tf.cast(tf.oneHot(sf, c), 'float32'), 1 - eps), eps / c);
        const scale = reduction === 'none' ? tf.mul(tf.reshape(dy, [n]), w) : tf.mul(dy, w);
        return tf.reshape(tf.mul(tf.sub(p, target), tf.reshape(scale, [n, 1])), logits.shape);
      },
    };
  });
  return f(logits);
}

export const crossEntropy = tf.op({ crossEntropy_ });
