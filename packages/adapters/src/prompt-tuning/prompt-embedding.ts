import * as tf from '@tensorflow/tfjs-core';
import { Module, Embedding } from '@tfjs-peft/core';
import type { NamedTensor, PromptEncoder } from '../method';

/**
 * PEFT's `PromptEmbedding`: `numVirtualTokens` learned vectors put before the input's word
 * embeddings (attention mask extended with ones, token types with zeros).
 */
export class PromptEmbedding extends Module implements PromptEncoder {
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
  /** PEFT's `prompt_embeddings`: the virtual tokens `[P, H]`. */
  peftTensors(): NamedTensor[] {
    const w = this.embedding.weight;
    return [{ name: 'prompt_embeddings', shape: w.shape, read: () => tf.clone(w.value), write: (t) => w.assign(t, 'prompt_embeddings'), parameter: w }];
  }
  /** `[B, P, H]` */
  forward(batch: number): tf.Tensor {
    return tf.tidy(() => tf.tile(tf.expandDims(this.embedding.weight.value, 0), [batch, 1, 1]));
  }
}
