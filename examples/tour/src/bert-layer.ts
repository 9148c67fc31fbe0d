import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, LayerNorm, Dropout, attention, gelu } from '@tfjs-peft/core';

/** Sizes of one BERT encoder layer (HF names). */
export interface LayerConfig {
  hidden_size: number;
  num_attention_heads: number;
  intermediate_size: number;
  layer_norm_eps: number;
  hidden_dropout_prob: number;
}

class SelfAttention extends Module {
  query: Linear;
  key: Linear;
  value: Linear;
  constructor(readonly c: LayerConfig) {
    super();
    this.query = new Linear(c.hidden_size, c.hidden_size, { initStd: 0.02 });
    this.key = new Linear(c.hidden_size, c.hidden_size, { initStd: 0.02 });
    this.value = new Linear(c.hidden_size, c.hidden_size, { initStd: 0.02 });
  }
  forward(x: tf.Tensor, mask: tf.Tensor): tf.Tensor {
    const [b, t] = x.shape as [number, number, number];
    const h = this.c.num_attention_heads;
    const split = (y: tf.Tensor) => tf.transpose(tf.reshape(y, [b, t, h, -1]), [0, 2, 1, 3]);
    const ctx = attention(split(this.query.forward(x)), split(this.key.forward(x)), split(this.value.forward(x)), { mask });
    return tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [b, t, -1]);
  }
}

/** `dense → dropout → LayerNorm(x + residual)`: BERT's SelfOutput and Output. */
class AddNorm extends Module {
  dense: Linear;
  LayerNorm: LayerNorm;
  dropout: Dropout;
  constructor(inF: number, c: LayerConfig) {
    super();
    this.dense = new Linear(inF, c.hidden_size, { initStd: 0.02 });
    this.LayerNorm = new LayerNorm(c.hidden_size, c.layer_norm_eps);
    this.dropout = new Dropout(c.hidden_dropout_prob);
  }
  forward(x: tf.Tensor, residual: tf.Tensor): tf.Tensor {
    return this.LayerNorm.forward(tf.add(this.dropout.forward(this.dense.forward(x)), residual));
  }
}

class Attention extends Module {
  self: SelfAttention;
  output: AddNorm;
  constructor(c: LayerConfig) {
    super();
    this.self = new SelfAttention(c);
    this.output = new AddNorm(c.hidden_size, c);
  }
}

class Intermediate extends Module {
  dense: Linear;
  constructor(c: LayerConfig) {
    super();
    this.dense = new Linear(c.hidden_size, c.intermediate_size, { initStd: 0.02 });
  }
}

/** One post-LN BERT layer with the module names of `BertLayer`, built from core layers and ops. */
export class BertLayer extends Module {
  attention: Attention;
  intermediate: Intermediate;
  output: AddNorm;
  constructor(c: LayerConfig) {
    super();
    this.attention = new Attention(c);
    this.intermediate = new Intermediate(c);
    this.output = new AddNorm(c.intermediate_size, c);
  }
  forward(x: tf.Tensor, mask: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.attention.output.forward(this.attention.self.forward(x, mask), x);
      const h = gelu(this.intermediate.dense.forward(a));
      return this.output.forward(h, a);
    });
  }
}
