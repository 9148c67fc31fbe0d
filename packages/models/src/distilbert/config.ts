import { ConfigError, ConfigReader, configLabel, type RawConfig } from '../common/config';
import type { ProblemType } from '../common/losses';

/** The fields of a Hugging Face DistilBERT config that this implementation reads (HF names in camelCase). */
export interface DistilBertConfig {
  vocabSize: number;
  /** HF `dim` */
  dim: number;
  nLayers: number;
  nHeads: number;
  /** HF `hidden_dim`: the feed-forward width */
  hiddenDim: number;
  activation: string;
  dropout: number;
  attentionDropout: number;
  maxPositionEmbeddings: number;
  padTokenId: number;
  seqClassifDropout: number;
  qaDropout: number;
  numLabels: number;
  problemType: ProblemType | null;
}

/** Parses a DistilBERT `config.json`; errors name the file and the field. */
export function parseDistilBertConfig(raw: RawConfig, label = configLabel(raw)): DistilBertConfig {
  const c = new ConfigReader(raw, label);
  c.oneOf('model_type', ['distilbert'] as const, 'distilbert');
  if (c.bool('sinusoidal_pos_embds', false)) throw new ConfigError(`${label}: "sinusoidal_pos_embds" = true is not supported (learned position embeddings only)`);
  const dim = c.posInt('dim', 768);
  const heads = c.posInt('n_heads', 12);
  c.multipleOf('dim', dim, 'n_heads', heads);
  const vocabSize = c.posInt('vocab_size', 30522);
  const padTokenId = c.nonNegInt('pad_token_id', 0);
  c.below('pad_token_id', padTokenId, 'vocab_size', vocabSize);
  const problem = c.optionalStr('problem_type');
  return {
    vocabSize,
    dim,
    nLayers: c.posInt('n_layers', 6),
    nHeads: heads,
    hiddenDim: c.posInt('hidden_dim', 4 * 768),
    activation: c.activation('activation', 'gelu'),
    dropout: c.prob('dropout', 0.1),
    attentionDropout: c.prob('attention_dropout', 0.1),
    maxPositionEmbeddings: c.posInt('max_position_embeddings', 512),
    padTokenId,
    seqClassifDropout: c.prob('seq_classif_dropout', 0.2),
    qaDropout: c.prob('qa_dropout', 0.1),
    numLabels: c.numLabels(),
    problemType: problem == null ? null : c.oneOf('problem_type', ['regression', 'single_label_classification', 'multi_label_classification'] as const, 'regression'),
  };
}
