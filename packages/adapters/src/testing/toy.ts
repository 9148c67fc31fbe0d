import * as tf from '@tensorflow/tfjs-core';
import { manualSeed, variableGrads, type Module } from '@tfjs-peft/core';
import { BertForSequenceClassification } from '@tfjs-peft/models/bert';
import { ViTForImageClassification } from '@tfjs-peft/models/vit';
import { BlipForQuestionAnswering } from '@tfjs-peft/models/blip';

export const BERT_CFG = {
  model_type: 'bert',
  vocab_size: 40,
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 32,
  max_position_embeddings: 24,
  num_labels: 2,
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
};
export const VIT_CFG = { model_type: 'vit', hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, image_size: 16, patch_size: 8, num_labels: 2 };
export const BLIP_CFG = {
  model_type: 'blip',
  label_smoothing: 0.1,
  text_config: {
    vocab_size: 40,
    hidden_size: 16,
    encoder_hidden_size: 16,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 24,
    bos_token_id: 1,
    sep_token_id: 2,
    pad_token_id: 0,
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
  },
  vision_config: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, image_size: 16, patch_size: 8 },
};

export interface Toy {
  name: string;
  make(): Module & { forward(i: never): unknown };
  inputs(): Record<string, tf.Tensor>;
  loss(out: unknown): tf.Scalar;
  output(out: unknown): tf.Tensor;
}

/** Tiny models with a learnable toy batch (fixed seeds), for the conformance suite. */
export const TOYS: Toy[] = [
  {
    name: 'bert',
    make: () => {
      manualSeed(11);
      return new BertForSequenceClassification(BERT_CFG) as never;
    },
    inputs: () => ({
      inputIds: tf.tensor2d(
        [
          [3, 7, 9, 4, 0],
          [5, 6, 12, 0, 0],
          [8, 8, 3, 2, 1],
          [13, 4, 4, 9, 0],
        ],
        [4, 5],
        'int32',
      ),
      attentionMask: tf.tensor2d(
        [
          [1, 1, 1, 1, 0],
          [1, 1, 1, 0, 0],
          [1, 1, 1, 1, 1],
          [1, 1, 1, 1, 0],
        ],
        [4, 5],
        'int32',
      ),
      labels: tf.tensor1d([0, 1, 1, 0], 'int32'),
    }),
    loss: (o) => (o as { loss: tf.Scalar }).loss,
    output: (o) => (o as { logits: tf.Tensor }).logits,
  },
  {
    name: 'vit',
    make: () => {
      manualSeed(12);
      return new ViTForImageClassification(VIT_CFG) as never;
    },
    inputs: () => ({ pixelValues: tf.randomNormal([3, 3, 16, 16], 0, 1, 'float32', 5), labels: tf.tensor1d([1, 0, 1], 'int32') }),
    loss: (o) => (o as { loss: tf.Scalar }).loss,
    output: (o) => (o as { logits: tf.Tensor }).logits,
  },
  {
    name: 'blip',
    make: () => {
      manualSeed(13);
      return new BlipForQuestionAnswering(BLIP_CFG) as never;
    },
    inputs: () => ({
      pixelValues: tf.randomNormal([2, 3, 16, 16], 0, 1, 'float32', 6),
      inputIds: tf.tensor2d(
        [
          [1, 5, 6, 7],
          [1, 9, 3, 0],
        ],
        [2, 4],
        'int32',
      ),
      attentionMask: tf.tensor2d(
        [
          [1, 1, 1, 1],
          [1, 1, 1, 0],
        ],
        [2, 4],
        'int32',
      ),
      decoderInputIds: tf.tensor2d(
        [
          [1, 11, 2],
          [1, 14, 2],
        ],
        [2, 3],
        'int32',
      ),
    }),
    loss: (o) => (o as { loss: tf.Scalar }).loss,
    output: (o) => (o as { decoderLogits: tf.Tensor }).decoderLogits,
  },
];

/** A few plain SGD steps on the trainable parameters; returns the losses. */
export async function sgd(
  model: Module & { forward(i: never): unknown },
  inputs: Record<string, tf.Tensor>,
  loss: (o: unknown) => tf.Scalar,
  steps: number,
  lr: number,
): Promise<number[]> {
  const vars = model.trainableParameters().map(([, p]) => p.variable);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { value, grads } = variableGrads(() => loss(model.forward(inputs as never)), vars);
    losses.push((await value.data())[0]!);
    // a parameter the loss does not reach (a vision layer after LLaVA's feature layer) has no gradient
    for (const v of vars) if (grads[v.name]) tf.tidy(() => v.assign(tf.sub(v, tf.mul(grads[v.name]!, lr))));
    tf.dispose([value, ...Object.values(grads)]);
  }
  return losses;
}
