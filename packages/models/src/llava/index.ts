export { parseLlavaConfig, llavaPatchesPerImage, type LlavaConfig } from './config';
export { LlavaMultiModalProjector } from './projector';
export { LlavaModel, type LlavaInputs, type LlavaModelOutput } from './llava-model';
export { LlavaForConditionalGeneration, type LlavaLabelledInputs, type LlavaOutput } from './llava-for-conditional-generation';
export { ImageTokenMismatchError, imageTokenPositions, scatterImageFeatures } from './image-tokens';
export { llavaCheckpointKey, withLlavaKeys } from './checkpoint-keys';
export { describeLlava, LLAVA_TARGETS } from './describe';
export { generateLlava, type LlavaGenerateInputs, type LlavaDecoderModel } from './generate';
export { LlavaProcessor, ImageCountError, type LlavaProcessorSettings, type LlavaProcessorOutput } from './processor';
