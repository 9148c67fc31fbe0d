import { describe, it, expect, beforeAll } from 'vitest';
import { initBackend, COMPONENTS, Linear, LayerNorm, type Module } from '@tfjs-peft/core';
import { BertForSequenceClassification, BertForMaskedLM, BertForTokenClassification, BertModel } from '../bert';
import { RobertaForSequenceClassification, RobertaForMaskedLM, RobertaModel } from '../roberta';
import { ViTForImageClassification, ViTModel } from '../vit';
import { BlipForQuestionAnswering, BlipForConditionalGeneration } from '../blip';
import { LlamaForCausalLM, LlamaForSequenceClassification, LlamaModel, LlamaRMSNorm } from '../llama';
import { Qwen2ForCausalLM, Qwen2ForSequenceClassification, Qwen2Model } from '../qwen2';
import { CLIPVisionModel, CLIPVisionModelWithProjection } from '../clip';
import { LlavaForConditionalGeneration, LlavaModel } from '../llava';
import { BERT, ROBERTA, VIT, BLIP } from '../testing/config-fixtures';

const DECODER = { vocab_size: 32, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, pad_token_id: 0 };
const LLAMA = { ...DECODER, model_type: 'llama' };
const QWEN2 = { ...DECODER, model_type: 'qwen2' };
const CLIP_VISION = {
  model_type: 'clip_vision_model',
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  image_size: 32,
  patch_size: 8,
  projection_dim: 8,
};
const LLAVA = { model_type: 'llava', vision_config: CLIP_VISION, text_config: LLAMA, image_token_index: 31 };

// every model class describes itself; the description's names exist in the model it describes
const MODELS: [string, () => Module][] = [
  ['BertModel', () => new BertModel(BERT)],
  ['BertForSequenceClassification', () => new BertForSequenceClassification({ ...BERT, num_labels: 2 })],
  ['BertForTokenClassification', () => new BertForTokenClassification({ ...BERT, num_labels: 2 })],
  ['BertForMaskedLM', () => new BertForMaskedLM(BERT)],
  ['RobertaModel', () => new RobertaModel(ROBERTA)],
  ['RobertaForSequenceClassification', () => new RobertaForSequenceClassification({ ...ROBERTA, num_labels: 2 })],
  ['RobertaForMaskedLM', () => new RobertaForMaskedLM(ROBERTA)],
  ['ViTModel', () => new ViTModel(VIT)],
  ['ViTForImageClassification', () => new ViTForImageClassification({ ...VIT, num_labels: 2 })],
  ['BlipForQuestionAnswering', () => new BlipForQuestionAnswering(BLIP)],
  ['BlipForConditionalGeneration', () => new BlipForConditionalGeneration(BLIP)],
  ['LlamaModel', () => new LlamaModel(LLAMA)],
  ['LlamaForCausalLM', () => new LlamaForCausalLM(LLAMA)],
  ['LlamaForSequenceClassification', () => new LlamaForSequenceClassification({ ...LLAMA, num_labels: 2 })],
  ['Qwen2Model', () => new Qwen2Model(QWEN2)],
  ['Qwen2ForCausalLM', () => new Qwen2ForCausalLM(QWEN2)],
  ['Qwen2ForSequenceClassification', () => new Qwen2ForSequenceClassification({ ...QWEN2, num_labels: 2 })],
  ['CLIPVisionModel', () => new CLIPVisionModel(CLIP_VISION)],
  ['CLIPVisionModelWithProjection', () => new CLIPVisionModelWithProjection({ model_type: 'clip', vision_config: CLIP_VISION })],
  ['LlavaModel', () => new LlavaModel(LLAVA)],
  ['LlavaForConditionalGeneration', () => new LlavaForConditionalGeneration(LLAVA)],
];

/**
 * PEFT's LN-tuning table lists only some of these models' norms (qwen2: `post_attention_layernorm`;
 * llava: the language model's, not the CLIP tower's); every other model's lists them all.
 */
const SOME_NORMS = new Set(['Qwen2Model', 'Qwen2ForCausalLM', 'Qwen2ForSequenceClassification', 'LlavaModel', 'LlavaForConditionalGeneration']);
const isNorm = (x: Module) => x instanceof LayerNorm || x instanceof LlamaRMSNorm;

const endsWithTarget = (name: string, t: string) => name === t || name.endsWith(`.${t}`);

