import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, type ModelDescription, type RawTensor } from '@tfjs-peft/core';
import { PreTrainedModel, type FromPretrainedOptions } from '../common/pretrained';
import type { RawConfig } from '../common/config';
import { toInt32 } from '../common/text-inputs';
import type { KeyValuePrefix } from '../bert/attention';
import { CLIPVisionModel } from '../clip/clip-vision-model';
import { LlamaModel } from '../llama/llama-model';
import type { LlamaKvCache } from '../llama/kv-cache';
import { llavaPatchesPerImage, parseLlavaConfig, type LlavaConfig } from './config';
import { LlavaMultiModalProjector } from './projector';
import { ImageTokenMismatchError, imageTokenPositions, scatterImageFeatures } from './image-tokens';
import { withLlavaKeys } from './checkpoint-keys';
import { describeLlava } from './describe';
import { checkInputKeys } from '../common/input-keys';

/** Inputs of the LLaVA models (transformers' names in camelCase). */
export interface LlavaInputs {
  /** `[B, T]` token ids; each image contributes as many `image_token_index` placeholders as it has feature positions */
  inputIds?: tf.Tensor | null;
  /** `[images, C, image_size, image_size]` (`CLIPImageProcessor`'s `pixel_values`), the images in the order their placeholders appear */
  pixelValues?: tf.Tensor | null;
  /** `[B, T]` (`[B, cache + T]` with `pastKeyValues`), 1 attend, 0 padding */
  attentionMask?: tf.Tensor | null;
  /** `[B|1, T]` rotary positions of the language model (default `arange`) */
  positionIds?: tf.Tensor | null;
  /** replaces the token-embedding lookup (prompt tuning); with it no `pixelValues` (transformers finds placeholders by embedding equality, not implemented) */
  inputsEmbeds?: tf.Tensor | null;
  /** the language model's per-layer key/value prefixes (prefix tuning) */
  prefixes?: (KeyValuePrefix | null)[] | null;
  /** the language model's key/value cache (HF `past_key_values`) */
  pastKeyValues?: LlamaKvCache | null;
}

export interface LlavaModelOutput {
  lastHiddenState: tf.Tensor;
  /** with `pixelValues`: the projected image features `[images, positions, text hidden]` (HF `image_hidden_states`) */
  imageHiddenStates?: tf.Tensor;
}

/**
 * HF `LlavaModel`: `vision_tower` (a `CLIPVisionModel`), `multi_modal_projector`,
 * `language_model` (a `LlamaModel`). The projected image features replace, in order, the
 * embeddings of the `image_token_index` placeholders, then the language model runs on the result.
 * Loads transformers 5 checkpoints (`model.vision_tower.*`, …) and the older layouts
 * (`language_model.model.*`, `vision_tower.*`, `vision_tower.vision_model.*`, `multi_modal_projector.*`).
 */
export class LlavaModel extends PreTrainedModel {
  static override baseModelPrefix = 'model';
  vision_tower: CLIPVisionModel;
  multi_modal_projector: LlavaMultiModalProjector;
  language_model: LlamaModel;
  readonly c: LlavaConfig;
  constructor(config: RawConfig, options: { parsed?: LlavaConfig } = {}) {
    super(config);
    this.c = options.parsed ?? parseLlavaConfig(config);
    this.vision_tower = new CLIPVisionModel(this.c.visionRaw, { parsed: this.c.vision });
    this.multi_modal_projector = new LlavaMultiModalProjector(this.c);
    this.language_model = new LlamaModel(this.c.textRaw, { parsed: this.c.text });
  }

  override describe(): ModelDescription {
    return describeLlava(this.c, '');
  }

  override loadPretrainedWeights(weights: Map<string, RawTensor | tf.Tensor>, options: FromPretrainedOptions = {}): void {
    super.loadPretrainedWeights(withLlavaKeys(weights), options);
  }

