import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { ConfigError } from '../common/config';
import { LlamaForCausalLM, LlamaForSequenceClassification, LlamaModel, causalLmLoss, llamaCausalMask, repeatKv, rotateHalf } from './index';

const base = { model_type: 'llama', vocab_size: 32, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, pad_token_id: 0 };

beforeAll(() => useBackend('cpu'));

describe('Llama description', () => {
  it("PEFT's llama targets, the attention shape and every parameter's role", () => {
    const m = new LlamaForCausalLM(base);
    const d = m.describe();
    expect(d.modelType).toBe('llama');
    expect(d.targets).toEqual({
      lora: ['q_proj', 'v_proj'],
      ia3: ['k_proj', 'v_proj', 'down_proj'],
      ia3FeedForward: ['down_proj'],
      lnTuning: '(.*\\.)?(input_layernorm|post_attention_layernorm|norm)',
    });
    expect(d.wordEmbeddings).toBe('model.embed_tokens');
    expect(m.getSubmodule(d.wordEmbeddings!)).toBe(m.model.embed_tokens);
    expect(d.attention).toEqual({ numLayers: 2, numHeads: 4, numKeyValueHeads: 2, headDim: 4, hidden: 16 });
    const lnTarget = new RegExp(`^${d.targets.lnTuning as string}$`);
    const norms = m
      .namedModules()
      .map(([n]) => n)
      .filter((n) => lnTarget.test(n));
    expect(norms).toEqual([
      'model.layers.0.input_layernorm',
      'model.layers.0.post_attention_layernorm',
      'model.layers.1.input_layernorm',
      'model.layers.1.post_attention_layernorm',
      'model.norm',
    ]);
    const roles = Object.fromEntries(
      m.namedParameters().map(([n]) => [n, [d.componentOf(n), d.layerOf(n), d.parameters.attention(n), d.parameters.feedForward(n), d.parameters.norms(n)]]),
    );
    expect(roles['model.embed_tokens.weight']).toEqual(['embeddings', null, false, false, false]);
    expect(roles['model.layers.1.self_attn.q_proj.weight']).toEqual(['attention.query', 1, true, false, false]);
    expect(roles['model.layers.0.self_attn.k_proj.weight']).toEqual(['attention.key', 0, true, false, false]);
    expect(roles['model.layers.0.self_attn.v_proj.weight']).toEqual(['attention.value', 0, true, false, false]);
    expect(roles['model.layers.0.self_attn.o_proj.weight']).toEqual(['attention.output.dense', 0, true, false, false]);
    expect(roles['model.layers.0.mlp.gate_proj.weight']).toEqual(['intermediate.dense', 0, false, true, false]);
    expect(roles['model.layers.0.mlp.up_proj.weight']).toEqual(['intermediate.dense', 0, false, true, false]);
    expect(roles['model.layers.0.mlp.down_proj.weight']).toEqual(['output.dense', 0, false, true, false]);
    expect(roles['model.layers.0.input_layernorm.weight']).toEqual(['attention.output.LayerNorm', 0, false, false, true]);
    expect(roles['model.layers.0.post_attention_layernorm.weight']).toEqual(['output.LayerNorm', 0, false, false, true]);
    expect(roles['model.norm.weight']).toEqual(['final.LayerNorm', null, false, false, true]);
    expect(roles['lm_head.weight']).toEqual(['classifier', null, false, false, false]);
    const bare = new LlamaModel(base).describe();
    expect(bare.wordEmbeddings).toBe('embed_tokens');
    expect(bare.parameters.norms('norm.weight')).toBe(true);
    m.dispose();
  });
});