describe('model descriptions', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it.each(MODELS)('%s: targets, roles, word embeddings, attention and components fit its modules', (name, make) => {
    const m = make();
    const d = m.describe();
    expect(d).not.toBeNull();
    const modules = m.namedModules().map(([n]) => n);
    const params = m.namedParameters().map(([n]) => n);
    // every default LoRA / IA3 target names at least one Linear (a regex: only Linears); every IA3 feed-forward module is a target
    const full = (spec: string) => new RegExp(`^(?:${spec})$`);
    for (const spec of [d!.targets.lora, d!.targets.ia3]) {
      if (typeof spec === 'string') {
        const hits = m.namedModules().filter(([n]) => full(spec).test(n));
        expect(hits.length, spec).toBeGreaterThan(0);
        for (const [n, x] of hits) expect(x instanceof Linear, n).toBe(true);
      } else
        for (const t of spec)
          expect(
            m.namedModules().some(([n, x]) => endsWithTarget(n, t) && x instanceof Linear),
            `${t}`,
          ).toBe(true);
    }
    const ff = d!.targets.ia3FeedForward;
    const ia3 = d!.targets.ia3;
    if (typeof ff === 'string' || typeof ia3 === 'string') {
      const matches = (spec: string | string[], n: string) => (typeof spec === 'string' ? full(spec).test(n) : spec.some((t) => endsWithTarget(n, t)));
      const ffModules = modules.filter((n) => matches(ff, n));
      expect(ffModules.length).toBeGreaterThan(0);
      for (const n of ffModules) expect(matches(ia3, n), n).toBe(true);
    } else for (const f of ff) expect(ia3.includes(f)).toBe(true);
    const ln = new RegExp(`^(?:${d!.targets.lnTuning as string})$`);
    const norms = m
      .namedModules()
      .filter(([, x]) => isNorm(x))
      .map(([n]) => n);
    expect(norms.length).toBeGreaterThan(0);
    if (SOME_NORMS.has(name)) expect(norms.some((n) => ln.test(n))).toBe(true);
    else for (const n of norms) expect(ln.test(n), n).toBe(true);
    // the LN-tuning target names norms only
    for (const [n, x] of m.namedModules()) if (ln.test(n)) expect(isNorm(x), n).toBe(true);
    // roles: attention, feed-forward and norms each pick parameters, and no parameter has two roles
    for (const role of ['attention', 'feedForward', 'norms'] as const)
      expect(
        params.some((n) => d!.parameters[role](n)),
        role,
      ).toBe(true);
    for (const n of params) expect([d!.parameters.attention(n), d!.parameters.feedForward(n), d!.parameters.norms(n)].filter(Boolean).length, n).toBeLessThan(2);
    for (const n of params.filter((p) => d!.parameters.norms(p)))
      expect(
        norms.some((x) => n.startsWith(`${x}.`)),
        n,
      ).toBe(true);
    if (d!.wordEmbeddings) expect(modules).toContain(d!.wordEmbeddings);
    for (const s of d!.submodules ?? []) expect(modules).toContain(s);
    // every parameter has a component, and the layer index is the stack's
    for (const n of params) {
      const c = d!.componentOf(n);
      expect(COMPONENTS).toContain(c);
      expect(c, n).not.toBe('other');
    }
    const layers = new Set(params.map((n) => d!.layerOf(n)).filter((l) => l != null));
    expect(layers.size).toBeGreaterThan(0);
    m.dispose();
  });

  it('attention shapes and word embeddings: the text models have them, the whole BLIP model names its parts instead', () => {
    const bert = new BertForSequenceClassification({ ...BERT, num_labels: 2 });
    const a = bert.describe()!.attention!;
    expect(a).toEqual({
      numLayers: BERT.num_hidden_layers,
      numHeads: BERT.num_attention_heads,
      numKeyValueHeads: BERT.num_attention_heads,
      headDim: (BERT.hidden_size as number) / (BERT.num_attention_heads as number),
      hidden: BERT.hidden_size,
    });
    expect(bert.describe()!.wordEmbeddings).toBe('bert.embeddings.word_embeddings');
    expect(new RobertaForSequenceClassification({ ...ROBERTA, num_labels: 2 }).describe()!.wordEmbeddings).toBe('roberta.embeddings.word_embeddings');
    const blip = new BlipForQuestionAnswering(BLIP);
    expect(blip.describe()!.attention).toBeUndefined();
    expect(blip.describe()!.submodules).toEqual(['vision_model', 'text_encoder', 'text_decoder']);
    expect(blip.vision_model.describe()!.targets.lora).toEqual(['qkv']);
    expect(blip.vision_model.describe()!.componentOf('encoder.layers.0.self_attn.qkv.weight')).toBe('attention.qkv');
    expect(blip.text_decoder.describe()!.wordEmbeddings).toBe('bert.embeddings.word_embeddings');
    expect(blip.describe()!.componentOf('vision_model.encoder.layers.1.mlp.fc1.weight')).toBe('intermediate.dense');
    expect(blip.describe()!.componentOf('text_encoder.encoder.layer.0.crossattention.self.key.weight')).toBe('attention.key');
    bert.dispose();
    blip.dispose();
  });
});
