import { componentRules, layerIndexOf, type Component, type ModelDescription } from '@tfjs-peft/core';
import { BERT_LAYER_NORM_TARGET, bertComponentOf, describeBertFamily } from '../bert/describe';
import type { BlipVisionConfig } from './config';

const VISION_ATTENTION = /(^|\.)self_attn\.(qkv|projection)\.(weight|bias)$/;
const VISION_FFN = /(^|\.)mlp\.fc[12]\.(weight|bias)$/;
const VISION_NORMS = /(^|\.)(layer_norm\d|post_layernorm)\.(weight|bias)$/;

/** BLIP's vision tower (MISS's "ViT"): fused `qkv`, `projection`, pre-LN `layer_norm1/2`, `mlp.fc1/fc2`. */
const visionComponentOf = componentRules([
  [/(^|\.)embeddings\./, 'embeddings'],
  [/(^|\.)self_attn\.qkv\./, 'attention.qkv'],
  [/(^|\.)self_attn\.projection\./, 'attention.output.dense'],
  [/(^|\.)layer_norm1\./, 'attention.output.LayerNorm'],
  [/(^|\.)mlp\.fc1\./, 'intermediate.dense'],
  [/(^|\.)mlp\.fc2\./, 'output.dense'],
  [/(^|\.)layer_norm2\./, 'output.LayerNorm'],
  [/(^|\.)post_layernorm\./, 'final.LayerNorm'],
]);

/**
 * `BlipVisionModel`. Default targets as PEFT users set them for BLIP's vision tower: LoRA on the
 * fused `qkv`; IA3 on `qkv` and `fc2` (feed-forward).
 */
export function describeBlipVision(c: BlipVisionConfig): ModelDescription {
  return {
    modelType: 'blip_vision_model',
    targets: { lora: ['qkv'], ia3: ['qkv', 'fc2'], ia3FeedForward: ['fc2'], lnTuning: BERT_LAYER_NORM_TARGET },
    parameters: { attention: (n) => VISION_ATTENTION.test(n), feedForward: (n) => VISION_FFN.test(n), norms: (n) => VISION_NORMS.test(n) },
    attention: {
      numLayers: c.numHiddenLayers,
      numHeads: c.numAttentionHeads,
      numKeyValueHeads: c.numAttentionHeads,
      headDim: c.hiddenSize / c.numAttentionHeads,
      hidden: c.hiddenSize,
    },
    componentOf: visionComponentOf,
    layerOf: layerIndexOf,
  };
}

/**
 * A whole BLIP model (`BlipForQuestionAnswering`, `BlipForConditionalGeneration`): default targets
 * are the text models' (`query`, `value`), as PEFT on a BLIP checkpoint matches them; a policy
 * adapts each of `submodules` with that sub-module's own description.
 */
export function describeBlip(vision: BlipVisionConfig, submodules: string[]): ModelDescription {
  const text = describeBertFamily({ numHiddenLayers: 0, numAttentionHeads: 1, hiddenSize: 1 }, '', 'blip', false);
  const v = describeBlipVision(vision);
  const inVision = (n: string) => n.startsWith('vision_model.');
  return {
    modelType: 'blip',
    targets: text.targets,
    parameters: {
      attention: (n) => (inVision(n) ? v.parameters.attention(n) : text.parameters.attention(n)),
      feedForward: (n) => (inVision(n) ? v.parameters.feedForward(n) : text.parameters.feedForward(n)),
      norms: (n) => (inVision(n) ? v.parameters.norms(n) : text.parameters.norms(n)),
    },
    submodules,
    componentOf: (n): Component => (inVision(n) ? v.componentOf(n) : bertComponentOf(n)),
    layerOf: layerIndexOf,
  };
}
