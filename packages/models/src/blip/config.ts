import { ConfigError, ConfigReader, configLabel, type RawConfig } from '../common/config';
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
  const imageSize = c.posInt('image_size', 384);
  const patchSize = c.posInt('patch_size', 16);
  c.multipleOf('image_size', imageSize, 'patch_size', patchSize);
  const hiddenSize = c.posInt('hidden_size', 768);
  const heads = c.posInt('num_attention_heads', 12);
  c.multipleOf('hidden_size', hiddenSize, 'num_attention_heads', heads);
  return {
    hiddenSize,
    numHiddenLayers: c.posInt('num_hidden_layers', 12),
    numAttentionHeads: heads,
    intermediateSize: c.posInt('intermediate_size', 3072),
    hiddenAct: c.activation('hidden_act', 'gelu'),
    layerNormEps: c.positive('layer_norm_eps', 1e-5),
    attentionDropout: c.prob('attention_dropout', 0),
    imageSize,
    patchSize,
    numChannels: c.posInt('num_channels', 3),
  };
}

export function parseBlipConfig(raw: RawConfig, label = configLabel(raw)): BlipConfig {
  const c = new ConfigReader(raw, label);
  c.oneOf('model_type', ['blip'] as const, 'blip');
  const textRaw = { model_type: 'blip_text_model', ...c.object('text_config') };
  const text = parseBertConfig({ ...textRaw, model_type: 'blip_text_model' }, `${label} text_config`);
  const vision = parseBlipVisionConfig(c.object('vision_config'), `${label} vision_config`);
  const t = new ConfigReader(textRaw, `${label} text_config`);
  if (text.encoderHiddenSize !== vision.hiddenSize) {
    throw new ConfigError(`${label}: text_config.encoder_hidden_size ${text.encoderHiddenSize} must equal vision_config.hidden_size ${vision.hiddenSize}`);
  }
  const ids = { bosTokenId: t.nonNegInt('bos_token_id', 30522), sepTokenId: t.nonNegInt('sep_token_id', 102), padTokenId: t.nonNegInt('pad_token_id', 0) };
  t.below('bos_token_id', ids.bosTokenId, 'vocab_size', text.vocabSize);
  // sep_token_id only stops generation (an id outside the vocabulary never matches), so as in
  // transformers it is not checked against vocab_size; bos is embedded and must index the vocabulary.
  return {
    vision,
    text,
    ...ids,
    labelSmoothing: t.prob('label_smoothing', c.prob('label_smoothing', 0)),
    tieWordEmbeddings: c.bool('tie_word_embeddings', true),
  };
}
