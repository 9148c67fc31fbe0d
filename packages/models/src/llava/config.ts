import { ConfigError, ConfigReader, configLabel, setConfigLabel, type RawConfig } from '../common/config';
import { parseClipVisionConfig, type ClipVisionConfig } from '../clip/config';
import { parseLlamaConfig, type LlamaConfig } from '../llama/config';

/** The fields of a Hugging Face `LlavaConfig` this implementation reads (HF names in camelCase). */
export interface LlavaConfig {
  /** the `vision_config` object (a `CLIPVisionConfig`), labelled with where it came from */
  visionRaw: RawConfig;
  vision: ClipVisionConfig;
  /** the `text_config` object (a `LlamaConfig`), labelled with where it came from */
  textRaw: RawConfig;
  text: LlamaConfig;
  /** HF `image_token_index` (alias `image_token_id`): the placeholder token the image features replace */
  imageTokenId: number;
  /** HF `image_seq_length` (read by the processor, kept for the config) */
  imageSeqLength: number;
  projectorHiddenAct: string;
  /** `default` drops the CLS position of each feature layer, `full` keeps it */
  visionFeatureSelectStrategy: 'default' | 'full';
  /** one hidden-state index (−2: the input of the last layer) or several, concatenated on the hidden axis */
  visionFeatureLayer: number | number[];
  multimodalProjectorBias: boolean;
  /** `lm_head.weight` is the language model's `embed_tokens.weight` (top level, or the text config's when the top level is false) */
  tieWordEmbeddings: boolean;
}

/** transformers' `LlavaConfig` default vision tower (llava-1.5's CLIP ViT-L/14 at 336 px), used when `vision_config` is missing. */
const DEFAULT_VISION: RawConfig = {
  model_type: 'clip_vision_model',
  intermediate_size: 4096,
  hidden_size: 1024,
  patch_size: 14,
  image_size: 336,
  num_hidden_layers: 24,
  num_attention_heads: 16,
  projection_dim: 768,
};

/** A sub-config (`vision_config` / `text_config`) as a labelled copy, its `model_type` checked against the one supported. */
function subConfig(c: ConfigReader, raw: RawConfig, key: 'vision_config' | 'text_config', supported: string, fallback: RawConfig): RawConfig {
  const sub = raw[key] == null ? { ...fallback } : { ...c.object(key) };
  sub.model_type ??= supported;
  if (sub.model_type !== supported)
    throw new ConfigError(`${c.label}: "${key}.model_type" = ${JSON.stringify(sub.model_type)} is not supported by tfjs-peft's LLaVA; supported: ${JSON.stringify(supported)}`);
  setConfigLabel(sub, `${c.label} ${key}`);
  return sub;
}

function featureLayers(c: ConfigReader, raw: RawConfig, layers: number): number | number[] {
  const v = raw.vision_feature_layer ?? -2;
  const ok = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= -(layers + 1) && x <= layers;
  const expected = `a hidden-state index in ${-(layers + 1)}…${layers} (vision_config.num_hidden_layers ${layers} + 1 hidden states) or a non-empty list of them`;
  if (Array.isArray(v) ? v.length === 0 || !v.every(ok) : !ok(v)) throw new ConfigError(`${c.label}: "vision_feature_layer" expected ${expected}, got ${JSON.stringify(v)}`);
  return v as number | number[];
}

/**
 * Parses a LLaVA `config.json` (`model_type` `llava`): a CLIP vision tower (`vision_config`,
 * `clip_vision_model`), a Llama language model (`text_config`, `llama`; other `model_type`s are a
 * ConfigError naming `text_config.model_type`) and the projector fields, with transformers'
 * defaults. Errors name the file and the field (`… text_config: "hidden_size" …` inside a sub-config).
 */
export function parseLlavaConfig(raw: RawConfig, label = configLabel(raw)): LlavaConfig {
  const c = new ConfigReader(raw, label);
  c.oneOf('model_type', ['llava'] as const, 'llava');
  const visionRaw = subConfig(c, raw, 'vision_config', 'clip_vision_model', DEFAULT_VISION);
  const textRaw = subConfig(c, raw, 'text_config', 'llama', {});
  const vision = parseClipVisionConfig(visionRaw);
  const text = parseLlamaConfig(textRaw);
  if (raw.image_token_index != null && raw.image_token_id != null && raw.image_token_index !== raw.image_token_id)
    throw new ConfigError(
      `${label}: "image_token_id" ${JSON.stringify(raw.image_token_id)} differs from "image_token_index" ${JSON.stringify(raw.image_token_index)} (the same field in transformers)`,
    );
  const imageTokenId = raw.image_token_index != null ? c.nonNegInt('image_token_index') : c.nonNegInt('image_token_id', 32000);
  return {
    visionRaw,
    vision,
    textRaw,
    text,
    imageTokenId,
    imageSeqLength: c.posInt('image_seq_length', 576),
    projectorHiddenAct: c.activation('projector_hidden_act', 'gelu'),
    visionFeatureSelectStrategy: c.oneOf('vision_feature_select_strategy', ['default', 'full'] as const, 'default'),
    visionFeatureLayer: featureLayers(c, raw, vision.numHiddenLayers),
    multimodalProjectorBias: c.bool('multimodal_projector_bias', true),
    tieWordEmbeddings: c.bool('tie_word_embeddings', false) || text.tieWordEmbeddings,
  };
}

/** Image positions per image: `(image_size / patch_size)²` patches, plus the CLS position under `full`. */
export function llavaPatchesPerImage(c: Pick<LlavaConfig, 'vision' | 'visionFeatureSelectStrategy'>): number {
  return (c.vision.imageSize / c.vision.patchSize) ** 2 + (c.visionFeatureSelectStrategy === 'full' ? 1 : 0);
}
