export { parseQwen2Config, QWEN2_FAMILY, type Qwen2Config } from './config';
export { describeQwen2, QWEN2_NORM_TARGET } from './describe';
export { Qwen2Model } from './qwen2-model';
export { Qwen2ForCausalLM, Qwen2ForSequenceClassification } from './heads';
