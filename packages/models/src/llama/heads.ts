import * as tf from '@tensorflow/tfjs-core';
import { Linear, ShapeError, crossEntropy, type ModelDescription } from '@tfjs-peft/core';
import { PreTrainedModel } from '../common/pretrained';
import { ConfigError, type RawConfig } from '../common/config';
import { classificationLoss } from '../common/losses';
import { toInt32 } from '../common/text-inputs';
import { parseLlamaConfig, type LlamaConfig } from './config';
import { LlamaModel, type LlamaInputs, type LlamaModelOptions } from './llama-model';
import { describeLlama } from './describe';
import type { GenerateResult } from '../blip/generate';
import { generateCausal } from './generation/generate';
import type { LlamaGenerateOptions } from './generation/options';
import { readGenerationConfig, withGenerationDefaults, writeGenerationConfig } from './generation/generation-config';
import type { FileLocation } from '@tfjs-peft/core';
import type { FromPretrainedOptions } from '../common/pretrained';
import type { GeneratePrompts } from './generation/prompts';

export interface LlamaLabelledInputs extends LlamaInputs {
  /**
   * Causal LM: `[B, T]` token ids, −100 to ignore; the model shifts them (position t predicts
   * label t+1), as transformers. Sequence classification: class ids, or float targets.
   */
  labels?: tf.Tensor | null;
}

export interface LlamaHeadOutput {
  logits: tf.Tensor;
  loss?: tf.Tensor;
  lastHiddenState: tf.Tensor;
}

/**
 * transformers' `ForCausalLMLoss`: labels shifted left by one (the last position gets −100),
 * cross-entropy over the vocabulary, mean over the labels that are not −100. (When every label is
 * ignored the mean is 0 here, NaN in PyTorch.)
 */
export function causalLmLoss(logits: tf.Tensor, labels: tf.Tensor, vocabSize: number): tf.Tensor {
  const [b, t] = logits.shape as [number, number, number];
  if (labels.shape.join(',') !== `${b},${t}`) throw new ShapeError('labels', [b, t], labels.shape);
  return tf.tidy(() => {
    const ids = toInt32(labels, 'labels')!;
    const shifted = tf.concat([tf.slice(ids, [0, 1], [b, t - 1]), tf.fill([b, 1], -100, 'int32')], 1);
    return crossEntropy(tf.reshape(logits, [-1, vocabSize]), tf.reshape(shifted, [-1]));
  });
}

/** HF `LlamaForCausalLM`: the decoder and `lm_head` (no bias), tied to `embed_tokens` when `tie_word_embeddings`. */
export class LlamaForCausalLM extends PreTrainedModel {
  static override baseModelPrefix = 'model';
  /** the decoder class `model` is built from (Qwen2's heads: `Qwen2Model`) */
  static decoderClass: new (config: RawConfig, options: LlamaModelOptions) => LlamaModel = LlamaModel;
  model: LlamaModel;
  lm_head: Linear;
  readonly c: LlamaConfig;
  /**
   * The checkpoint's `generation_config.json` (HF `GenerationConfig`), read by `fromPretrained` and
   * written back by `savePretrained`: its values are `generate`'s defaults; options passed to
   * `generate` win. null when the folder has none.
   */
  generationConfig: Record<string, unknown> | null = null;
  /** `options.parsed`: a config another Llama-family parser read (Qwen2) */
  constructor(config: RawConfig, options: LlamaModelOptions = {}) {
    super(config);
    this.c = options.parsed ?? parseLlamaConfig(config);
    this.model = new (this.constructor as typeof LlamaForCausalLM).decoderClass(config, { parsed: this.c });
    this.lm_head = new Linear(this.c.hiddenSize, this.c.vocabSize, { bias: false, initStd: 0.02 });
    if (this.c.tieWordEmbeddings) {
      this.lm_head.weight.dispose();
      this.lm_head.weight = this.model.embed_tokens.weight;
    }
  }

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
    return describeLlama(this.c, 'model');
  }

  forward(inputs: LlamaLabelledInputs): LlamaHeadOutput {
    const out = this.model.forward(inputs);
    const logits = this.lm_head.forward(out.lastHiddenState);
    const loss = inputs.labels ? causalLmLoss(logits, inputs.labels, this.c.vocabSize) : undefined;
    return { logits, loss, ...out };
  }

  /**
   * transformers' `generate` (decoder-only): ragged `number[][]` prompts are padded on the left
   * (or pass a tokenizer's left-padded `{ inputIds, attentionMask }`); positions come from the
   * attention mask and a key/value cache runs one position per new token. Greedy by default,
   * sampling with `doSample` (`temperature`, `topK`, `topP`, a `seed`), beam search with
   * `numBeams`; `repetitionPenalty`; EOS defaults to the config's `eos_token_id` (one or several).
   * `sequences` hold each prompt without its padding and the tokens generated, up to and including EOS.
   * The checkpoint's `generation_config.json` gives the defaults (`generationConfig`), as in transformers.
   */
  async generate(prompts: GeneratePrompts, options: LlamaGenerateOptions = {}): Promise<GenerateResult> {
    return generateCausal(this, prompts, withGenerationDefaults(this.generationConfig, options), {
      who: `${this.constructor.name}.generate`,
      vocabSize: this.c.vocabSize,
      eosTokenId: this.c.eosTokenId,
      padTokenId: this.c.padTokenId,
    });
  }
}

