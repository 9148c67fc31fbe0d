import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, LayerNorm, Dropout, attention, nextSeed, addResidual, reshapeView } from '@tfjs-peft/core';
import type { BertConfig } from './config';
import { firstPosition } from '../common/first-token';

/** Learned key/value prefix for one attention layer, `[B|1, heads, P, headDim]` each. */
export interface KeyValuePrefix {
  key: tf.Tensor;
  value: tf.Tensor;
}

export interface AttentionInputs {
  /** `[B, Tk]` keep-mask (1 attend, 0 pad) over the keys */
  mask?: tf.Tensor | null;
  causal?: boolean;
  /** cross-attention: keys and values come from these states `[B, Tk, encoder_hidden]` */
  encoderHiddenStates?: tf.Tensor | null;
  prefix?: KeyValuePrefix | null;
  /**
   * Queries for the first position only: the output is `[B, 1, hidden]`, what that position's
   * state would be in the full pass (keys and values still cover every position). The last layer
   * of a model whose head reads only the first token (`firstTokenOnly`) runs this way.
   */
  firstTokenOnly?: boolean;
}

/** HF `BertSelfAttention`: query/key/value projections and scaled dot-product attention. */
export class BertSelfAttention extends Module {
  query: Linear;
  key: Linear;
  value: Linear;
  readonly heads: number;
  readonly headDim: number;

  constructor(
    readonly c: BertConfig,
    isCross = false,
  ) {
    super();
    const kvIn = isCross ? c.encoderHiddenSize : c.hiddenSize;
    this.heads = c.numAttentionHeads;
    this.headDim = c.hiddenSize / c.numAttentionHeads;
    this.query = new Linear(c.hiddenSize, c.hiddenSize, { initStd: 0.02 });
    this.key = new Linear(kvIn, c.hiddenSize, { initStd: 0.02 });
    this.value = new Linear(kvIn, c.hiddenSize, { initStd: 0.02 });
  }

  private split(x: tf.Tensor): tf.Tensor {
    const [b, t] = x.shape as [number, number, number];
    return tf.transpose(reshapeView(x, [b, t, this.heads, this.headDim]), [0, 2, 1, 3]);
  }

  /** `queryStates`: what the queries are computed from, when the caller already sliced `hidden`'s first position (`firstTokenOnly`). */
  forward(hidden: tf.Tensor, inputs: AttentionInputs = {}, queryStates?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const kvSource = inputs.encoderHiddenStates ?? hidden;
      const querySource = queryStates ?? (inputs.firstTokenOnly ? firstPosition(hidden) : hidden);
      const [b, t] = querySource.shape as [number, number, number];
      const q = this.split(this.query.forward(querySource));
      const k = this.split(this.key.forward(kvSource));
      const v = this.split(this.value.forward(kvSource));
      const ctx = attention(q, k, v, {
        mask: inputs.mask ?? null,
        causal: inputs.causal ?? false,
        prefixKey: inputs.prefix?.key ?? null,
        prefixValue: inputs.prefix?.value ?? null,
        dropoutRate: this.c.attentionProbsDropoutProb,
        seed: this.training ? nextSeed() : 0,
        training: this.training,
      });
      return reshapeView(tf.transpose(ctx, [0, 2, 1, 3]), [b, t, this.c.hiddenSize]);
    });
  }
}

/** HF `BertSelfOutput` / `BertOutput`: dense → dropout → LayerNorm(· + residual). */
export class BertAddNorm extends Module {
  dense: Linear;
  LayerNorm: LayerNorm;
  dropout: Dropout;

  constructor(c: BertConfig, inFeatures: number) {
    super();
    this.dense = new Linear(inFeatures, c.hiddenSize, { initStd: 0.02 });
    this.LayerNorm = new LayerNorm(c.hiddenSize, c.layerNormEps);
    this.dropout = new Dropout(c.hiddenDropoutProb);
  }

  forward(x: tf.Tensor, residual: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.LayerNorm.forward(addResidual(this.dropout.forward(this.dense.forward(x)), residual)));
  }
}

/** HF `BertAttention`: `self` + `output` (used for self- and cross-attention). */
export class BertAttention extends Module {
  self: BertSelfAttention;
  output: BertAddNorm;

  constructor(c: BertConfig, isCross = false) {
    super();
    this.self = new BertSelfAttention(c, isCross);
    this.output = new BertAddNorm(c, c.hiddenSize);
  }

  forward(hidden: tf.Tensor, inputs: AttentionInputs = {}): tf.Tensor {
    return tf.tidy(() => {
      // under firstTokenOnly the queries and the residual are the same first-position slice
      const queries = inputs.firstTokenOnly ? firstPosition(hidden) : hidden;
      return this.output.forward(this.self.forward(hidden, inputs, queries), queries);
    });
  }
}
