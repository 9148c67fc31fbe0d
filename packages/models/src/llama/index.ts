export { parseLlamaConfig, parseLlamaFamilyConfig, LLAMA_FAMILY, type LlamaConfig, type LlamaFamily, type LlamaRopeScaling } from './config';
export { describeLlama, describeLlamaFamily, llamaComponentOf, LLAMA_NORM_TARGET, type LlamaDescribedConfig } from './describe';
export {
  LlamaModel,
  LlamaRMSNorm,
  LlamaRotaryEmbedding,
  LlamaAttention,
  LlamaMLP,
  LlamaDecoderLayer,
  llamaCausalMask,
  ropeInverseFrequencies,
  rotateHalf,
  applyRotary,
  repeatKv,
  type LlamaInputs,
  type LlamaOutput,
  type LlamaModelOptions,
} from './llama-model';
export { LlamaForCausalLM, LlamaForSequenceClassification, causalLmLoss, type LlamaLabelledInputs, type LlamaHeadOutput } from './heads';
export { LlamaKvCache } from './kv-cache';
export { type LlamaLayerCache } from './llama-model';
export { GenerateOptionsError, GENERATE_OPTION_NAMES, type LlamaGenerateOptions } from './generation/options';
export { type GenerateInputs, type GeneratePrompts } from './generation/prompts';
export { applyRepetitionPenalty, applyTemperature, applyTopK, applyTopP } from './generation/logits-processors';
