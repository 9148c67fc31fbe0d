export { parseLlamaConfig, type LlamaConfig, type LlamaRopeScaling } from './config';
export { describeLlama, llamaComponentOf, LLAMA_NORM_TARGET } from './describe';
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
