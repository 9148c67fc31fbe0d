import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, LayerNorm, Dropout, Embedding, ShapeError, attention, nextSeed, addResidual, reshapeView, activation, type ModelDescription } from '@tfjs-peft/core';
import { PreTrainedModel } from '../common/pretrained';
import type { RawConfig } from '../common/config';
import { firstPosition } from '../common/first-token';
import { textInputs } from '../common/text-inputs';
import type { KeyValuePrefix } from '../bert/attention';
import { parseDistilBertConfig, type DistilBertConfig } from './config';
import { describeDistilBert } from './describe';

/** Inputs of every DistilBERT model (HF names in camelCase; DistilBERT has no token types). */
export interface DistilBertInputs {
  inputIds?: tf.Tensor | null;
  attentionMask?: tf.Tensor | null;
  /** replaces the word-embedding lookup (HF `inputs_embeds`; prompt tuning): `[B, T, dim]` */
  inputsEmbeds?: tf.Tensor | null;
  /** per-layer learned key/value prefixes (prefix tuning, P-Tuning v2), `[B|1, heads, P, headDim]` */
  prefixes?: (KeyValuePrefix | null)[] | null;
  /** the last layer computes the first position only (see `BertInputs.firstTokenOnly`); `lastHiddenState` is `[B, 1, dim]` */
  firstTokenOnly?: boolean;
}

export interface DistilBertOutput {
  lastHiddenState: tf.Tensor;
}

/** HF `Embeddings`: word + learned position embeddings, LayerNorm (eps 1e-12), dropout. */
export class DistilBertEmbeddings extends Module {
  word_embeddings: Embedding;
  position_embeddings: Embedding;
  LayerNorm: LayerNorm;
  dropout: Dropout;
  constructor(readonly c: DistilBertConfig) {
    super();
    this.word_embeddings = new Embedding(c.vocabSize, c.dim, { paddingIdx: c.padTokenId, initStd: 0.02 });
    this.position_embeddings = new Embedding(c.maxPositionEmbeddings, c.dim, { initStd: 0.02 });
    this.LayerNorm = new LayerNorm(c.dim, 1e-12);
    this.dropout = new Dropout(c.dropout);
  }
  forward(inputIds: tf.Tensor | null, inputsEmbeds: tf.Tensor | null = null): tf.Tensor {
    if (inputsEmbeds && (inputsEmbeds.rank !== 3 || inputsEmbeds.shape[2] !== this.c.dim)) throw new ShapeError('inputs_embeds', `[batch, seq, ${this.c.dim}]`, inputsEmbeds.shape);
    const source = inputsEmbeds ?? inputIds;
    if (!source) throw new ShapeError('input_ids', 'input_ids or inputs_embeds', []);
    const t = source.shape[1]!;
    if (t > this.c.maxPositionEmbeddings) throw new ShapeError('input_ids', `at most ${this.c.maxPositionEmbeddings} positions (max_position_embeddings)`, source.shape);
    return tf.tidy(() => {
      const words = inputsEmbeds ?? this.word_embeddings.forward(inputIds!);
      const e = tf.add(words, this.position_embeddings.forward(tf.expandDims(tf.range(0, t, 1, 'int32'), 0)));
      return this.dropout.forward(this.LayerNorm.forward(e));
    });
  }
}

/** HF `DistilBertSelfAttention` (`MultiHeadSelfAttention`): q/k/v/out linears. */
export class DistilBertSelfAttention extends Module {
  q_lin: Linear;
  k_lin: Linear;
  v_lin: Linear;
  out_lin: Linear;
  readonly headDim: number;
  constructor(readonly c: DistilBertConfig) {
    super();
    this.headDim = c.dim / c.nHeads;
    this.q_lin = new Linear(c.dim, c.dim, { initStd: 0.02 });
    this.k_lin = new Linear(c.dim, c.dim, { initStd: 0.02 });
    this.v_lin = new Linear(c.dim, c.dim, { initStd: 0.02 });
    this.out_lin = new Linear(c.dim, c.dim, { initStd: 0.02 });
  }
  private split(x: tf.Tensor): tf.Tensor {
    const [b, t] = x.shape as [number, number, number];
    return tf.transpose(reshapeView(x, [b, t, this.c.nHeads, this.headDim]), [0, 2, 1, 3]);
  }
  forward(hidden: tf.Tensor, queries: tf.Tensor, mask: tf.Tensor | null, prefix: KeyValuePrefix | null): tf.Tensor {
    return tf.tidy(() => {
      const [b, t] = queries.shape as [number, number, number];
      const ctx = attention(this.split(this.q_lin.forward(queries)), this.split(this.k_lin.forward(hidden)), this.split(this.v_lin.forward(hidden)), {
        mask,
        causal: false,
        prefixKey: prefix?.key ?? null,
        prefixValue: prefix?.value ?? null,
        dropoutRate: this.c.attentionDropout,
        seed: this.training ? nextSeed() : 0,
        training: this.training,
      });
      return this.out_lin.forward(reshapeView(tf.transpose(ctx, [0, 2, 1, 3]), [b, t, this.c.dim]));
    });
  }
}

