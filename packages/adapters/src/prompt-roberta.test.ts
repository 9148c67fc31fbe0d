import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, assertClose } from '@tfjs-peft/ops/testing';
import { RobertaForSequenceClassification } from '@tfjs-peft/models/roberta';
import { applyPeft, PromptEmbedding } from './index';
import { sgd } from './testing/toy';

// prompt tuning finds the word embeddings through describe() (before, only `bert.`-prefixed layouts were found)
const CFG = {
  model_type: 'roberta',
  vocab_size: 40,
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 32,
  max_position_embeddings: 40,
  type_vocab_size: 1,
  pad_token_id: 1,
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
  num_labels: 2,
};

describe('prompt tuning on RobertaForSequenceClassification', () => {
  beforeAll(() => useBackend('cpu'));

  it('prepends virtual tokens from roberta.embeddings.word_embeddings, initialised from token ids, and trains only them (+ classifier)', async () => {
    const model = new RobertaForSequenceClassification(CFG);
    const peft = applyPeft(model, { method: 'prompt-tuning', numVirtualTokens: 3, initTokenIds: [5, 6, 7] });
    const table = (peft.prompt_encoder.get('default') as PromptEmbedding).embedding.weight.value;
    const words = model.roberta.embeddings.word_embeddings.weight.value;
    assertClose(await table.data(), await tf.gather(words, tf.tensor1d([5, 6, 7], 'int32')).data(), 'prompt init', { atol: 0, rtol: 0 });
    const trainable = peft.trainableParameters().map(([n]) => n);
    expect(trainable.some((n) => n.startsWith('prompt_encoder.default'))).toBe(true);
    expect(trainable.every((n) => n.startsWith('prompt_encoder.') || n.includes('classifier'))).toBe(true);
    const inputs = {
      inputIds: tf.tensor2d(
        [
          [0, 5, 9, 2],
          [0, 7, 2, 1],
        ],
        undefined,
        'int32',
      ),
      attentionMask: tf.tensor2d(
        [
          [1, 1, 1, 1],
          [1, 1, 1, 0],
        ],
        undefined,
        'int32',
      ),
      labels: tf.tensor1d([0, 1], 'int32'),
    };
    const losses = await sgd(peft as never, inputs, (o) => (o as { loss: tf.Scalar }).loss, 6, 0.3);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    tf.dispose(Object.values(inputs));
    peft.dispose();
  });
});
