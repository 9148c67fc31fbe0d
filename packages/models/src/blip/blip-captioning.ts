import * as tf from '@tensorflow/tfjs-core';
import { BlipPreTrainedModel } from './blip-pretrained';
import type { RawConfig } from '../common/config';
import { BlipVisionModel } from './vision';
import { BlipTextLMHeadModel, decoderStep, labelsFromIds, shiftedLmLoss } from './text';
import { generate, type GenerateOptions, type GenerateResult } from './generate';
import type { ModelDescription } from '@tfjs-peft/core';
import { describeBlip } from './describe';
import { checkInputKeys } from '../common/input-keys';

export interface BlipCaptionInputs {
  pixelValues: tf.Tensor;
  /** caption/report tokens `[B, T]`, the first one the decoder start token */
  inputIds?: tf.Tensor | null;
  attentionMask?: tf.Tensor | null;
  labels?: tf.Tensor | null;
}

/**
 * HF `BlipForConditionalGeneration`: the decoder cross-attends to the image states directly —
 * captioning, and report generation (IU X-Ray) in the Med-VLM study.
 */
export class BlipForConditionalGeneration extends BlipPreTrainedModel {
  vision_model: BlipVisionModel;
  text_decoder: BlipTextLMHeadModel;

  constructor(config: RawConfig) {
    super(config);
    this.vision_model = new BlipVisionModel(this.c.vision);
    this.text_decoder = new BlipTextLMHeadModel(this.c.text, this.c.tieWordEmbeddings);
  }

  override describe(): ModelDescription {
    return describeBlip(this.c.vision, ['vision_model', 'text_decoder']);
  }

  forward(inputs: BlipCaptionInputs): { loss?: tf.Tensor; logits?: tf.Tensor; imageEmbeds: tf.Tensor } {
    checkInputKeys(inputs);
    const v = this.vision_model.forward(inputs.pixelValues);
    v.poolerOutput.dispose();
    const imageEmbeds = v.lastHiddenState;
    if (!inputs.inputIds) return { imageEmbeds };
    const logits = this.text_decoder.forward({ inputIds: inputs.inputIds, attentionMask: inputs.attentionMask, encoderHiddenStates: imageEmbeds });
    const labels = inputs.labels ?? labelsFromIds(inputs.inputIds!, this.c.padTokenId);
    const loss = shiftedLmLoss(logits, labels, this.c.labelSmoothing, this.lossReduction);
    if (labels !== inputs.labels) labels.dispose();
    return { loss, logits, imageEmbeds };
  }

  /** Generates from the image, optionally continuing a prompt (ids starting with the start token). */
  async generate(pixelValues: tf.Tensor, options: Partial<GenerateOptions> & { prompt?: number[] } = {}): Promise<GenerateResult> {
    const v = this.vision_model.forward(pixelValues);
    v.poolerOutput.dispose();
    const image = v.lastHiddenState;
    const b = image.shape[0]!;
    try {
      const prompt = options.prompt ?? [this.c.bosTokenId];
      const step = decoderStep(this.text_decoder, image);
      return await generate(
        Array.from({ length: b }, () => [...prompt]),
        step,
        { maxLength: 20, numBeams: 1, eosTokenId: this.c.sepTokenId, padTokenId: this.c.padTokenId, ...options },
      );
    } finally {
      image.dispose();
    }
  }
}
