import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '@tfjs-peft/core';
import { PeftError } from './errors';

/** Sizes of the attention stack inside a (sub-)module, read from its parsed config (`c`). */
export function attentionShape(m: Module, where: string): { numLayers: number; numHeads: number; hidden: number } {
  const c = (m as unknown as { c?: { numHiddenLayers?: number; numAttentionHeads?: number; hiddenSize?: number; text?: unknown } }).c;
  if (!c || c.numHiddenLayers == null || c.numAttentionHeads == null || c.hiddenSize == null) {
    throw new PeftError(`${where}: prompt methods need a tfjs-peft BERT, ViT or BLIP (sub-)model; choose the sub-module with the attention layers (e.g. text_decoder)`);
  }
  return { numLayers: c.numHiddenLayers, numHeads: c.numAttentionHeads, hidden: c.hiddenSize };
}

/** The word-embedding table of a BERT-family (sub-)model, for prompt tuning. */
export function wordEmbeddings(m: Module, where: string): Module & { forward(ids: tf.Tensor): tf.Tensor; weight: { value: tf.Tensor } } {
  for (const path of ['embeddings.word_embeddings', 'bert.embeddings.word_embeddings']) {
    try {
      return m.getSubmodule(path) as never;
    } catch {
      /* try the next layout */
    }
  }
  throw new PeftError(`${where}: prompt tuning needs a BERT-family model with embeddings.word_embeddings`);
}

/**
 * Inputs with `P` virtual tokens put first: word embeddings `[B, P+T, H]`, the attention mask and
 * token types extended (ones / zeros), as PEFT's prompt tuning does for encoder models.
 */
export function withPrompt(inputs: Record<string, unknown>, prompt: tf.Tensor, words: (ids: tf.Tensor) => tf.Tensor): Record<string, unknown> {
  const ids = inputs.inputIds as tf.Tensor;
  if (!ids) throw new PeftError('prompt tuning: inputIds are required');
  const [b, t] = ids.shape as [number, number];
  const p = prompt.shape[1]!;
  const mask = (inputs.attentionMask as tf.Tensor | undefined) ?? tf.ones([b, t], 'int32');
  const types = inputs.tokenTypeIds as tf.Tensor | undefined;
  return {
    ...inputs,
    inputIds: null,
    inputsEmbeds: tf.concat([prompt, words(tf.cast(ids, 'int32'))], 1),
    attentionMask: tf.concat([tf.ones([b, p], 'int32'), tf.cast(mask, 'int32')], 1),
    tokenTypeIds: types ? tf.concat([tf.zeros([b, p], 'int32'), tf.cast(types, 'int32')], 1) : null,
  };
}
