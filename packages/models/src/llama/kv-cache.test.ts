import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { LlamaKvCache } from './kv-cache';
import { LlamaForCausalLM } from './heads';

const base = { model_type: 'llama', vocab_size: 32, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, pad_token_id: 0 };

beforeAll(() => useBackend('cpu'));

describe('LlamaKvCache', () => {
  it('grows per update, returns the whole sequence, reorders rows and frees everything', async () => {
    const before = tf.memory().numTensors;
    const cache = new LlamaKvCache(2);
    expect([cache.length, cache.batch]).toEqual([0, null]);
    const k1 = tf.tensor4d([1, 2, 3, 4], [2, 1, 1, 2]);
    const v1 = tf.tensor4d([5, 6, 7, 8], [2, 1, 1, 2]);
    const first = cache.update(0, k1, v1);
    expect(first.key).not.toBe(k1); // the cache owns a copy
    const k2 = tf.tensor4d([9, 10, 11, 12], [2, 1, 1, 2]);
    const { key } = cache.update(0, k2, k2);
    expect(key.shape).toEqual([2, 1, 2, 2]);
    expect(Array.from(await key.data())).toEqual([1, 2, 9, 10, 3, 4, 11, 12]);
    expect([cache.length, cache.batch]).toEqual([2, 2]);
    cache.update(1, k1, v1);
    cache.update(1, k2, v1);
    cache.reorder([1, 1, 0]);
    expect(cache.batch).toBe(3);
    expect(Array.from(await cache.layer(0)!.key.data())).toEqual([3, 4, 11, 12, 3, 4, 11, 12, 1, 2, 9, 10]);
    const wide = tf.zeros([3, 2, 1, 2]);
    expect(() => cache.update(0, wide, wide)).toThrow(/past_key_values\[0\] key expected \[3, 1, T, 2\]/);
    wide.dispose();
    expect(() => cache.reorder([3])).toThrow(/reorder rows/);
    expect(() => cache.update(2, k1, v1)).toThrow(/past_key_values layer/);
    tf.dispose([k1, v1, k2]);
    cache.dispose();
    expect(cache.length).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a forward with a cache checks the cache layers, its batch and the mask over cached + new positions', () => {
    const m = new LlamaForCausalLM(base);
    m.eval();
    const cache = new LlamaKvCache(2);
    const ids = tf.tensor2d([[3, 4, 5]], [1, 3], 'int32');
    const one = tf.tensor2d([[6]], [1, 1], 'int32');
    const shortMask = tf.ones([1, 1], 'int32');
    const two = tf.ones([2, 1], 'int32');
    const out = m.forward({ inputIds: ids, pastKeyValues: cache });
    tf.dispose([out.logits, out.lastHiddenState]);
    const before = tf.memory().numTensors;
    expect(() => m.forward({ inputIds: one, attentionMask: shortMask, pastKeyValues: cache })).toThrow(/attention_mask expected \[1,4\]/);
    expect(() => m.forward({ inputIds: two, pastKeyValues: cache })).toThrow(/past_key_values expected 2 cached rows/);
    expect(() => m.forward({ inputIds: one, pastKeyValues: new LlamaKvCache(3) })).toThrow(/past_key_values expected one slot per layer \(2\)/);
    expect(tf.memory().numTensors).toBe(before); // a rejected forward frees what it made
    expect(cache.length).toBe(3);
    const fullMask = tf.ones([1, 4], 'int32');
    const next = m.forward({ inputIds: one, attentionMask: fullMask, pastKeyValues: cache });
    expect(cache.length).toBe(4);
    expect(next.logits.shape).toEqual([1, 1, 32]);
    tf.dispose([next.logits, next.lastHiddenState, one, ids, shortMask, two, fullMask]);
    cache.dispose();
    m.dispose();
  });

  it('default positions continue from the cache: a prompt then one token at a time gives the logits of the full pass', async () => {
    const m = new LlamaForCausalLM(base);
    m.eval();
    const before = tf.memory().numTensors;
    const tokens = [3, 4, 5, 6, 7];
    const full = tf.tidy(() => m.forward({ inputIds: tf.tensor2d([tokens], [1, 5], 'int32') }).logits);
    const want = (await full.data()) as Float32Array;
    full.dispose();
    const cache = new LlamaKvCache(2);
    const got: number[] = [];
    for (const [from, to] of [
      [0, 3],
      [3, 4],
      [4, 5],
    ] as const) {
      const out = tf.tidy(() => m.forward({ inputIds: tf.tensor2d([tokens.slice(from, to)], [1, to - from], 'int32'), pastKeyValues: cache }).logits);
      got.push(...((await out.data()) as Float32Array));
      out.dispose();
    }
    expect(got).toHaveLength(want.length);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
