import * as tf from '@tensorflow/tfjs-core';
import { Linear, type ModelDescription, type RawTensor } from '@tfjs-peft/core';
import { PreTrainedModel, type FromPretrainedOptions } from '../common/pretrained';
import type { RawConfig } from '../common/config';
import { clipVisionRawConfig, parseClipVisionConfig, type ClipVisionConfig } from './config';
import { CLIPVisionModel, withoutClipTextWeights, type CLIPVisionInputs } from './clip-vision-model';
import { describeClipVision } from './describe';

export interface CLIPVisionModelWithProjectionOutput {
  /** `visual_projection(pooler_output)` `[B, projection_dim]` (not normalised, as transformers) */
  imageEmbeds: tf.Tensor;
  lastHiddenState: tf.Tensor;
  hiddenStates?: tf.Tensor[];
}

/**
 * HF `CLIPVisionModelWithProjection`: `vision_model` (a `CLIPVisionModel`) and the bias-free
 * `visual_projection` `[projection_dim, hidden]` (`projection_dim` from the vision config, as
 * transformers). Loads its own checkpoints and a full `CLIPModel`'s (text tower and `logit_scale`
 * skipped without a warning); a bare `CLIPVisionModel` checkpoint leaves `visual_projection` new.
 */
export class CLIPVisionModelWithProjection extends PreTrainedModel {
  static override baseModelPrefix = 'vision_model';
  vision_model: CLIPVisionModel;
  visual_projection: Linear;
  readonly c: ClipVisionConfig;
  constructor(config: RawConfig) {
    super(clipVisionRawConfig(config));
    this.c = parseClipVisionConfig(this.config);
    this.vision_model = new CLIPVisionModel(this.config, { parsed: this.c });
    this.visual_projection = new Linear(this.c.hiddenSize, this.c.projectionDim, { bias: false, initStd: this.c.hiddenSize ** -0.5 });
  }

  override describe(): ModelDescription {
    return describeClipVision(this.c, 'vision_model');
  }

  override loadPretrainedWeights(weights: Map<string, RawTensor | tf.Tensor>, options: FromPretrainedOptions = {}): void {
    super.loadPretrainedWeights(withoutClipTextWeights(weights), options);
  }

  forward(inputs: CLIPVisionInputs): CLIPVisionModelWithProjectionOutput {
    const { lastHiddenState, poolerOutput, hiddenStates } = this.vision_model.forward(inputs);
    const imageEmbeds = this.visual_projection.forward(poolerOutput);
    poolerOutput.dispose();
    return hiddenStates ? { imageEmbeds, lastHiddenState, hiddenStates } : { imageEmbeds, lastHiddenState };
  }
}
