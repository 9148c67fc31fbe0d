import type { ModelDescription } from '@tfjs-peft/core';
import type { RawConfig } from '../common/config';
import { LlamaForCausalLM, LlamaForSequenceClassification } from '../llama/heads';
import { parseQwen2Config } from './config';
import { Qwen2Model } from './qwen2-model';
import { describeQwen2 } from './describe';

/** HF `Qwen2ForCausalLM`: `model` (a Qwen2 decoder) and `lm_head` (no bias), tied to `embed_tokens` when `tie_word_embeddings`. */
export class Qwen2ForCausalLM extends LlamaForCausalLM {
  static override decoderClass = Qwen2Model;
  declare model: Qwen2Model;
  constructor(config: RawConfig) {
    super(config, { parsed: parseQwen2Config(config) });
  }

  override describe(): ModelDescription {
    return describeQwen2(this.c, 'model');
  }
}

/** HF `Qwen2ForSequenceClassification` (transformers' generic head): `score` (no bias) on the last token that is not `pad_token_id`. */
export class Qwen2ForSequenceClassification extends LlamaForSequenceClassification {
  static override decoderClass = Qwen2Model;
  declare model: Qwen2Model;
  constructor(config: RawConfig) {
    super(config, { parsed: parseQwen2Config(config) });
  }

  override describe(): ModelDescription {
    return describeQwen2(this.c, 'model');
  }
}
