import { ConfigReader, configLabel, type RawConfig } from '../common/config';
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

export function parseViTConfig(raw: RawConfig, label = configLabel(raw)): ViTConfig {
  const c = new ConfigReader(raw, label);
  c.oneOf('model_type', ['vit'] as const, 'vit');
  const imageSize = c.posInt('image_size', 224);
  const patchSize = c.posInt('patch_size', 16);
  c.multipleOf('image_size', imageSize, 'patch_size', patchSize);
  const hiddenSize = c.posInt('hidden_size', 768);
  const heads = c.posInt('num_attention_heads', 12);
  c.multipleOf('hidden_size', hiddenSize, 'num_attention_heads', heads);
  const problem = c.optionalStr('problem_type');
  return {
    hiddenSize,
    numHiddenLayers: c.posInt('num_hidden_layers', 12),
    numAttentionHeads: heads,
    intermediateSize: c.posInt('intermediate_size', 3072),
    hiddenAct: c.activation('hidden_act', 'gelu'),
    hiddenDropoutProb: c.prob('hidden_dropout_prob', 0),
    attentionProbsDropoutProb: c.prob('attention_probs_dropout_prob', 0),
    layerNormEps: c.positive('layer_norm_eps', 1e-12),
    imageSize,
    patchSize,
    numChannels: c.posInt('num_channels', 3),
    qkvBias: c.bool('qkv_bias', true),
    numLabels: c.numLabels(),
    problemType: problem == null ? null : c.oneOf('problem_type', ['regression', 'single_label_classification', 'multi_label_classification'] as const, 'regression'),
  };
}
