export { parseClipVisionConfig, clipVisionRawConfig, CLIP_ACTIVATIONS, type ClipVisionConfig } from './config';
export { quickGelu, clipActivation } from './quick-gelu';
export {
  CLIPVisionModel,
  CLIPVisionEmbeddings,
  CLIPPatchEmbedding,
  CLIPAttention,
  CLIPMLP,
  CLIPEncoderLayer,
  CLIPEncoder,
  withoutClipTextWeights,
  type CLIPVisionModelOptions,
  type CLIPVisionInputs,
  type CLIPVisionOutput,
} from './clip-vision-model';
export { CLIPVisionModelWithProjection, type CLIPVisionModelWithProjectionOutput } from './heads';
export { describeClipVision, clipVisionComponentOf, CLIP_NORM_TARGET } from './describe';
export { CLIPImageProcessor, type ClipImageProcessorConfig } from './image-processor';
