import { describe, it, expect, beforeAll } from 'vitest';
import { useBackend } from '@tfjs-peft/ops/testing';
import { ConfigError } from '../common/config';
import { parseLlamaConfig } from '../llama/config';
import { Qwen2ForCausalLM, Qwen2ForSequenceClassification, Qwen2Model, parseQwen2Config } from './index';

const base = { model_type: 'qwen2', vocab_size: 32, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, pad_token_id: 0 };

beforeAll(() => useBackend('cpu'));

describe('Qwen2 config.json validation', () => {
  it("transformers' Qwen2Config defaults; biases on q/k/v only, whatever attention_bias says", () => {
    const c = parseQwen2Config({ model_type: 'qwen2' });
    expect(c).toMatchObject({
      vocabSize: 151936,
      hiddenSize: 4096,
      intermediateSize: 22016,
      numHiddenLayers: 32,
      numAttentionHeads: 32,
      numKeyValueHeads: 32,
      headDim: 128,
      maxPositionEmbeddings: 32768,
      rmsNormEps: 1e-6,
      ropeTheta: 10000,
      ropeScaling: { type: 'default' },
      tieWordEmbeddings: false,
      qkvBias: true,
      oProjBias: false,
      mlpBias: false,
      padTokenId: null,
      eosTokenId: null,
    });
    expect(parseQwen2Config({ ...base, attention_bias: false, mlp_bias: true })).toMatchObject({ qkvBias: true, oProjBias: false, mlpBias: false });
    expect(parseQwen2Config({ ...base, rope_theta: 1e6, rope_scaling: null }).ropeTheta).toBe(1e6);
    expect(parseQwen2Config({ ...base, rope_parameters: { rope_type: 'default', rope_theta: 1e6 } }).ropeTheta).toBe(1e6);
    // Llama's parser is unchanged: attention_bias on all four projections
    expect(parseLlamaConfig({ ...base, model_type: 'llama', attention_bias: true })).toMatchObject({ qkvBias: true, oProjBias: true, mlpBias: false });
  });

  it('sliding-window attention is rejected by field; the window settings of a config that has it off are ignored, as transformers', () => {
    expect(() => parseQwen2Config({ ...base, use_sliding_window: true })).toThrow(ConfigError);
    expect(() => parseQwen2Config({ ...base, use_sliding_window: true })).toThrow(/config\.json: "use_sliding_window" = true is not supported by tfjs-peft/);
    expect(() => parseQwen2Config({ ...base, use_sliding_window: 'no' })).toThrow(/"use_sliding_window" expected true or false/);
    expect(() => parseQwen2Config({ ...base, layer_types: ['full_attention', 'sliding_attention'] })).toThrow(/"layer_types\[1\]" = "sliding_attention" is not supported/);
    expect(() => parseQwen2Config({ ...base, layer_types: ['full_attention'] })).toThrow(/"layer_types" expected a list of 2 entries/);
    expect(() => parseQwen2Config({ ...base, layer_types: 'full_attention' })).toThrow(/"layer_types" expected a list/);
    expect(
      parseQwen2Config({ ...base, use_sliding_window: false, sliding_window: 32768, max_window_layers: 1, layer_types: ['full_attention', 'full_attention'] }).numHiddenLayers,
    ).toBe(2);
  });

  it('rejects the wrong model_type, unsupported rope types and bad sizes by field', () => {
    expect(() => parseQwen2Config({ ...base, model_type: 'llama' })).toThrow(/"model_type" = "llama" is not supported by tfjs-peft; supported: "qwen2"/);
    expect(() => parseLlamaConfig({ ...base })).toThrow(/"model_type" = "qwen2"/);
    expect(() => parseQwen2Config({ ...base, rope_parameters: { rope_type: 'dynamic', factor: 4 } })).toThrow(/"rope_parameters.rope_type" = "dynamic" is not supported/);
    expect(() => parseQwen2Config({ ...base, num_key_value_heads: 3 })).toThrow(/num_attention_heads 4 is not a multiple of num_key_value_heads 3/);
    expect(() => parseQwen2Config({ ...base, hidden_size: 0 })).toThrow(/"hidden_size" expected a positive integer/);
    expect(() => parseQwen2Config({ ...base, pad_token_id: 32 })).toThrow(/"pad_token_id" 32 must be less than "vocab_size" 32/);
    expect(() => new Qwen2Model({ ...base, use_sliding_window: true })).toThrow(/"use_sliding_window"/);
    expect(() => new Qwen2ForSequenceClassification({ ...base, layer_types: ['sliding_attention', 'full_attention'] })).toThrow(/"layer_types\[0\]"/);
  });
});

describe('Qwen2 description', () => {
  it("PEFT's qwen2 targets (LN tuning: post_attention_layernorm only), the attention shape and the biases' roles", () => {
    const m = new Qwen2ForCausalLM(base);
    const d = m.describe();
    expect(d.modelType).toBe('qwen2');
    expect(d.targets).toEqual({ lora: ['q_proj', 'v_proj'], ia3: ['q_proj', 'v_proj', 'down_proj'], ia3FeedForward: ['down_proj'], lnTuning: '(.*\\.)?post_attention_layernorm' });
    expect(d.wordEmbeddings).toBe('model.embed_tokens');
    expect(d.attention).toEqual({ numLayers: 2, numHeads: 4, numKeyValueHeads: 2, headDim: 4, hidden: 16 });
    const lnTarget = new RegExp(`^${d.targets.lnTuning as string}$`);
    expect(
      m
        .namedModules()
        .map(([n]) => n)
        .filter((n) => lnTarget.test(n)),
    ).toEqual(['model.layers.0.post_attention_layernorm', 'model.layers.1.post_attention_layernorm']);
    expect(d.componentOf('model.layers.0.self_attn.k_proj.bias')).toBe('attention.key');
    expect(d.parameters.attention('model.layers.0.self_attn.q_proj.bias')).toBe(true);
    expect(d.layerOf('model.layers.1.self_attn.v_proj.bias')).toBe(1);
    expect(m.model.describe().wordEmbeddings).toBe('embed_tokens');
    expect(new Qwen2ForSequenceClassification({ ...base, num_labels: 2 }).describe().modelType).toBe('qwen2');
    m.dispose();
  });
});
