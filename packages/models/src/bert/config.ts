import { ConfigError, ConfigReader, configLabel, type RawConfig } from '../common/config';
import type { ProblemType } from '../common/losses';

/** The fields of a Hugging Face BERT config that this implementation reads (HF names). */
export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  hiddenAct: string;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  maxPositionEmbeddings: number;
  /** 0 means no token-type embeddings (BLIP's text model) */
  typeVocabSize: number;
  layerNormEps: number;
  padTokenId: number;
  /** every layer has a cross-attention block to encoder states of this width */
  addCrossAttention: boolean;
  encoderHiddenSize: number;
  isDecoder: boolean;
  numLabels: number;
  problemType: ProblemType | null;
  classifierDropout: number | null;
  /** RoBERTa: positions start at pad_token_id + 1 and skip padding */
  positionOffset: boolean;
}

export function parseBertConfig(raw: RawConfig, label = configLabel(raw)): BertConfig {
  const c = new ConfigReader(raw, label);
  c.oneOf('position_embedding_type', ['absolute'] as const, 'absolute');
  const modelType = c.oneOf('model_type', ['bert', 'roberta', 'blip_text_model'] as const, 'bert');
  const hiddenSize = c.posInt('hidden_size');
  const heads = c.posInt('num_attention_heads');
  c.multipleOf('hidden_size', hiddenSize, 'num_attention_heads', heads);
  const vocabSize = c.posInt('vocab_size');
  const padTokenId = c.nonNegInt('pad_token_id', modelType === 'roberta' ? 1 : 0);
  c.below('pad_token_id', padTokenId, 'vocab_size', vocabSize);
  const maxPositionEmbeddings = c.posInt('max_position_embeddings', 512);
  if (modelType === 'roberta' && maxPositionEmbeddings <= padTokenId + 1) {
    throw new ConfigError(
      `${label}: "max_position_embeddings" ${maxPositionEmbeddings} leaves no positions after "pad_token_id" ${padTokenId} + 1 (RoBERTa positions start there)`,
    );
  }
  const problem = c.optionalStr('problem_type');
  return {
    vocabSize,
    hiddenSize,
    numHiddenLayers: c.posInt('num_hidden_layers'),
    numAttentionHeads: heads,
    intermediateSize: c.posInt('intermediate_size'),
    hiddenAct: c.activation('hidden_act', 'gelu'),
    hiddenDropoutProb: c.prob('hidden_dropout_prob', 0.1),
    attentionProbsDropoutProb: c.prob('attention_probs_dropout_prob', 0.1),
    maxPositionEmbeddings,
    typeVocabSize: modelType === 'blip_text_model' ? 0 : c.posInt('type_vocab_size', 2),
    layerNormEps: c.positive('layer_norm_eps', 1e-12),
    padTokenId,
    addCrossAttention: modelType === 'blip_text_model' ? true : c.bool('add_cross_attention', false),
    encoderHiddenSize: c.posInt('encoder_hidden_size', hiddenSize),
    isDecoder: c.bool('is_decoder', false),
    numLabels: c.numLabels(),
    problemType: problem == null ? null : c.oneOf('problem_type', ['regression', 'single_label_classification', 'multi_label_classification'] as const, 'regression'),
    classifierDropout: c.optionalProb('classifier_dropout'),
    positionOffset: modelType === 'roberta',
  };
}
