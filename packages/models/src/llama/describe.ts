import { componentRules, layerIndexOf, type ModelDescription } from '@tfjs-peft/core';
import type { LlamaConfig } from './config';

/** Llama's RMSNorms as PEFT's LN-tuning target (a full-match regex; PEFT's table: `input_layernorm`, `post_attention_layernorm`, `norm`). */
export const LLAMA_NORM_TARGET = '(.*\\.)?(input_layernorm|post_attention_layernorm|norm)';
const NORMS = /(^|\.)(input_layernorm|post_attention_layernorm|norm)\.weight$/;
const FFN = /(^|\.)mlp\.(gate_proj|up_proj|down_proj)\.(weight|bias)$/;
const ATTENTION = /(^|\.)self_attn\.(q_proj|k_proj|v_proj|o_proj)\.(weight|bias)$/;

/** Llama's modules under the core `Component` names (BERT's roles; the gated MLP's gate and up projections are both `intermediate.dense`). */
export const llamaComponentOf = componentRules([
  [/(^|\.)embed_tokens\./, 'embeddings'],
  [/self_attn\.q_proj\./, 'attention.query'],
  [/self_attn\.k_proj\./, 'attention.key'],
  [/self_attn\.v_proj\./, 'attention.value'],
  [/self_attn\.o_proj\./, 'attention.output.dense'],
  [/(^|\.)input_layernorm\./, 'attention.output.LayerNorm'],
  [/(^|\.)mlp\.(gate_proj|up_proj)\./, 'intermediate.dense'],
  [/(^|\.)mlp\.down_proj\./, 'output.dense'],
  [/(^|\.)post_attention_layernorm\./, 'output.LayerNorm'],
  [/(^|\.)norm\./, 'final.LayerNorm'],
  [/(^|\.)(lm_head|score)\./, 'classifier'],
]);

/** The Llama config fields a description reads. */
export type LlamaDescribedConfig = Pick<LlamaConfig, 'numHiddenLayers' | 'numAttentionHeads' | 'numKeyValueHeads' | 'headDim' | 'hiddenSize'>;

/**
 * The description of a Llama-family decoder (Llama, Qwen2: the same module names): `base` is where
 * `embed_tokens`/`layers`/`norm` sit (`''` for the bare model, `model` for a head); `modelType`
 * and the default PEFT `targets` are the architecture's.
 */
export function describeLlamaFamily(c: LlamaDescribedConfig, base: string, modelType: string, targets: ModelDescription['targets']): ModelDescription {
  const at = (p: string) => (base ? `${base}.${p}` : p);
  return {
    modelType,
    targets,
    parameters: { attention: (n) => ATTENTION.test(n), feedForward: (n) => FFN.test(n), norms: (n) => NORMS.test(n) },
    wordEmbeddings: at('embed_tokens'),
    attention: { numLayers: c.numHiddenLayers, numHeads: c.numAttentionHeads, numKeyValueHeads: c.numKeyValueHeads, headDim: c.headDim, hidden: c.hiddenSize },
    componentOf: llamaComponentOf,
    layerOf: layerIndexOf,
  };
}

/**
 * The description of Llama (`base` as in `describeLlamaFamily`). Default targets are PEFT's table
 * for `llama`: LoRA `q_proj`, `v_proj`; IA3 `k_proj`, `v_proj`, `down_proj` with `down_proj`
 * feed-forward; LN tuning every RMSNorm.
 */
export function describeLlama(c: LlamaDescribedConfig, base: string): ModelDescription {
  return describeLlamaFamily(c, base, 'llama', { lora: ['q_proj', 'v_proj'], ia3: ['k_proj', 'v_proj', 'down_proj'], ia3FeedForward: ['down_proj'], lnTuning: LLAMA_NORM_TARGET });
}
