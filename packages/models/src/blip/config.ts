import { ConfigError, ConfigReader, type RawConfig } from '../common/config';
import { parseBertConfig, type BertConfig } from '../bert/config';

export interface BlipVisionConfig {
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  hiddenAct: string;
  layerNormEps: number;
  attentionDropout: number;
  imageSize: number;
  patchSize: number;
  numChannels: number;
}

export interface BlipConfig {
  vision: BlipVisionConfig;
  text: BertConfig;
  /** text token ids used by generation */
  bosTokenId: number;
  sepTokenId: number;
  padTokenId: number;
  labelSmoothing: number;
  tieWordEmbeddings: boolean;
}

export function parseBlipVisionConfig(raw: RawConfig, label: string): BlipVisionConfig {
  const c = new ConfigReader(raw, label);
  const imageSize = c.int('image_size', 384);
  const patchSize = c.int('patch_size', 16);
  if (imageSize % patchSize !== 0) throw new ConfigError(`${label}: image_size ${imageSize} is not a multiple of patch_size ${patchSize}`);
  const hiddenSize = c.int('hidden_size', 768);
  const heads = c.int('num_attention_heads', 12);
  if (hiddenSize % heads !== 0) throw new ConfigError(`${label}: hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${heads}`);
  return {
    hiddenSize,
    numHiddenLayers: c.int('num_hidden_layers', 12),
    numAttentionHeads: heads,
    intermediateSize: c.int('intermediate_size', 3072),
    hiddenAct: c.str('hidden_act', 'gelu'),
    layerNormEps: c.num('layer_norm_eps', 1e-5),
    attentionDropout: c.num('attention_dropout', 0),
    imageSize,
    patchSize,
    numChannels: c.int('num_channels', 3),
  };
}

export function parseBlipConfig(raw: RawConfig, label = 'config.json'): BlipConfig {
  const c = new ConfigReader(raw, label);
  c.oneOf('model_type', ['blip'] as const, 'blip');
  const textRaw = { model_type: 'blip_text_model', ...((raw.text_config ?? {}) as RawConfig) };
  const text = parseBertConfig({ ...textRaw, model_type: 'blip_text_model' }, `${label} text_config`);
  const vision = parseBlipVisionConfig((raw.vision_config ?? {}) as RawConfig, `${label} vision_config`);
  const t = new ConfigReader(textRaw, `${label} text_config`);
  if (text.encoderHiddenSize !== vision.hiddenSize) {
    throw new ConfigError(`${label}: text_config.encoder_hidden_size ${text.encoderHiddenSize} must equal vision_config.hidden_size ${vision.hiddenSize}`);
  }
  return {
    vision,
    text,
    bosTokenId: t.int('bos_token_id', 30522),
    sepTokenId: t.int('sep_token_id', 102),
    padTokenId: t.int('pad_token_id', 0),
    labelSmoothing: t.num('label_smoothing', c.num('label_smoothing', 0)),
    tieWordEmbeddings: c.bool('tie_word_embeddings', true),
  };
}
