import { componentRules, layerIndexOf, type ModelDescription } from '@tfjs-peft/core';
import type { ClipVisionConfig } from './config';

/** CLIP's LayerNorms as LN tuning's target (a full-match regex): `pre_layrnorm` (sic), `layer_norm1/2`, `post_layernorm`. */
export const CLIP_NORM_TARGET = '(.*\\.)?(pre_layrnorm|layer_norm1|layer_norm2|post_layernorm)';
const NORMS = /(^|\.)(pre_layrnorm|layer_norm[12]|post_layernorm)\.(weight|bias)$/;
const FFN = /(^|\.)mlp\.fc[12]\.(weight|bias)$/;
const ATTENTION = /(^|\.)self_attn\.(q_proj|k_proj|v_proj|out_proj)\.(weight|bias)$/;

/** CLIP's vision modules under the core `Component` names (BERT's roles). */
export const clipVisionComponentOf = componentRules([
  [/(^|\.)embeddings\./, 'embeddings'],
  [/(^|\.)pre_layrnorm\./, 'embeddings.LayerNorm'],
  [/self_attn\.q_proj\./, 'attention.query'],
  [/self_attn\.k_proj\./, 'attention.key'],
  [/self_attn\.v_proj\./, 'attention.value'],
  [/self_attn\.out_proj\./, 'attention.output.dense'],
  [/(^|\.)layer_norm1\./, 'attention.output.LayerNorm'],
  [/(^|\.)mlp\.fc1\./, 'intermediate.dense'],
  [/(^|\.)mlp\.fc2\./, 'output.dense'],
  [/(^|\.)layer_norm2\./, 'output.LayerNorm'],
  [/(^|\.)post_layernorm\./, 'final.LayerNorm'],
  [/(^|\.)visual_projection\./, 'pooler'],
]);

/**
 * The CLIP vision tower (`base`: `''` for `CLIPVisionModel`, `vision_model` in
 * `CLIPVisionModelWithProjection`). PEFT's target tables (0.21) have no `clip` entry, so these
 * are the usual choice, said here: LoRA `q_proj`, `v_proj` (PEFT's entries for `opt` and `llama`,
 * the same module names); IA3 `k_proj`, `v_proj`, `fc2` with `fc2` feed-forward (PEFT's `llama`
 * pattern: key, value and the MLP's output linear); LN tuning every LayerNorm.
 */
export function describeClipVision(c: Pick<ClipVisionConfig, 'numHiddenLayers' | 'numAttentionHeads' | 'hiddenSize'>, base: string): ModelDescription {
  void base; // the rules match a dot-bounded suffix, so the same description serves both places
  return {
    modelType: 'clip_vision_model',
    targets: { lora: ['q_proj', 'v_proj'], ia3: ['k_proj', 'v_proj', 'fc2'], ia3FeedForward: ['fc2'], lnTuning: CLIP_NORM_TARGET },
    parameters: { attention: (n) => ATTENTION.test(n), feedForward: (n) => FFN.test(n), norms: (n) => NORMS.test(n) },
    attention: {
      numLayers: c.numHiddenLayers,
      numHeads: c.numAttentionHeads,
      numKeyValueHeads: c.numAttentionHeads,
      headDim: c.hiddenSize / c.numAttentionHeads,
      hidden: c.hiddenSize,
    },
    componentOf: clipVisionComponentOf,
    layerOf: layerIndexOf,
  };
}