  /**
   * HF `get_image_features`: the vision tower's hidden states at `vision_feature_layer` (several
   * concatenated on the hidden axis), without the CLS position under `default`, through the
   * projector: `[images, positions, text hidden]`.
   */
  getImageFeatures(pixelValues: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { hiddenStates } = this.vision_tower.forward({ pixelValues, outputHiddenStates: true });
      const all = hiddenStates!;
      const pick = (i: number) => {
        const h = all[i < 0 ? all.length + i : i]!;
        if (this.c.visionFeatureSelectStrategy === 'full') return h;
        const [n, t, d] = h.shape as [number, number, number];
        return tf.slice(h, [0, 1, 0], [n, t - 1, d]);
      };
      const layers = this.c.visionFeatureLayer;
      const selected = Array.isArray(layers) ? tf.concat(layers.map(pick), -1) : pick(layers);
      return this.multi_modal_projector.forward(selected);
    });
  }

  /** The placeholders' flattened positions, checked against the number of images × positions per image. */
  private placeholders(ids: tf.Tensor, images: number): number[] {
    const positions = imageTokenPositions(ids.dataSync(), this.c.imageTokenId);
    const per = llavaPatchesPerImage(this.c);
    if (positions.length !== images * per)
      throw new ImageTokenMismatchError(
        positions.length,
        images * per,
        `${images} image(s) × ${per} positions each (vision_feature_select_strategy ${JSON.stringify(this.c.visionFeatureSelectStrategy)}); image_token_index ${this.c.imageTokenId}`,
      );
    return positions;
  }

  /**
   * The language model's input embeddings: token embeddings with the image features scattered
   * into the placeholders (or the token embeddings alone without `pixelValues`); the caller owns
   * the result. Also returns the projected features when there are images.
   */
  embedInputs(inputs: Pick<LlavaInputs, 'inputIds' | 'pixelValues'>): { inputsEmbeds: tf.Tensor; imageHiddenStates?: tf.Tensor } {
    const { pixelValues } = inputs;
    const ids = toInt32(inputs.inputIds, 'input_ids');
    if (!ids) throw new ShapeError('input_ids', 'input_ids (or inputs_embeds without pixel_values)', []);
    try {
      if (ids.rank !== 2) throw new ShapeError('input_ids', '[batch, seq]', ids.shape);
      const v = this.c.vision;
      if (pixelValues && (pixelValues.rank !== 4 || pixelValues.shape[1] !== v.numChannels || pixelValues.shape[2] !== v.imageSize || pixelValues.shape[3] !== v.imageSize))
        throw new ShapeError('pixel_values', `[images, ${v.numChannels}, ${v.imageSize}, ${v.imageSize}]`, pixelValues.shape);
      const positions = pixelValues ? this.placeholders(ids, pixelValues.shape[0]!) : [];
      // a placeholder id may lie outside the vocabulary; its embedding is replaced anyway
      const text = tf.tidy(() => this.language_model.embed_tokens.forward(positions.length ? tf.where(tf.equal(ids, this.c.imageTokenId), tf.zerosLike(ids), ids) : ids));
      if (!pixelValues) return { inputsEmbeds: text };
      const features = this.getImageFeatures(pixelValues);
      const inputsEmbeds = tf.tidy(() => scatterImageFeatures(text, tf.reshape(features, [-1, features.shape[2]!]), positions));
      text.dispose();
      return { inputsEmbeds, imageHiddenStates: features };
    } finally {
      if (ids !== inputs.inputIds) ids.dispose();
    }
  }

  forward(inputs: LlavaInputs): LlavaModelOutput {
    checkInputKeys(inputs);
    if (inputs.inputsEmbeds && inputs.inputIds) throw new ShapeError('input_ids', 'exactly one of input_ids or inputs_embeds', inputs.inputIds.shape);
    if (inputs.inputsEmbeds && inputs.pixelValues)
      throw new ShapeError('pixel_values', 'input_ids with pixel_values (placeholders found from inputs_embeds are not implemented)', inputs.pixelValues.shape);
    const { inputsEmbeds, imageHiddenStates } = inputs.inputsEmbeds ? { inputsEmbeds: inputs.inputsEmbeds, imageHiddenStates: undefined } : this.embedInputs(inputs);
    try {
      const { lastHiddenState } = this.language_model.forward({
        inputsEmbeds,
        attentionMask: inputs.attentionMask,
        positionIds: inputs.positionIds,
        prefixes: inputs.prefixes,
        pastKeyValues: inputs.pastKeyValues,
      });
      return imageHiddenStates ? { lastHiddenState, imageHiddenStates } : { lastHiddenState };
    } catch (e) {
      imageHiddenStates?.dispose();
      throw e;
    } finally {
      if (inputsEmbeds !== inputs.inputsEmbeds) inputsEmbeds.dispose();
    }
  }
}
