import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, ShapeError } from '@tfjs-peft/core';
import { BertModel } from '../bert';
import { DistilBertModel } from '../distilbert';
import { textInputs } from './text-inputs';

const BERT = {
  model_type: 'bert',
  vocab_size: 30,
  hidden_size: 8,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 16,
  max_position_embeddings: 16,
  type_vocab_size: 2,
};
const DISTILBERT = { model_type: 'distilbert', vocab_size: 30, dim: 8, n_layers: 1, n_heads: 2, hidden_dim: 16, max_position_embeddings: 16 };

describe('text inputs', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('checks ids / embeds / mask shapes by HF name', () => {
    expect(() => textInputs({})).toThrow(ShapeError);
    expect(() => textInputs({ inputIds: tf.zeros([2, 3, 1], 'int32') })).toThrow(/input_ids expected \[batch, seq\]/);
    expect(() => textInputs({ inputIds: tf.zeros([2, 3], 'int32'), attentionMask: tf.ones([2, 4], 'int32') })).toThrow(/attention_mask expected \[2,3\], got \[2,4\]/);
    expect(() => textInputs({ inputIds: tf.tensor2d([['a', 'b']], undefined, 'string') })).toThrow(/input_ids expected an int32 tensor/);
  });

  it.each([
    ['BertModel', () => new BertModel(BERT)],
    ['DistilBertModel', () => new DistilBertModel(DISTILBERT)],
  ])('%s: float32 ids and mask are cast for the pass and the casts freed (no tensor left)', async (_, make) => {
    const m = make();
    m.eval();
    const ids = tf.tensor2d(
      [
        [1, 4, 5, 2],
        [1, 6, 2, 0],
      ],
      undefined,
      'float32',
    );
    const mask = tf.tensor2d(
      [
        [1, 1, 1, 1],
        [1, 1, 1, 0],
      ],
      undefined,
      'float32',
    );
    const before = tf.memory().numTensors;
    const out = m.forward({ inputIds: ids, attentionMask: mask }) as unknown as Record<string, tf.Tensor>;
    const reference = m.forward({ inputIds: tf.cast(ids, 'int32'), attentionMask: tf.cast(mask, 'int32') }) as unknown as Record<string, tf.Tensor>;
    expect(Array.from(await out.lastHiddenState!.data())).toEqual(Array.from(await reference.lastHiddenState!.data()));
    tf.dispose([...Object.values(out), ...Object.values(reference)]);
    expect(tf.memory().numTensors).toBe(before + 2); // only the two int32 casts made for the reference call
    expect(ids.isDisposed || mask.isDisposed).toBe(false);
    m.dispose();
  });
});
