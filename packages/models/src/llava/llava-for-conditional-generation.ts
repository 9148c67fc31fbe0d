import * as tf from '@tensorflow/tfjs-core';
import { Linear, type FileLocation, type ModelDescription, type RawTensor } from '@tfjs-peft/core';
import { PreTrainedModel, type FromPretrainedOptions } from '../common/pretrained';
import type { RawConfig } from '../common/config';
import { causalLmLoss } from '../llama/heads';
import { parseLlavaConfig, type LlavaConfig } from './config';
import { LlavaModel, type LlavaInputs } from './llava-model';
import { withLlavaKeys } from './checkpoint-keys';
import { describeLlava } from './describe';
import type { GenerateResult } from '../blip/generate';
import type { LlamaGenerateOptions } from '../llama/generation/options';
import { generateLlava, type LlavaGenerateInputs } from './generate';
import { readGenerationConfig, withGenerationDefaults, writeGenerationConfig } from '../llama/generation/generation-config';

export interface LlavaLabelledInputs extends LlavaInputs {
  /** `[B, T]` token ids, −100 to ignore; shifted as the causal LM loss does (position t predicts label t+1) */
  labels?: tf.Tensor | null;
}

export interface LlavaOutput {
  logits: tf.Tensor;
  /** with `labels`: transformers' `ForCausalLMLoss` (mean over the labels that are not −100) */
  loss?: tf.Tensor;
  lastHiddenState: tf.Tensor;
  /** with `pixelValues`: the projected image features `[images, positions, text hidden]` */
  imageHiddenStates?: tf.Tensor;
}

/**
 * HF `LlavaForConditionalGeneration`: `model` (a `LlavaModel`: `vision_tower`,
 * `multi_modal_projector`, `language_model`) and `lm_head` (no bias), tied to
 * `model.language_model.embed_tokens` when `tie_word_embeddings`. Loads transformers 5
 * checkpoints and the older layout (`language_model.model.*`, `language_model.lm_head.*`,
 * `vision_tower.*`, `multi_modal_projector.*`, as transformers' key mapping); saves the module
 * names (`model.language_model.*`, `model.vision_tower.*`, `model.multi_modal_projector.*`, `lm_head.*`).
 */
export class LlavaForConditionalGeneration extends PreTrainedModel {
  static override baseModelPrefix = 'model';
  model: LlavaModel;
  lm_head: Linear;
  readonly c: LlavaConfig;
  constructor(config: RawConfig) {
    super(config);
    this.c = parseLlavaConfig(config);
    this.model = new LlavaModel(config, { parsed: this.c });
    this.lm_head = new Linear(this.c.text.hiddenSize, this.c.text.vocabSize, { bias: false, initStd: 0.02 });
    if (this.c.tieWordEmbeddings) {
      this.lm_head.weight.dispose();
      this.lm_head.weight = this.model.language_model.embed_tokens.weight;
    }
  }

  /** The checkpoint's `generation_config.json`: `generate`'s defaults (passed options win); saved back. null when none. */
  generationConfig: Record<string, unknown> | null = null;

  protected override async loadPretrainedExtras(dir: FileLocation, options: FromPretrainedOptions): Promise<void> {
    this.generationConfig = await readGenerationConfig(dir, options.onWarning ?? ((m: string) => console.warn(`[tfjs-peft] ${m}`)));
  }

  override async savePretrained(dir: FileLocation, options: { maxShardBytes?: number; floatDtype?: 'F32' | 'F16' | 'BF16' } = {}): Promise<void> {
    await super.savePretrained(dir, options);
    if (this.generationConfig) await writeGenerationConfig(dir, this.generationConfig);
  }

  /** A tied `lm_head.weight` in a checkpoint is skipped (the embeddings are loaded once). */
  protected override tiedCheckpointKeys(): RegExp[] {
    return this.c.tieWordEmbeddings ? [/^lm_head\.weight$/] : [];
  }

  override describe(): ModelDescription {
    return describeLlava(this.c, 'model');
  }

  override loadPretrainedWeights(weights: Map<string, RawTensor | tf.Tensor>, options: FromPretrainedOptions = {}): void {
    super.loadPretrainedWeights(withLlavaKeys(weights), options);
  }

  forward(inputs: LlavaLabelledInputs): LlavaOutput {
    const out = this.model.forward(inputs);
    const logits = this.lm_head.forward(out.lastHiddenState);
    const loss = inputs.labels ? causalLmLoss(logits, inputs.labels, this.c.text.vocabSize) : undefined;
    return loss ? { logits, loss, ...out } : { logits, ...out };
  }

  /**
   * transformers' `generate`: a left-padded batch `{ inputIds, attentionMask, pixelValues }` (the
   * prompts with their image placeholders); the image features fill the placeholders in the first
   * step, then the language model's key/value cache runs one position per new token. Llama's
   * options (greedy, sampling, beam search — each beam of a prompt with that prompt's images —,
   * `repetitionPenalty`, EOS from `text_config`). `sequences` hold each prompt without its padding
   * and the generated tokens.
   */
  async generate(inputs: LlavaGenerateInputs, options: LlamaGenerateOptions = {}): Promise<GenerateResult> {
    return generateLlava(this, inputs, withGenerationDefaults(this.generationConfig, options), `${this.constructor.name}.generate`);
  }
}
