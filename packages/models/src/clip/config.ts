import { ConfigError, ConfigReader, SUPPORTED_ACTIVATIONS, configLabel, setConfigLabel, type RawConfig } from '../common/config';

/** The CLIP vision tower's config (HF `CLIPVisionConfig`). */
export interface ClipVisionConfig {
  hiddenSize: number;
  intermediateSize: number;
  projectionDim: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numChannels: number;
  imageSize: number;
  patchSize: number;
  /** `quick_gelu` (OpenAI CLIP) or one of the activations `activation()` implements */
  hiddenAct: string;
  layerNormEps: number;
  attentionDropout: number;
}

/** `hidden_act` values the CLIP tower accepts: `quick_gelu` (its own, `quick-gelu.ts`) and the shared ones. */
export const CLIP_ACTIVATIONS = ['quick_gelu', ...SUPPORTED_ACTIVATIONS] as const;

/**
 * The vision config inside `raw`: `vision_config` of a `CLIPConfig` (`model_type` `clip`, the
 * whole contrastive model's config.json), or `raw` itself (a `CLIPVisionConfig`,
 * `clip_vision_model`). The sub-object keeps a label that names where it came from, and gets
 * `model_type` `clip_vision_model` when it lacks one, as transformers' `CLIPVisionConfig` writes.
 */
export function clipVisionRawConfig(raw: RawConfig, label = configLabel(raw)): RawConfig {
  const c = new ConfigReader(raw, label);
  const type = c.oneOf('model_type', ['clip', 'clip_vision_model'] as const, 'clip_vision_model');
  if (type === 'clip_vision_model') return raw;
  if (raw.vision_config == null)
    throw new ConfigError(`${label}: "vision_config" expected the vision tower's config object (model_type "clip"), got nothing (the field is missing)`);
  const sub = { ...c.object('vision_config') };
  sub.model_type ??= 'clip_vision_model';
  setConfigLabel(sub, `${label} vision_config`);
  new ConfigReader(sub).oneOf('model_type', ['clip_vision_model'] as const, 'clip_vision_model');
  return sub;
}

/**
 * `parseClipVisionConfig(raw)`: the fields of a `CLIPVisionConfig` (or of a `CLIPConfig`'s
 * `vision_config`), with transformers' defaults. Position-embedding interpolation is a forward
 * argument in transformers, not a config field; here it is not implemented (the embeddings reject
 * another image size).
 */
export function parseClipVisionConfig(raw: RawConfig, label = configLabel(raw)): ClipVisionConfig {
  const v = clipVisionRawConfig(raw, label);
  const c = new ConfigReader(v);
  const imageSize = c.posInt('image_size', 224);
  const patchSize = c.posInt('patch_size', 32);
  c.multipleOf('image_size', imageSize, 'patch_size', patchSize);
  const hiddenSize = c.posInt('hidden_size', 768);
  const heads = c.posInt('num_attention_heads', 12);
  c.multipleOf('hidden_size', hiddenSize, 'num_attention_heads', heads);
  return {
    hiddenSize,
    intermediateSize: c.posInt('intermediate_size', 3072),
    projectionDim: c.posInt('projection_dim', 512),
    numHiddenLayers: c.posInt('num_hidden_layers', 12),
    numAttentionHeads: heads,
    numChannels: c.posInt('num_channels', 3),
    imageSize,
    patchSize,
    hiddenAct: c.oneOf('hidden_act', CLIP_ACTIVATIONS, 'quick_gelu'),
    layerNormEps: c.positive('layer_norm_eps', 1e-5),
    attentionDropout: c.prob('attention_dropout', 0),
  };
}
