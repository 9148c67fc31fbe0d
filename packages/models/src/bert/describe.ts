import { componentRules, layerIndexOf, type ModelDescription } from '@tfjs-peft/core';
import type { BertConfig } from './config';

/**
 * LayerNorms of BERT-family and BLIP models. The default LN-tuning target (a full-match regex,
 * as PEFT's `target_modules` string) and the `norms` parameter test.
 */
export const BERT_LAYER_NORM_TARGET = '.*(LayerNorm|layernorm|layernorm_before|layernorm_after|layer_norm\\d*|post_layernorm)';
const NORMS = /(^|\.)(LayerNorm|layernorm|layernorm_before|layernorm_after|layer_norm\d*|post_layernorm)\.(weight|bias)$/;
/** Feed-forward linears: `intermediate.dense` and the layer's `output.dense` (not the attention's). */
const FFN = /(^|\.)(intermediate\.dense|(?<!attention\.)output\.dense)\.(weight|bias)$/;
/** q/k/v and output projections of self- and cross-attention (BERT `attention.self.*`, ViT `attention.attention.*`). */
const ATTENTION = /(^|\.)((attention|crossattention)\.(self\.(query|key|value)|output\.dense)|attention\.attention\.(query|key|value))\.(weight|bias)$/;

/** BERT's modules as the LayerNorm paper groups them (RoBERTa and ViT use the same names). */
export const bertComponentOf = componentRules([
  [/embeddings\.(LayerNorm|layernorm)\./, 'embeddings.LayerNorm'],
  [/embeddings\./, 'embeddings'],
  [/attention\.(self|attention)\.query\./, 'attention.query'],
  [/attention\.(self|attention)\.key\./, 'attention.key'],
  [/attention\.(self|attention)\.value\./, 'attention.value'],
  [/attention\.output\.dense\./, 'attention.output.dense'],
  [/attention\.output\.LayerNorm\.|layernorm_before\./, 'attention.output.LayerNorm'],
  [/intermediate\.dense\./, 'intermediate.dense'],
  [/(^|\.)output\.dense\./, 'output.dense'],
  [/(^|\.)output\.LayerNorm\.|layernorm_after\./, 'output.LayerNorm'],
  [/(^|\.)layernorm\./, 'final.LayerNorm'],
  [/(^|\.)pooler\./, 'pooler'],
  [/(^|\.)(classifier|cls|lm_head|score|qa_outputs)\./, 'classifier'],
]);

/**
 * The description of a BERT-family encoder (BERT, RoBERTa, BLIP's text models; ViT shares the
 * layer names). `base` is where the encoder sits inside the described module (`''` for the encoder
 * itself, `bert`/`roberta` for a head model). Default targets are PEFT's for `bert`: LoRA `query`,
 * `value`; IA3 `key`, `value`, `output.dense` with `output.dense` as feed-forward.
 */
export function describeBertFamily(
  c: Pick<BertConfig, 'numHiddenLayers' | 'numAttentionHeads' | 'hiddenSize'>,
  base: string,
  modelType: string,
  withWords = true,
): ModelDescription {
  const at = (p: string) => (base ? `${base}.${p}` : p);
  return {
    modelType,
    targets: { lora: ['query', 'value'], ia3: ['key', 'value', 'output.dense'], ia3FeedForward: ['output.dense'], lnTuning: BERT_LAYER_NORM_TARGET },
    parameters: { attention: (n) => ATTENTION.test(n), feedForward: (n) => FFN.test(n), norms: (n) => NORMS.test(n) },
    wordEmbeddings: withWords ? at('embeddings.word_embeddings') : undefined,
    attention: {
      numLayers: c.numHiddenLayers,
      numHeads: c.numAttentionHeads,
      numKeyValueHeads: c.numAttentionHeads,
      headDim: c.hiddenSize / c.numAttentionHeads,
      hidden: c.hiddenSize,
    },
    componentOf: bertComponentOf,
    layerOf: layerIndexOf,
  };
}
