import * as tf from '@tensorflow/tfjs-core';
import { embedding } from '@tfjs-peft/ops';
import { Module } from '../module/module';
import { Parameter } from '../module/parameter';
import { nextSeed } from '../random';

/** `nn.Embedding`: `weight` `[num, dim]`, N(0, initStd) (PyTorch: std 1), the padding row zeroed
 * at init and given no gradient by the lookup (PyTorch `padding_idx`). */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: { paddingIdx?: number | null; initStd?: number } = {},
  ) {
    super();
    const pad = options.paddingIdx;
    this.paddingIdx = pad ?? null;
    this.weight = new Parameter(
      tf.tidy(() => {
        const w = tf.randomNormal([numEmbeddings, embeddingDim], 0, options.initStd ?? 1, 'float32', nextSeed());
        if (pad == null) return w;
        const isPad = tf.reshape(tf.equal(tf.range(0, numEmbeddings, 1, 'int32'), tf.scalar(pad, 'int32')), [numEmbeddings, 1]);
        return tf.where(tf.broadcastTo(isPad, w.shape), tf.zerosLike(w), w);
      }),
      { name: 'weight' },
    );
  }

  forward(ids: tf.Tensor): tf.Tensor {
    return embedding(this.weight.value, ids, this.paddingIdx);
  }
}
