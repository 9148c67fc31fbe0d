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
