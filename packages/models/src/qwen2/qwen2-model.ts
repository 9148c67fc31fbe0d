import type { ModelDescription } from '@tfjs-peft/core';
import type { RawConfig } from '../common/config';
import { LlamaModel, type LlamaModelOptions } from '../llama/llama-model';
import { parseQwen2Config } from './config';
import { describeQwen2 } from './describe';

/**
 * HF `Qwen2Model`: Llama's decoder (`embed_tokens`, `layers.N.self_attn.{q,k,v,o}_proj`,
 * `layers.N.mlp`, RMSNorms, rotary embeddings) with biases on q/k/v and none on `o_proj`.
 */
export class Qwen2Model extends LlamaModel {
  /** `options.parsed`: the config a head already parsed */
  constructor(config: RawConfig, options: LlamaModelOptions = {}) {
    super(config, { parsed: options.parsed ?? parseQwen2Config(config) });
  }

  override describe(): ModelDescription {
    return describeQwen2(this.c, '');
  }
}
