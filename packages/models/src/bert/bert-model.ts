import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear } from '@tfjs-peft/core';
import { PreTrainedModel } from '../common/pretrained';
import type { RawConfig } from '../common/config';
import { parseBertConfig, type BertConfig } from './config';
import { BertEmbeddings } from './embeddings';
import { BertEncoder, type EncoderInputs } from './encoder';
import type { KeyValuePrefix } from './attention';
import { FirstTokenOnlyError, firstToken } from '../common/first-token';
import { textInputs, toInt32 } from '../common/text-inputs';

export { toInt32 };
import type { ModelDescription } from '@tfjs-peft/core';
import { describeBertFamily } from './describe';

/** Inputs of every BERT-family model, by their HF names in camelCase. */
export interface BertInputs {
  inputIds?: tf.Tensor | null;
  attentionMask?: tf.Tensor | null;
  tokenTypeIds?: tf.Tensor | null;
  /** cross-attention states (BLIP), `[B, Tenc, encoder_hidden_size]` */
  encoderHiddenStates?: tf.Tensor | null;
  encoderAttentionMask?: tf.Tensor | null;
  /** per-layer learned key/value prefixes (prefix tuning, P-Tuning v2) */
  prefixes?: (KeyValuePrefix | null)[] | null;
  /** replaces the word-embedding lookup (as HF `inputs_embeds`; prompt tuning): `[B, T, hidden]` */
  inputsEmbeds?: tf.Tensor | null;
  /**
   * Compute the last layer for the first position only (`[CLS]`, `<s>`, or the first virtual token
   * under prompt tuning): its queries, attention output and feed-forward run on one row per
   * sequence instead of T, its keys and values still on all of them. The pooler and the
   * sequence-classification heads read only that position, so logits, loss and gradients are the
   * full pass's (without dropout exactly; with dropout the masks are drawn for fewer elements);
   * `lastHiddenState` is then `[B, 1, hidden]`. Saves about 5/6 of the last layer's work in
   * training and inference. Not with causal attention or heads that read every token. Default off
   * (transformers computes every position).
   */
  firstTokenOnly?: boolean;
}

export interface BaseModelOutput {
  lastHiddenState: tf.Tensor;
  poolerOutput?: tf.Tensor;
}

/** HF `BertPooler`: `tanh(dense(h[:, 0]))`. */
export class BertPooler extends Module {
  dense: Linear;
  constructor(c: BertConfig) {
    super();
    this.dense = new Linear(c.hiddenSize, c.hiddenSize, { initStd: 0.02 });
  }
  forward(hidden: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.tanh(this.dense.forward(firstToken(hidden))));
  }
}

export interface BertParts {
  embeddings: BertEmbeddings;
  encoder: BertEncoder;
  pooler: BertPooler | null;
}

/** The forward pass of BERT's embeddings → encoder → pooler, shared by BertModel and the heads. */
export function runBert(m: BertParts, c: BertConfig, inputs: BertInputs & { causal?: boolean }): BaseModelOutput {
  if (inputs.firstTokenOnly && (inputs.causal ?? c.isDecoder))
    throw new FirstTokenOnlyError('a causal (decoder) pass', 'is not supported (its mask aligns the queries with the last positions)');
  const { ids, mask, release } = textInputs(inputs);
  // as transformers, learned prefixes count as past positions: token positions start after them
  const pastLength = inputs.prefixes?.find((p) => p)?.key.shape[2] ?? 0;
  const embedded = m.embeddings.forward(inputs.inputsEmbeds ? null : ids, toInt32(inputs.tokenTypeIds, 'token_type_ids'), pastLength, inputs.inputsEmbeds ?? null);
  const enc: EncoderInputs = {
    attentionMask: mask,
    causal: inputs.causal ?? c.isDecoder,
    encoderHiddenStates: inputs.encoderHiddenStates ?? null,
    encoderAttentionMask: toInt32(inputs.encoderAttentionMask, 'encoder_attention_mask'),
    prefixes: inputs.prefixes ?? null,
    firstTokenOnly: inputs.firstTokenOnly ?? false,
  };
  const lastHiddenState = m.encoder.forward(embedded, enc);
  embedded.dispose();
  release();
  return m.pooler ? { lastHiddenState, poolerOutput: m.pooler.forward(lastHiddenState) } : { lastHiddenState };
}

export interface BertModelOptions {
  /** HF `add_pooling_layer` (default true) */
  addPoolingLayer?: boolean;
  /** the config already parsed, when a model holding this one (a head, BLIP) passes its own */
  parsed?: BertConfig;
}

/**
 * HF `BertModel`: embeddings, encoder and pooler, loadable from any BERT checkpoint folder. The
 * heads hold one as `bert` (RoBERTa's as `roberta`, BLIP's text models as `bert`/`text_encoder`).
 */
export class BertModel extends PreTrainedModel implements BertParts {
  static override baseModelPrefix = 'bert';
  embeddings: BertEmbeddings;
  encoder: BertEncoder;
  pooler: BertPooler | null;
  readonly c: BertConfig;

  constructor(config: RawConfig, options: BertModelOptions = {}) {
    super(config);
    this.c = options.parsed ?? parseBertConfig(config);
    this.embeddings = new BertEmbeddings(this.c);
    this.encoder = new BertEncoder(this.c);
    this.pooler = options.addPoolingLayer === false ? null : new BertPooler(this.c);
  }

  override describe(): ModelDescription {
    return describeBertFamily(this.c, '', String(this.config.model_type ?? 'bert'));
  }

  forward(inputs: BertInputs & { causal?: boolean }): BaseModelOutput {
    return runBert(this, this.c, inputs);
  }
}
