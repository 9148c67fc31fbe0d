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

  /** `inputIds` `[B, T]` int32; positions start at `pastLength` (cached decoding). */
  forward(inputIds: tf.Tensor, tokenTypeIds?: tf.Tensor | null, pastLength = 0): tf.Tensor {
    const [, t] = inputIds.shape as [number, number];
    if (inputIds.rank !== 2) throw new ShapeError('input_ids', '[batch, seq]', inputIds.shape);
    const maxPos = this.c.maxPositionEmbeddings - (this.c.positionOffset ? this.c.padTokenId + 1 : 0);
    if (pastLength + t > maxPos) {
      throw new ShapeError('input_ids', `at most ${maxPos} positions (max_position_embeddings)`, inputIds.shape);
    }
    return tf.tidy(() => {
      let positions: tf.Tensor;
      if (this.c.positionOffset) {
        // RoBERTa: cumulative count of non-padding tokens, offset by padding_idx
        const notPad = tf.cast(tf.notEqual(inputIds, tf.scalar(this.c.padTokenId, 'int32')), 'int32');
        positions = tf.add(tf.mul(tf.cumsum(notPad, 1), notPad), tf.scalar(this.c.padTokenId, 'int32'));
      } else {
        positions = tf.expandDims(tf.range(pastLength, pastLength + t, 1, 'int32'), 0);
      }
      let e = tf.add(this.word_embeddings.forward(inputIds), this.position_embeddings.forward(positions));
      if (this.token_type_embeddings) {
        const types = tokenTypeIds ?? tf.zerosLike(inputIds);
        if (types.shape.join(',') !== inputIds.shape.join(',')) throw new ShapeError('token_type_ids', inputIds.shape, types.shape);
        e = tf.add(e, this.token_type_embeddings.forward(types));
      }
      return this.dropout.forward(this.LayerNorm.forward(e));
    });
  }
}
