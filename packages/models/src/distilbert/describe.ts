import { componentRules, layerIndexOf, type ModelDescription } from '@tfjs-peft/core';
import type { DistilBertConfig } from './config';

/** DistilBERT's LayerNorms as PEFT's LN-tuning target (a full-match regex) and the `norms` test. */
export const DISTILBERT_LAYER_NORM_TARGET = '.*(LayerNorm|sa_layer_norm|output_layer_norm|vocab_layer_norm)';
const NORMS = /(^|\.)(LayerNorm|sa_layer_norm|output_layer_norm|vocab_layer_norm)\.(weight|bias)$/;
const FFN = /(^|\.)ffn\.(lin1|lin2)\.(weight|bias)$/;
const ATTENTION = /(^|\.)attention\.(q_lin|k_lin|v_lin|out_lin)\.(weight|bias)$/;

/** DistilBERT's modules under the core `Component` names (BERT's roles). */
export const distilBertComponentOf = componentRules([
  [/embeddings\.LayerNorm\./, 'embeddings.LayerNorm'],
  [/embeddings\./, 'embeddings'],
  [/attention\.q_lin\./, 'attention.query'],
  [/attention\.k_lin\./, 'attention.key'],
  [/attention\.v_lin\./, 'attention.value'],
  [/attention\.out_lin\./, 'attention.output.dense'],
  [/(^|\.)sa_layer_norm\./, 'attention.output.LayerNorm'],
  [/(^|\.)ffn\.lin1\./, 'intermediate.dense'],
  [/(^|\.)ffn\.lin2\./, 'output.dense'],
  [/(^|\.)output_layer_norm\./, 'output.LayerNorm'],
  [/(^|\.)pre_classifier\./, 'pooler'],
  [/(^|\.)(classifier|vocab_transform|vocab_layer_norm|vocab_projector|qa_outputs)\./, 'classifier'],
]);

/**
 * The description of DistilBERT (`base` is where `embeddings`/`transformer` sit: `''` for the bare
 * model, `distilbert` for a head). PEFT's target table has no `distilbert` entry; the defaults are
 * the usual ones (PEFT's docs and examples): LoRA `q_lin`, `v_lin`; IA3 as PEFT's other encoders
 * (key, value, the feed-forward down projection): `k_lin`, `v_lin`, `lin2` with `lin2` feed-forward.
 */
export function describeDistilBert(c: Pick<DistilBertConfig, 'nLayers' | 'nHeads' | 'dim'>, base: string): ModelDescription {
  const at = (p: string) => (base ? `${base}.${p}` : p);
  return {
    modelType: 'distilbert',
    targets: { lora: ['q_lin', 'v_lin'], ia3: ['k_lin', 'v_lin', 'lin2'], ia3FeedForward: ['lin2'], lnTuning: DISTILBERT_LAYER_NORM_TARGET },
    parameters: { attention: (n) => ATTENTION.test(n), feedForward: (n) => FFN.test(n), norms: (n) => NORMS.test(n) },
    wordEmbeddings: at('embeddings.word_embeddings'),
    attention: { numLayers: c.nLayers, numHeads: c.nHeads, numKeyValueHeads: c.nHeads, headDim: c.dim / c.nHeads, hidden: c.dim },
    componentOf: distilBertComponentOf,
    layerOf: layerIndexOf,
  };
}
