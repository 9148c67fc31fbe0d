import * as tf from '@tensorflow/tfjs-core';
import { Module, Embedding, LayerNorm, Dropout, ShapeError } from '@tfjs-peft/core';
import type { BertConfig } from './config';

/** Word + absolute position (+ token type) embeddings, LayerNorm, dropout (HF `BertEmbeddings`). */
export class BertEmbeddings extends Module {
  word_embeddings: Embedding;
  position_embeddings: Embedding;
  token_type_embeddings: Embedding | null;
  LayerNorm: LayerNorm;
  dropout: Dropout;

  constructor(readonly c: BertConfig) {
    super();
    this.word_embeddings = new Embedding(c.vocabSize, c.hiddenSize, { paddingIdx: c.padTokenId, initStd: 0.02 });
    this.position_embeddings = new Embedding(c.maxPositionEmbeddings, c.hiddenSize, { initStd: 0.02 });
    this.token_type_embeddings = c.typeVocabSize > 0 ? new Embedding(c.typeVocabSize, c.hiddenSize, { initStd: 0.02 }) : null;
    this.LayerNorm = new LayerNorm(c.hiddenSize, c.layerNormEps);
    this.dropout = new Dropout(c.hiddenDropoutProb);
  }

  /**
   * `inputIds` `[B, T]` int32, or `inputsEmbeds` `[B, T, H]` in place of the word-embedding lookup
   * (as HF: positions, token types, LayerNorm and dropout still apply). Positions start at `pastLength`.
   */
  forward(inputIds: tf.Tensor | null, tokenTypeIds?: tf.Tensor | null, pastLength = 0, inputsEmbeds: tf.Tensor | null = null): tf.Tensor {
    if (inputIds && inputIds.rank !== 2) throw new ShapeError('input_ids', '[batch, seq]', inputIds.shape);
    if (inputsEmbeds && (inputsEmbeds.rank !== 3 || inputsEmbeds.shape[2] !== this.c.hiddenSize)) {
      throw new ShapeError('inputs_embeds', `[batch, seq, ${this.c.hiddenSize}]`, inputsEmbeds.shape);
    }
    if (!inputIds && !inputsEmbeds) throw new ShapeError('input_ids', 'input_ids or inputs_embeds', []);
    const [b, t] = (inputsEmbeds ?? inputIds)!.shape as [number, number];
    const maxPos = this.c.maxPositionEmbeddings - (this.c.positionOffset ? this.c.padTokenId + 1 : 0);
    if (pastLength + t > maxPos) {
      throw new ShapeError('input_ids', `at most ${maxPos} positions (max_position_embeddings)`, [b, t]);
    }
    return tf.tidy(() => {
      let positions: tf.Tensor;
      if (this.c.positionOffset && inputIds) {
        // RoBERTa: cumulative count of non-padding tokens, offset by padding_idx
        const notPad = tf.cast(tf.notEqual(inputIds, tf.scalar(this.c.padTokenId, 'int32')), 'int32');
        positions = tf.add(tf.mul(tf.cumsum(notPad, 1), notPad), tf.scalar(this.c.padTokenId, 'int32'));
      } else {
        const start = this.c.positionOffset ? pastLength + this.c.padTokenId + 1 : pastLength;
        positions = tf.expandDims(tf.range(start, start + t, 1, 'int32'), 0);
      }
      const words = inputsEmbeds ?? this.word_embeddings.forward(inputIds!);
      let e = tf.add(words, this.position_embeddings.forward(positions));
      if (this.token_type_embeddings) {
        const types = tokenTypeIds ?? tf.zeros([b, t], 'int32');
        if (types.shape.join(',') !== `${b},${t}`) throw new ShapeError('token_type_ids', [b, t], types.shape);
        e = tf.add(e, this.token_type_embeddings.forward(types));
      }
      return this.dropout.forward(this.LayerNorm.forward(e));
    });
  }
}