/**
 * HF `LlamaForSequenceClassification`: `score` (no bias) on the last token that is not
 * `pad_token_id` (the rightmost, so left and right padding both work; from `input_ids`, so with
 * `inputs_embeds` the last position), as transformers.
 */
export class LlamaForSequenceClassification extends PreTrainedModel {
  static override baseModelPrefix = 'model';
  /** the decoder class `model` is built from (Qwen2's heads: `Qwen2Model`) */
  static decoderClass: new (config: RawConfig, options: LlamaModelOptions) => LlamaModel = LlamaModel;
  model: LlamaModel;
  score: Linear;
  readonly c: LlamaConfig;
  /** `options.parsed`: a config another Llama-family parser read (Qwen2) */
  constructor(config: RawConfig, options: LlamaModelOptions = {}) {
    super(config);
    this.c = options.parsed ?? parseLlamaConfig(config);
    this.model = new (this.constructor as typeof LlamaForSequenceClassification).decoderClass(config, { parsed: this.c });
    this.score = new Linear(this.c.hiddenSize, this.c.numLabels, { bias: false, initStd: 0.02 });
  }

  override describe(): ModelDescription {
    return describeLlama(this.c, 'model');
  }

  forward(inputs: LlamaLabelledInputs): LlamaHeadOutput {
    const source = inputs.inputIds ?? inputs.inputsEmbeds;
    const batch = source?.shape[0] ?? 0;
    if (this.c.padTokenId == null && batch !== 1)
      throw new ConfigError(
        `${this.constructor.name}: "pad_token_id" is not set, so only batch size 1 works (transformers: cannot handle batch sizes > 1 if no padding token is defined)`,
      );
    const out = this.model.forward(inputs);
    const logits = tf.tidy(() => {
      const [b, t, hidden] = out.lastHiddenState.shape as [number, number, number];
      let last: tf.Tensor;
      if (this.c.padTokenId != null && inputs.inputIds) {
        const ids = tf.cast(inputs.inputIds, 'int32');
        const nonPad = tf.cast(tf.notEqual(ids, tf.scalar(this.c.padTokenId, 'int32')), 'int32');
        last = tf.argMax(tf.mul(tf.range(0, t, 1, 'int32'), nonPad), -1); // [B]
      } else last = tf.fill([b], t - 1, 'int32');
      const rows = tf.add(tf.mul(tf.range(0, b, 1, 'int32'), tf.scalar(t, 'int32')), tf.cast(last, 'int32'));
      const pooled = tf.gather(tf.reshape(out.lastHiddenState, [b * t, hidden]), rows); // [B, hidden]
      return this.score.forward(pooled);
    });
    const loss = inputs.labels ? classificationLoss(logits, inputs.labels, this.c.numLabels, this.c.problemType) : undefined;
    return { logits, loss, ...out };
  }
}
