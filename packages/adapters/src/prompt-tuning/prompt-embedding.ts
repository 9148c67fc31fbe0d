import * as tf from '@tensorflow/tfjs-core';
import { Module, Embedding } from '@tfjs-peft/core';

/**
 * PEFT's `PromptEmbedding`: `numVirtualTokens` learned vectors put before the input's word
 * embeddings (attention mask extended with ones, token types with zeros).
 */
export class PromptEmbedding extends Module {
  embedding: Embedding;
  constructor(
    readonly numVirtualTokens: number,
    readonly tokenDim: number,
    init?: tf.Tensor,
  ) {
    super();
    this.embedding = new Embedding(numVirtualTokens, tokenDim);
    if (init) this.embedding.weight.assign(init);
  }
  /** `[B, P, H]` */
  forward(batch: number): tf.Tensor {
    return tf.tidy(() => tf.tile(tf.expandDims(this.embedding.weight.value, 0), [batch, 1, 1]));
  }
}