/** HF `FFN`: lin1 → activation → lin2 → dropout. */
export class DistilBertFFN extends Module {
  lin1: Linear;
  lin2: Linear;
  dropout: Dropout;
  private readonly _act: (x: tf.Tensor) => tf.Tensor;
  constructor(c: DistilBertConfig) {
    super();
    this.lin1 = new Linear(c.dim, c.hiddenDim, { initStd: 0.02 });
    this.lin2 = new Linear(c.hiddenDim, c.dim, { initStd: 0.02 });
    this.dropout = new Dropout(c.dropout);
    this._act = activation(c.activation);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.dropout.forward(this.lin2.forward(this._act(this.lin1.forward(x)))));
  }
}

/** HF `TransformerBlock`: attention → sa_layer_norm(· + x) → ffn → output_layer_norm(· + ·) (post-LN). */
export class DistilBertLayer extends Module {
  attention: DistilBertSelfAttention;
  sa_layer_norm: LayerNorm;
  ffn: DistilBertFFN;
  output_layer_norm: LayerNorm;
  constructor(c: DistilBertConfig) {
    super();
    this.attention = new DistilBertSelfAttention(c);
    this.sa_layer_norm = new LayerNorm(c.dim, 1e-12);
    this.ffn = new DistilBertFFN(c);
    this.output_layer_norm = new LayerNorm(c.dim, 1e-12);
  }
  forward(hidden: tf.Tensor, mask: tf.Tensor | null, prefix: KeyValuePrefix | null, firstTokenOnly = false): tf.Tensor {
    return tf.tidy(() => {
      const queries = firstTokenOnly ? firstPosition(hidden) : hidden;
      const a = this.sa_layer_norm.forward(addResidual(this.attention.forward(hidden, queries, mask, prefix), queries));
      return this.output_layer_norm.forward(addResidual(this.ffn.forward(a), a));
    });
  }
}

/** HF `Transformer`: `layer.0 … layer.{n_layers-1}`. */
export class DistilBertTransformer extends Module {
  layer: DistilBertLayer[];
  constructor(c: DistilBertConfig) {
    super();
    this.layer = Array.from({ length: c.nLayers }, () => new DistilBertLayer(c));
  }
  forward(hidden: tf.Tensor, mask: tf.Tensor | null, prefixes: (KeyValuePrefix | null)[] | null, firstTokenOnly = false): tf.Tensor {
    if (prefixes && prefixes.length !== this.layer.length) throw new ShapeError('prefixes', `one per layer (${this.layer.length})`, [prefixes.length]);
    let h = hidden;
    const last = this.layer.length - 1;
    this.layer.forEach((l, i) => {
      const next = l.forward(h, mask, prefixes?.[i] ?? null, i === last && firstTokenOnly);
      if (h !== hidden) h.dispose();
      h = next;
    });
    return h;
  }
}

export interface DistilBertModelOptions {
  /** the config already parsed, when a head passes its own */
  parsed?: DistilBertConfig;
}

/** HF `DistilBertModel`: embeddings and transformer; the heads hold one as `distilbert`. */
export class DistilBertModel extends PreTrainedModel {
  static override baseModelPrefix = 'distilbert';
  embeddings: DistilBertEmbeddings;
  transformer: DistilBertTransformer;
  readonly c: DistilBertConfig;
  constructor(config: RawConfig, options: DistilBertModelOptions = {}) {
    super(config);
    this.c = options.parsed ?? parseDistilBertConfig(config);
    this.embeddings = new DistilBertEmbeddings(this.c);
    this.transformer = new DistilBertTransformer(this.c);
  }

  override describe(): ModelDescription {
    return describeDistilBert(this.c, '');
  }

  forward(inputs: DistilBertInputs): DistilBertOutput {
    const { ids, mask, release } = textInputs(inputs);
    const embedded = this.embeddings.forward(inputs.inputsEmbeds ? null : ids, inputs.inputsEmbeds ?? null);
    const lastHiddenState = this.transformer.forward(embedded, mask, inputs.prefixes ?? null, inputs.firstTokenOnly ?? false);
    embedded.dispose();
    release();
    return { lastHiddenState };
  }
}
