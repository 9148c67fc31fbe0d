export { parseBlipConfig, parseBlipVisionConfig, type BlipConfig, type BlipVisionConfig } from './config';
export { BlipVisionModel, BlipVisionEmbeddings, BlipAttention, BlipMLP, BlipEncoderLayer, BlipEncoder, type VisionOutput } from './vision';
export { BlipTextLMHeadModel, shiftedLmLoss, labelsFromIds, decoderStep, type LmLossReduction } from './text';
export { BlipForQuestionAnswering, type BlipVqaInputs, type BlipVqaOutput } from './blip-vqa';
export { BlipForConditionalGeneration, type BlipCaptionInputs } from './blip-captioning';
export { generate, processScores, type GenerateOptions, type GenerateResult, type StepFn } from './generate';
export { BertModel as BlipTextModel } from '../bert/bert-model';
export { BlipPreTrainedModel } from './blip-pretrained';
export { initBlipTextFromBert } from './init-from-bert';
