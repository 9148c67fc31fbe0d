import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@tfjs-peft/core';
import { BlipPreTrainedModel } from './blip-pretrained';
import type { RawConfig } from '../common/config';
import { BertModel } from '../bert/bert-model';
import type { KeyValuePrefix } from '../bert/attention';
import { BlipVisionModel } from './vision';
import { BlipTextLMHeadModel, decoderStep, labelsFromIds, shiftedLmLoss } from './text';
import { generate, type GenerateOptions, type GenerateResult } from './generate';
import type { ModelDescription } from '@tfjs-peft/core';
import { describeBlip } from './describe';
import { checkInputKeys } from '../common/input-keys';

export interface BlipVqaInputs {
  pixelValues: tf.Tensor;
  /** question `[B, Tq]` */
  inputIds: tf.Tensor;
  attentionMask?: tf.Tensor | null;
  /** answer `[B, Ta]`, starting with the decoder start token */
  decoderInputIds?: tf.Tensor | null;
  decoderAttentionMask?: tf.Tensor | null;
  /** answer targets, −100 where ignored (defaults to decoderInputIds with padding → −100) */
  labels?: tf.Tensor | null;
  /** per-sub-module key/value prefixes (prefix tuning / P-Tuning v2) */
  prefixes?: { vision_model?: (KeyValuePrefix | null)[]; text_encoder?: (KeyValuePrefix | null)[]; text_decoder?: (KeyValuePrefix | null)[] };
}

export interface BlipVqaOutput {
  loss?: tf.Tensor;
  imageEmbeds: tf.Tensor;
  questionEmbeds: tf.Tensor;
  decoderLogits?: tf.Tensor;
}

/**
 * HF `BlipForQuestionAnswering`, the MISS topology: image → `vision_model`; question + image →
 * `text_encoder` (joint text-multimodal encoder, cross-attending to the image); the answer
 * decoder `text_decoder` cross-attends to the question states (not the image).
 */
export class BlipForQuestionAnswering extends BlipPreTrainedModel {
  vision_model: BlipVisionModel;
  text_encoder: BertModel;
  text_decoder: BlipTextLMHeadModel;

  constructor(config: RawConfig) {
    super(config);
    this.vision_model = new BlipVisionModel(this.c.vision);
    this.text_encoder = new BertModel({ model_type: 'blip_text_model' }, { parsed: this.c.text, addPoolingLayer: false });
    this.text_decoder = new BlipTextLMHeadModel(this.c.text, this.c.tieWordEmbeddings);
  }

  override describe(): ModelDescription {
    return describeBlip(this.c.vision, ['vision_model', 'text_encoder', 'text_decoder']);
  }

  /** Image and question states: `[B, 1+patches, H]` and `[B, Tq, H]`. */
  encode(inputs: Pick<BlipVqaInputs, 'pixelValues' | 'inputIds' | 'attentionMask' | 'prefixes'>): { imageEmbeds: tf.Tensor; questionEmbeds: tf.Tensor } {
    checkInputKeys(inputs);
    const vision = this.vision_model.forward(inputs.pixelValues, inputs.prefixes?.vision_model ?? null);
    vision.poolerOutput.dispose();
    const imageEmbeds = vision.lastHiddenState;
    const [b, n] = imageEmbeds.shape as [number, number, number];
    if (inputs.inputIds.shape[0] !== b) throw new ShapeError('input_ids', `[${b}, Tq] (one question per image)`, inputs.inputIds.shape);
    const imageMask = tf.ones([b, n], 'int32');
    const { lastHiddenState: questionEmbeds } = this.text_encoder.forward({
      inputIds: inputs.inputIds,
      attentionMask: inputs.attentionMask,
      encoderHiddenStates: imageEmbeds,
      encoderAttentionMask: imageMask,
      causal: false,
      prefixes: inputs.prefixes?.text_encoder ?? null,
    });
    imageMask.dispose();
    return { imageEmbeds, questionEmbeds };
  }

  forward(inputs: BlipVqaInputs): BlipVqaOutput {
    const { imageEmbeds, questionEmbeds } = this.encode(inputs);
    if (!inputs.decoderInputIds) return { imageEmbeds, questionEmbeds };
    const decoderLogits = this.text_decoder.forward({
      inputIds: inputs.decoderInputIds,
      attentionMask: inputs.decoderAttentionMask,
      encoderHiddenStates: questionEmbeds,
      encoderAttentionMask: inputs.attentionMask,
      prefixes: inputs.prefixes?.text_decoder ?? null,
    });
    const labels = inputs.labels ?? labelsFromIds(inputs.decoderInputIds!, this.c.padTokenId);
    const loss = shiftedLmLoss(decoderLogits, labels, this.c.labelSmoothing, this.lossReduction);
    if (labels !== inputs.labels) labels.dispose();
    return { loss, imageEmbeds, questionEmbeds, decoderLogits };
  }

  /**
   * Answers by greedy or beam search (MISS: `{ numBeams: 3, maxLength: 10, minLength: 1 }`).
   * As HF, the decoder attends to every question position at inference (all-ones mask).
   * Returns token ids starting with the decoder start token; decode them with the tokenizer.
   */
  async generate(inputs: Pick<BlipVqaInputs, 'pixelValues' | 'inputIds' | 'attentionMask' | 'prefixes'>, options: Partial<GenerateOptions> = {}): Promise<GenerateResult> {
    const { imageEmbeds, questionEmbeds } = tf.tidy(() => this.encode(inputs));
    imageEmbeds.dispose();
    const b = questionEmbeds.shape[0]!;
    try {
      const step = decoderStep(this.text_decoder, questionEmbeds, inputs.prefixes?.text_decoder);
      return await generate(
        Array.from({ length: b }, () => [this.c.bosTokenId]),
        step,
        { maxLength: 10, minLength: 1, numBeams: 3, eosTokenId: this.c.sepTokenId, padTokenId: this.c.padTokenId, ...options },
      );
    } finally {
      questionEmbeds.dispose();
    }
  }
}
