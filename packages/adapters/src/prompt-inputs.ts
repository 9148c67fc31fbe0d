import * as tf from '@tensorflow/tfjs-core';
import { requireDescription, type AttentionShape, type Module } from '@tfjs-peft/core';
import { PeftError } from './errors';

/** Sizes of the attention stack of a (sub-)model, from its description (`describe().attention`). */
export function attentionShape(m: Module, where: string): AttentionShape {
  const d = requireDescription(m, where, 'prompt methods read the attention sizes from the model class; choose the sub-module with the attention layers (e.g. text_decoder)');
  if (!d.attention)
    throw new PeftError(
      `${where}: ${m.constructor.name} has no attention stack of its own for prompt methods; choose a sub-module with one (${(d.submodules ?? []).join(', ') || 'e.g. text_decoder'})`,
    );
  return d.attention;
}

/** The word-embedding table of a (sub-)model, for prompt tuning (`describe().wordEmbeddings`). */
export function wordEmbeddings(m: Module, where: string): Module & { forward(ids: tf.Tensor): tf.Tensor; weight: { value: tf.Tensor } } {
  const d = requireDescription(m, where, 'prompt tuning finds the word embeddings through the model class');
  if (!d.wordEmbeddings) throw new PeftError(`${where}: prompt tuning needs a model that reads token ids; ${m.constructor.name} has no word embeddings`);
  return m.getSubmodule(d.wordEmbeddings) as never;
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

/** The `adapter_config.json` fields of every prompt method: the virtual tokens and the model's attention sizes. */
export function promptLearningJson(numVirtualTokens: number, model: Module): Record<string, unknown> {
  const s = attentionShape(model, 'model');
  return { num_virtual_tokens: numVirtualTokens, token_dim: s.hidden, num_transformer_submodules: 1, num_attention_heads: s.numHeads, num_layers: s.numLayers };
}

/** With the model the adapter goes on, the attention sizes a prompt file was written for must be its own. */
export function checkPromptSizes(j: Record<string, unknown>, model: Module | undefined, label: string): void {
  if (!model) return;
  const s = attentionShape(model, 'model');
  for (const [k, want] of [
    ['token_dim', s.hidden],
    ['num_attention_heads', s.numHeads],
    ['num_layers', s.numLayers],
  ] as const) {
    if (j[k] != null && j[k] !== want) throw new PeftError(`${label}: "${k}" is ${JSON.stringify(j[k])} but the model has ${want}`);
  }
}
