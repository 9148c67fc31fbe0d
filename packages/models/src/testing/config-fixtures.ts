/** Small valid configs per model and their parsers, for the config validation and mutation tests. */
import type { RawConfig } from '../common/config';
import { parseBertConfig } from '../bert/config';
import { parseViTConfig } from '../vit/config';
import { parseBlipConfig } from '../blip/config';
import { parseRobertaConfig } from '../roberta/roberta';

export const BERT: RawConfig = {
  model_type: 'bert',
  vocab_size: 99,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 37,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 64,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
};
export const ROBERTA: RawConfig = { ...BERT, model_type: 'roberta', pad_token_id: 1, type_vocab_size: 1 };
export const VIT: RawConfig = {
  model_type: 'vit',
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 37,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
  layer_norm_eps: 1e-12,
  image_size: 30,
  patch_size: 2,
  num_channels: 3,
};
export const BLIP: RawConfig = {
  model_type: 'blip',
  text_config: {
    vocab_size: 99,
    hidden_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 37,
    encoder_hidden_size: 32,
    bos_token_id: 30,
    sep_token_id: 2,
    pad_token_id: 0,
    max_position_embeddings: 64,
  },
  vision_config: { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37, image_size: 30, patch_size: 2, layer_norm_eps: 1e-5 },
};

export const PARSERS: [string, RawConfig, (raw: RawConfig) => unknown][] = [
  ['bert', BERT, parseBertConfig],
  ['roberta', ROBERTA, parseRobertaConfig],
  ['vit', VIT, parseViTConfig],
  ['blip', BLIP, parseBlipConfig],
];