describe('Llama building blocks', () => {
  it('rotate_half, repeat_kv and the causal/padding mask as transformers', async () => {
    expect(Array.from(await rotateHalf(tf.tensor1d([1, 2, 3, 4])).data())).toEqual([-3, -4, 1, 2]);
    const kv = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    expect(Array.from(await repeatKv(kv, 2).data())).toEqual([1, 2, 1, 2, 3, 4, 3, 4]);
    const left = llamaCausalMask(3, tf.tensor2d([[0, 1, 1]], [1, 3], 'int32'), null);
    expect(Array.from(await left.data())).toEqual([0, 0, 0, 0, 1, 0, 0, 1, 1]);
    const packed = llamaCausalMask(4, null, tf.tensor2d([[0, 1, 0, 1]], [1, 4], 'int32'));
    expect(Array.from(await packed.data())).toEqual([1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1]);
  });

  it('inputs_embeds gives the logits of input_ids; forward frees everything it makes', async () => {
    const m = new LlamaForCausalLM(base);
    m.eval();
    const ids = tf.tensor2d([[3, 4, 5, 6]], [1, 4], 'int32');
    const before = tf.memory().numTensors;
    const a = m.forward({ inputIds: ids });
    const embeds = m.model.embed_tokens.forward(ids);
    const b = m.forward({ inputsEmbeds: embeds });
    expect(Array.from(await b.logits.data())).toEqual(Array.from(await a.logits.data()));
    tf.dispose([a.logits, a.lastHiddenState, b.logits, b.lastHiddenState, embeds]);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('tied lm_head: a checkpoint that still carries lm_head.weight loads without notes', () => {
    const m = new LlamaForCausalLM({ ...base, tie_word_embeddings: true });
    const weights = new Map<string, tf.Tensor>(m.namedParameters().map(([n, p]) => [n, tf.clone(p.value)]));
    weights.set('lm_head.weight', tf.zeros([32, 16]));
    const notes: string[] = [];
    m.loadPretrainedWeights(weights, { onWarning: (w) => notes.push(w) });
    expect(notes).toEqual([]);
    expect(m.loadingInfo).toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
    expect(m.lm_head.weight).toBe(m.model.embed_tokens.weight);
    tf.dispose([...weights.values()]);
    m.dispose();
  });

  it('causal LM loss: labels shifted, −100 ignored, mean over the rest', async () => {
    const logits = tf.randomNormal([1, 3, 5], 0, 1, 'float32', 7);
    const labels = tf.tensor2d([[9, 2, -100]], [1, 3], 'int32'); // position 0 predicts 2, position 1 ignored
    const loss = causalLmLoss(logits, labels, 5);
    const ref = tf.tidy(() => tf.neg(tf.gather(tf.logSoftmax(tf.reshape(tf.slice(logits, [0, 0, 0], [1, 1, 5]), [5])), 2)));
    expect(await loss.data()).toEqual(await ref.data());
    expect(() => causalLmLoss(logits, tf.zeros([1, 2], 'int32'), 5)).toThrow(/labels/);
  });

  it('sequence classification pools the last non-pad token; without pad_token_id only batch 1', async () => {
    const m = new LlamaForSequenceClassification({ ...base, num_labels: 2 });
    m.eval();
    const padded = m.forward({ inputIds: tf.tensor2d([[5, 6, 0, 0]], [1, 4], 'int32') });
    const short = m.forward({ inputIds: tf.tensor2d([[5, 6]], [1, 2], 'int32') });
    expect(Array.from(await padded.logits.data())[0]).toBeCloseTo(Array.from(await short.logits.data())[0]!, 5);
    const noPad = new LlamaForSequenceClassification({ ...base, pad_token_id: null });
    expect(() => noPad.forward({ inputIds: tf.zeros([2, 3], 'int32') })).toThrow(ConfigError);
    const one = noPad.forward({ inputIds: tf.ones([1, 3], 'int32') });
    expect(one.logits.shape).toEqual([1, 2]);
    m.dispose();
    noPad.dispose();
  });

  it('generate: EOS from the config (one id or several), without one only the length limit stops', async () => {
    const m = new LlamaForCausalLM({ ...base, eos_token_id: [1, 2] });
    m.eval();
    const r = await m.generate([[3, 4]], { maxLength: 8 });
    expect(r.sequences).toEqual((await m.generate([[3, 4]], { maxLength: 8, eosTokenId: [1, 2] })).sequences);
    expect(r.sequences[0]!.slice(0, 2)).toEqual([3, 4]);
    const generated = r.sequences[0]!.slice(2);
    expect(generated.slice(0, -1).some((t) => t === 1 || t === 2)).toBe(false);
    expect(generated.length === 6 || [1, 2].includes(generated[generated.length - 1]!)).toBe(true);
    const none = await m.generate([[3, 4]], { maxNewTokens: 5, eosTokenId: null });
    expect(none.sequences[0]).toHaveLength(7);
    expect(() => new LlamaForCausalLM({ ...base, eos_token_id: ['x'] })).toThrow(/"eos_token_id" expected a non-negative integer or a list/);
    m.dispose();
  });

  it('position_ids of the wrong shape are a ShapeError; nothing is leaked', () => {
    const m = new LlamaModel(base);
    const ids = tf.ones([2, 3], 'int32');
    const pos = tf.zeros([2, 4], 'int32');
    const before = tf.memory().numTensors;
    expect(() => m.forward({ inputIds: ids, positionIds: pos })).toThrow(/position_ids/);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
