import { ConfigError, ConfigReader, type RawConfig } from '../common/config';
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

export function parseBertConfig(raw: RawConfig, label = 'config.json'): BertConfig {
  const c = new ConfigReader(raw, label);
  c.oneOf('position_embedding_type', ['absolute'] as const, 'absolute');
  const modelType = c.oneOf('model_type', ['bert', 'roberta', 'blip_text_model'] as const, 'bert');
  const hiddenSize = c.int('hidden_size');
  const heads = c.int('num_attention_heads');
  if (hiddenSize % heads !== 0) {
    throw new ConfigError(`${label}: hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${heads}`);
  }
  const problem = c.optionalStr('problem_type');
  return {
    vocabSize: c.int('vocab_size'),
    hiddenSize,
    numHiddenLayers: c.int('num_hidden_layers'),
    numAttentionHeads: heads,
    intermediateSize: c.int('intermediate_size'),
    hiddenAct: c.str('hidden_act', 'gelu'),
    hiddenDropoutProb: c.num('hidden_dropout_prob', 0.1),
    attentionProbsDropoutProb: c.num('attention_probs_dropout_prob', 0.1),
    maxPositionEmbeddings: c.int('max_position_embeddings', 512),
    typeVocabSize: modelType === 'blip_text_model' ? 0 : c.int('type_vocab_size', 2),
    layerNormEps: c.num('layer_norm_eps', 1e-12),
    padTokenId: c.int('pad_token_id', modelType === 'roberta' ? 1 : 0),
    addCrossAttention: modelType === 'blip_text_model' ? true : c.bool('add_cross_attention', false),
    encoderHiddenSize: c.int('encoder_hidden_size', hiddenSize),
    isDecoder: c.bool('is_decoder', false),
    numLabels: c.numLabels(),
    problemType: problem == null ? null : c.oneOf('problem_type', ['regression', 'single_label_classification', 'multi_label_classification'] as const, 'regression'),
    classifierDropout: c.optionalNum('classifier_dropout'),
    positionOffset: modelType === 'roberta',
  };
}
