import * as tf from '@tensorflow/tfjs-core';
import { Module, crossEntropy } from '@tfjs-peft/core';
import type { BertConfig } from '../bert/config';
import { BertModel, toInt32, type BertInputs } from '../bert/bert-model';
import { BertOnlyMLMHead } from '../bert/heads';
import type { ModelDescription } from '@tfjs-peft/core';
import { describeBertFamily } from '../bert/describe';

/**
 * HF `BlipTextModel` is BERT without token types and with cross-attention in every layer; it is
 * `BertModel` with the BLIP text config. HF `BlipTextLMHeadModel` (the answer/report decoder):
 * causal self-attention, cross-attention, `cls.predictions` tied to the word embeddings.
 */
export class BlipTextLMHeadModel extends Module {
  bert: BertModel;
  cls: BertOnlyMLMHead;
  constructor(
    readonly c: BertConfig,
    tieWordEmbeddings = true,
  ) {
    super();
    this.bert = new BertModel({ model_type: 'blip_text_model' }, { parsed: c, addPoolingLayer: false });
    this.cls = new BertOnlyMLMHead(c, tieWordEmbeddings ? this.bert.embeddings.word_embeddings.weight : null);
  }

  override describe(): ModelDescription {
    return describeBertFamily(this.c, 'bert', 'blip_text_model');
  }

  /** Logits `[B, T, vocab]` of the causal decoder attending to `encoderHiddenStates`. */
  forward(inputs: BertInputs): tf.Tensor {
    const { lastHiddenState } = this.bert.forward({ ...inputs, causal: true });
    const logits = this.cls.predictions.forward(lastHiddenState);
    lastHiddenState.dispose();
    return logits;
  }
}

export type LmLossReduction = 'mean' | 'sequence-sum';

/**
 * Shifted language-model loss: logits at position t predict labels at t+1; −100 is ignored.
 * `'mean'` averages over target tokens (HF); `'sequence-sum'` sums per sequence and averages over
 * the batch (BLIP/MISS's `loss.sum()/batch_size`).
 */
export function shiftedLmLoss(logits: tf.Tensor, labels: tf.Tensor, labelSmoothing: number, reduction: LmLossReduction = 'mean'): tf.Tensor {
  return tf.tidy(() => {
    const [b, t, v] = logits.shape as [number, number, number];
    const y = toInt32(labels, 'labels')!;
    const shiftedLogits = tf.slice(logits, [0, 0, 0], [b, t - 1, v]);
    const shiftedLabels = tf.slice(y, [0, 1], [b, t - 1]);
    if (reduction === 'mean') return crossEntropy(shiftedLogits, shiftedLabels, { labelSmoothing, reduction: 'mean' });
    return tf.div(crossEntropy(shiftedLogits, shiftedLabels, { labelSmoothing, reduction: 'sum' }), b);
  });
}

/** Labels from decoder input ids: padding becomes −100 (ignored), as BLIP's training code does. */
export function labelsFromIds(ids: tf.Tensor, padTokenId: number): tf.Tensor {
  return tf.tidy(() => {
    const x = toInt32(ids, 'decoder_input_ids')!;
    return tf.where(tf.equal(x, tf.scalar(padTokenId, 'int32')), tf.fill(x.shape, -100, 'int32'), x);
  });
}

/**
 * A generation step for `generate()`: the decoder's last-position logits `[N, vocab]` for N prefixes,
 * each attending to the encoder states of its batch item.
 */
export function decoderStep(decoder: BlipTextLMHeadModel, encoderStates: tf.Tensor, prefixes?: BertInputs['prefixes']) {
  return (ids: number[][], batchIndex: number[]): tf.Tensor2D =>
    tf.tidy(() => {
      const input = tf.tensor2d(ids, [ids.length, ids[0]!.length], 'int32');
      const enc = tf.gather(encoderStates, tf.tensor1d(batchIndex, 'int32'));
      const logits = decoder.forward({ inputIds: input, encoderHiddenStates: enc, prefixes: prefixes ?? null });
      const [n, t, v] = logits.shape as [number, number, number];
      return tf.reshape(tf.slice(logits, [0, t - 1, 0], [n, 1, v]), [n, v]) as tf.Tensor2D;
    });
}
