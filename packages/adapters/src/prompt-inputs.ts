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
 * token types extended (ones / zeros), and `[B, T]` labels with −100 for the virtual tokens, as
 * PEFT's prompt tuning does.
 */
export function withPrompt(inputs: Record<string, unknown>, prompt: tf.Tensor, words: (ids: tf.Tensor) => tf.Tensor): Record<string, unknown> {
  const ids = inputs.inputIds as tf.Tensor;
  if (!ids) throw new PeftError(`prompt tuning: inputIds are required${'input_ids' in inputs ? ' (forward takes camelCase input keys: inputIds instead of input_ids)' : ''}`);
  const [b, t] = ids.shape as [number, number];
  const p = prompt.shape[1]!;
  const types = inputs.tokenTypeIds as tf.Tensor | undefined;
  // token-level labels (causal LM) get -100 for the virtual tokens, as PEFT's PeftModelForCausalLM
  const labels = inputs.labels as tf.Tensor | undefined;
  const tokenLabels = labels instanceof tf.Tensor && labels.rank === 2 && labels.shape[0] === b && labels.shape[1] === t;
  // intermediates freed here; `prompt` (the encoder's output for this call) is consumed
  const made = tf.tidy(() => {
    const mask = (inputs.attentionMask as tf.Tensor | undefined) ?? tf.ones([b, t], 'int32');
    const m: Record<string, tf.Tensor> = {
      inputsEmbeds: tf.concat([prompt, words(tf.cast(ids, 'int32'))], 1),
      attentionMask: tf.concat([tf.ones([b, p], 'int32'), tf.cast(mask, 'int32')], 1),
    };
    if (types) m.tokenTypeIds = tf.concat([tf.zeros([b, p], 'int32'), tf.cast(types, 'int32')], 1);
    if (tokenLabels) m.labels = tf.concat([tf.fill([b, p], -100, 'int32'), tf.cast(labels, 'int32')], 1);
    return m;
  });
  prompt.dispose();
  return { ...inputs, inputIds: null, tokenTypeIds: null, ...made };
}

/**
 * The per-layer prefix sizes PEFT gives prefix methods: the key/value heads and their width
 * (`_prepare_prompt_learning_config` sets `num_attention_heads = num_key_value_heads` and
 * `token_dim = head_dim · num_key_value_heads`: the hidden size without grouped-query attention).
 */
export function prefixSizes(s: AttentionShape): { numHeads: number; tokenDim: number } {
  return { numHeads: s.numKeyValueHeads, tokenDim: s.numKeyValueHeads * s.headDim };
}

/** PEFT's `token_dim` and `num_attention_heads` of a prompt method on `model` (`prefix`: prefix tuning's key/value sizes). */
function promptSizes(model: Module, prefix: boolean): { tokenDim: number; numHeads: number; numLayers: number } {
  const s = attentionShape(model, 'model');
  return { ...(prefix ? prefixSizes(s) : { numHeads: s.numHeads, tokenDim: s.hidden }), numLayers: s.numLayers };
}

/** The `adapter_config.json` fields of every prompt method: the virtual tokens and the model's attention sizes. */
export function promptLearningJson(numVirtualTokens: number, model: Module, prefix = false): Record<string, unknown> {
  const s = promptSizes(model, prefix);
  return { num_virtual_tokens: numVirtualTokens, token_dim: s.tokenDim, num_transformer_submodules: 1, num_attention_heads: s.numHeads, num_layers: s.numLayers };
}

/** With the model the adapter goes on, the attention sizes a prompt file was written for must be its own. */
export function checkPromptSizes(j: Record<string, unknown>, model: Module | undefined, label: string, prefix = false): void {
  if (!model) return;
  const s = promptSizes(model, prefix);
  for (const [k, want] of [
    ['token_dim', s.tokenDim],
    ['num_attention_heads', s.numHeads],
    ['num_layers', s.numLayers],
  ] as const) {
    if (j[k] != null && j[k] !== want) throw new PeftError(`${label}: "${k}" is ${JSON.stringify(j[k])} but the model has ${want}`);
  }
}
