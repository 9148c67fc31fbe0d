export { parseViTConfig, type ViTConfig } from './config';
export {
  ViTModel,
  type ViTModelOptions,
  ViTForImageClassification,
  ViTEmbeddings,
  ViTPatchEmbeddings,
  ViTSelfAttention,
  ViTAttention,
  ViTLayer,
  ViTEncoder,
  ViTPooler,
  type ViTInputs,
  type ViTOutput,
} from './vit-model';
export { ViTImageProcessor, type ImageProcessorConfig, type RgbImage } from './image-processor';
