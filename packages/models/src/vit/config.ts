import { ConfigError, ConfigReader, type RawConfig } from '../common/config';
import type { ProblemType } from '../common/losses';

export interface ViTConfig {
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  hiddenAct: string;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  layerNormEps: number;
  imageSize: number;
  patchSize: number;
  numChannels: number;
  qkvBias: boolean;
  numLabels: number;
  problemType: ProblemType | null;
}

export function parseViTConfig(raw: RawConfig, label = 'config.json'): ViTConfig {
  const c = new ConfigReader(raw, label);
  c.oneOf('model_type', ['vit'] as const, 'vit');
  const imageSize = c.int('image_size', 224);
  const patchSize = c.int('patch_size', 16);
  if (imageSize % patchSize !== 0) throw new ConfigError(`${label}: image_size ${imageSize} is not a multiple of patch_size ${patchSize}`);
  const hiddenSize = c.int('hidden_size', 768);
  const heads = c.int('num_attention_heads', 12);
  if (hiddenSize % heads !== 0) throw new ConfigError(`${label}: hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${heads}`);
  const problem = c.optionalStr('problem_type');
  return {
    hiddenSize,
    numHiddenLayers: c.int('num_hidden_layers', 12),
    numAttentionHeads: heads,
    intermediateSize: c.int('intermediate_size', 3072),
    hiddenAct: c.str('hidden_act', 'gelu'),
    hiddenDropoutProb: c.num('hidden_dropout_prob', 0),
    attentionProbsDropoutProb: c.num('attention_probs_dropout_prob', 0),
    layerNormEps: c.num('layer_norm_eps', 1e-12),
    imageSize,
    patchSize,
    numChannels: c.int('num_channels', 3),
    qkvBias: c.bool('qkv_bias', true),
    numLabels: c.numLabels(),
    problemType: problem == null ? null : c.oneOf('problem_type', ['regression', 'single_label_classification', 'multi_label_classification'] as const, 'regression'),
  };
}
