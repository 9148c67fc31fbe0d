import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, activation } from '@tfjs-peft/core';
import type { BertConfig } from './config';
import { BertAttention, BertAddNorm, type KeyValuePrefix } from './attention';

export interface EncoderInputs {
  /** `[B, T]` keep-mask of the tokens */
  attentionMask?: tf.Tensor | null;
  /** decoder self-attention (BLIP's answer decoder, BertLMHeadModel) */
  causal?: boolean;
  encoderHiddenStates?: tf.Tensor | null;
  /** `[B, Tenc]` keep-mask of the encoder states */
  encoderAttentionMask?: tf.Tensor | null;
  /** one learned key/value prefix per layer (prefix tuning, P-Tuning v2) */
  prefixes?: (KeyValuePrefix | null)[] | null;
  /** the last layer computes the first position only (see `BertInputs.firstTokenOnly`) */
  firstTokenOnly?: boolean;
}

/** HF `BertIntermediate`: dense + activation. */
export class BertIntermediate extends Module {
  dense: Linear;
  private readonly _act: (x: tf.Tensor) => tf.Tensor;
  constructor(c: BertConfig) {
    super();
    this.dense = new Linear(c.hiddenSize, c.intermediateSize, { initStd: 0.02 });
    this._act = activation(c.hiddenAct);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this._act(this.dense.forward(x)));
  }
}

/** HF `BertLayer`: self-attention, optional cross-attention, feed-forward (post-LN). */
export class BertLayer extends Module {
  attention: BertAttention;
  crossattention: BertAttention | null;
  intermediate: BertIntermediate;
  output: BertAddNorm;

  constructor(c: BertConfig) {
    super();
    this.attention = new BertAttention(c);
    this.crossattention = c.addCrossAttention ? new BertAttention(c, true) : null;
    this.intermediate = new BertIntermediate(c);
    this.output = new BertAddNorm(c, c.intermediateSize);
  }

  /** `firstTokenOnly`: the output is `[B, 1, hidden]`, the first position's state (keys and values see every position). */
  forward(hidden: tf.Tensor, inputs: EncoderInputs, prefix: KeyValuePrefix | null, firstTokenOnly = false): tf.Tensor {
    return tf.tidy(() => {
      let h = this.attention.forward(hidden, { mask: inputs.attentionMask, causal: inputs.causal, prefix, firstTokenOnly });
      if (this.crossattention && inputs.encoderHiddenStates) {
        h = this.crossattention.forward(h, { encoderHiddenStates: inputs.encoderHiddenStates, mask: inputs.encoderAttentionMask });
      }
      return this.output.forward(this.intermediate.forward(h), h);
    });
  }
}

/** HF `BertEncoder`: `layer.0 … layer.{N-1}`. */
export class BertEncoder extends Module {
  layer: BertLayer[];
  constructor(c: BertConfig) {
    super();
    this.layer = Array.from({ length: c.numHiddenLayers }, () => new BertLayer(c));
  }
  forward(hidden: tf.Tensor, inputs: EncoderInputs = {}): tf.Tensor {
    if (inputs.prefixes && inputs.prefixes.length !== this.layer.length) {
      throw new Error(`prefixes: expected one per layer (${this.layer.length}), got ${inputs.prefixes.length}`);
    }
    let h = hidden;
    const last = this.layer.length - 1;
    this.layer.forEach((l, i) => {
      const next = l.forward(h, inputs, inputs.prefixes?.[i] ?? null, i === last && (inputs.firstTokenOnly ?? false));
      if (h !== hidden) h.dispose();
      h = next;
    });
    return h;
  }
}
