import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { BertModel } from './index';

const cfg = {
  model_type: 'bert',
  vocab_size: 30,
  hidden_size: 8,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 16,
  max_position_embeddings: 16,
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
};

describe('key/value prefixes and input embeddings (prefix tuning, P-Tuning v2, prompt tuning hooks)', () => {
  beforeAll(() => useBackend('cpu'));

  it('per-layer prefixes change the outputs and get gradients; one prefix slot per layer', async () => {
    const m = new BertModel(cfg);
    const ids = tf.tensor2d([[3, 4, 5]], [1, 3], 'int32');
    const base = await m.forward({ inputIds: ids }).lastHiddenState.data();
    const pk = tf.variable(tf.randomNormal([1, 2, 4, 4], 0, 1, 'float32', 1));
    const pv = tf.variable(tf.randomNormal([1, 2, 4, 4], 0, 1, 'float32', 2));
    const prefixes = [{ key: pk, value: pv }, null];
    const withPrefix = await m.forward({ inputIds: ids, prefixes }).lastHiddenState.data();
    expect(Math.max(...Array.from(withPrefix, (v, i) => Math.abs(v - base[i]!)))).toBeGreaterThan(1e-3);
    const { grads } = tf.variableGrads(() => tf.sum(m.forward({ inputIds: ids, prefixes }).lastHiddenState) as tf.Scalar, [pk, pv]);
    expect(Math.max(...Array.from(await grads[pk.name]!.data(), Math.abs))).toBeGreaterThan(0);
    expect(() => m.forward({ inputIds: ids, prefixes: [null] })).toThrow(/prefixes: expected one per layer \(2\), got 1/);
    m.dispose();
  });

  it('inputsEmbeds replaces the word-embedding lookup, as HF (shape checked)', async () => {
    const m = new BertModel(cfg);
    const ids = tf.tensor2d([[3, 4, 5]], [1, 3], 'int32');
    const words = m.embeddings.word_embeddings.forward(ids);
    const a = await m.forward({ inputIds: ids }).lastHiddenState.data();
    const b = await m.forward({ inputsEmbeds: words }).lastHiddenState.data();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(() => m.forward({ inputsEmbeds: tf.zeros([1, 3, 4]) })).toThrow(/inputs_embeds expected \[batch, seq, 8\], got \[1,3,4\]/);
    m.dispose();
  });
});
