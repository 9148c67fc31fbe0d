import { layerIndexOf, type Component, type ModelDescription } from '@tfjs-peft/core';
import { clipVisionComponentOf, describeClipVision } from '../clip/describe';
import { describeLlama, llamaComponentOf } from '../llama/describe';
import type { LlavaConfig } from './config';

/**
 * The LLaVA models' default PEFT targets. PEFT (0.21) has no `llava` entry for LoRA or IA3
 * (`get_peft_model` asks for `target_modules`), and a bare `q_proj`/`v_proj` list would also match
 * the CLIP tower's projections (PEFT matches suffixes: with `["q_proj", "v_proj"]` it adapts both
 * towers). So the defaults are Llama's entries restricted to the language model by a regex: LoRA
 * `q_proj`, `v_proj`; IA3 `k_proj`, `v_proj`, `down_proj` with `down_proj` feed-forward. PEFT's
 * LN-tuning entry for `llava` is `multi_modal_projector`, `input_layernorm`,
 * `post_attention_layernorm`, `norm`, `embed_tokens`, `lm_head`; tfjs-peft's LN tuning tunes norms
 * only, so the default is its norm part, the language model's RMSNorms (the CLIP tower's
 * LayerNorms are not in PEFT's entry either).
 */
export const LLAVA_TARGETS: ModelDescription['targets'] = {
  lora: '(.*\\.)?language_model\\.layers\\.\\d+\\.self_attn\\.(q_proj|v_proj)',
  ia3: '(.*\\.)?language_model\\.layers\\.\\d+\\.(self_attn\\.(k_proj|v_proj)|mlp\\.down_proj)',
  ia3FeedForward: '(.*\\.)?language_model\\.layers\\.\\d+\\.mlp\\.down_proj',
  lnTuning: '(.*\\.)?language_model\\.(layers\\.\\d+\\.(input_layernorm|post_attention_layernorm)|norm)',
};

/**
 * LLaVA (`base`: `''` for `LlavaModel`, `model` in `LlavaForConditionalGeneration`). Roles and
 * components are the CLIP tower's under `vision_tower.` and Llama's elsewhere; the projector's two
 * linears are the `pooler` component (the vision-to-text projection, as CLIP's
 * `visual_projection`) and none of the attention / feed-forward / norm roles. The attention shape
 * and word embeddings are the language model's (PEFT's prompt methods read `text_config`).
 */
export function describeLlava(c: Pick<LlavaConfig, 'vision' | 'text'>, base: string): ModelDescription {
  const at = (p: string) => (base ? `${base}.${p}` : p);
  const vision = describeClipVision(c.vision, at('vision_tower'));
  const text = describeLlama(c.text, at('language_model'));
  const inVision = (n: string) => n.startsWith(at('vision_tower.'));
  const inProjector = (n: string) => n.startsWith(at('multi_modal_projector.'));
  return {
    modelType: 'llava',
    targets: LLAVA_TARGETS,
    parameters: {
      attention: (n) => (inVision(n) ? vision.parameters.attention(n) : !inProjector(n) && text.parameters.attention(n)),
      feedForward: (n) => (inVision(n) ? vision.parameters.feedForward(n) : !inProjector(n) && text.parameters.feedForward(n)),
      norms: (n) => (inVision(n) ? vision.parameters.norms(n) : !inProjector(n) && text.parameters.norms(n)),
    },
    wordEmbeddings: at('language_model.embed_tokens'),
    attention: text.attention,
    submodules: [at('vision_tower'), at('multi_modal_projector'), at('language_model')],
    componentOf: (n): Component => (inVision(n) ? clipVisionComponentOf(n) : inProjector(n) ? 'pooler' : llamaComponentOf(n)),
    layerOf: layerIndexOf,
  };
}
