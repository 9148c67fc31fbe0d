import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { ConfigError, setConfigLabel } from '../common/config';
import { LlavaForConditionalGeneration, LlavaModel, llavaCheckpointKey, parseLlavaConfig, scatterImageFeatures, LLAVA_TARGETS } from './index';

const VISION = { model_type: 'clip_vision_model', hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, image_size: 16, patch_size: 8 };
const TEXT = { model_type: 'llama', vocab_size: 32, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2 };
const LLAVA = { model_type: 'llava', vision_config: VISION, text_config: TEXT, image_token_index: 31 };

beforeAll(() => useBackend('cpu'));

const labelled = (raw: Record<string, unknown>) => {
  setConfigLabel(raw, 'tiny/config.json');
  return raw;
};

describe('LLaVA config', () => {
  it("transformers' defaults: image token 32000, layer −2, default strategy, gelu, projector bias, untied", () => {
    const c = parseLlavaConfig({ model_type: 'llava', vision_config: VISION, text_config: TEXT });
    expect(c).toMatchObject({
      imageTokenId: 32000,
      visionFeatureLayer: -2,
      visionFeatureSelectStrategy: 'default',
      projectorHiddenAct: 'gelu',
      multimodalProjectorBias: true,
      tieWordEmbeddings: false,
      imageSeqLength: 576,
    });
    expect(c.vision.hiddenSize).toBe(16);
    expect(c.text.numKeyValueHeads).toBe(2);
    expect(parseLlavaConfig({ ...LLAVA, image_token_index: undefined, image_token_id: 7 }).imageTokenId).toBe(7);
    // text_config.tie_word_embeddings ties when the top level does not (transformers' __post_init__)
    expect(parseLlavaConfig({ ...LLAVA, text_config: { ...TEXT, tie_word_embeddings: true } }).tieWordEmbeddings).toBe(true);
    // without sub-configs: transformers' llava-1.5 CLIP tower and a default Llama
    const d = parseLlavaConfig({ model_type: 'llava' });
    expect([d.vision.hiddenSize, d.vision.imageSize, d.vision.patchSize, d.vision.numHiddenLayers, d.text.hiddenSize]).toEqual([1024, 336, 14, 24, 4096]);
  });

  it.each([
    [{ text_config: { ...TEXT, model_type: 'mistral' } }, /tiny\/config\.json: "text_config\.model_type" = "mistral" is not supported by tfjs-peft's LLaVA; supported: "llama"/],
    [{ vision_config: { ...VISION, model_type: 'siglip_vision_model' } }, /"vision_config\.model_type" = "siglip_vision_model" is not supported.*"clip_vision_model"/],
    [{ model_type: 'llava_next' }, /"model_type" = "llava_next" is not supported/],
    [{ vision_feature_layer: 3 }, /"vision_feature_layer" expected a hidden-state index in -3…2 .* got 3/],
    [{ vision_feature_layer: [] }, /"vision_feature_layer" expected .* non-empty list .* got \[\]/],
    [{ vision_feature_layer: [-1, 'x'] }, /"vision_feature_layer" expected .* got \[-1,"x"\]/],
    [{ vision_feature_select_strategy: 'cls' }, /"vision_feature_select_strategy" = "cls" is not supported by tfjs-peft; supported: "default", "full"/],
    [{ projector_hidden_act: 'mish' }, /"projector_hidden_act"/],
    [{ image_token_index: -1 }, /"image_token_index" expected/],
    [{ image_token_id: 5 }, /"image_token_id" 5 differs from "image_token_index" 31/],
    [{ text_config: { ...TEXT, hidden_size: 15 } }, /tiny\/config\.json text_config: .*hidden_size/],
    [{ vision_config: { ...VISION, patch_size: 5 } }, /tiny\/config\.json vision_config: .*image_size.*patch_size/],
    [{ text_config: 3 }, /"text_config" expected/],
  ])('a bad config names the field: %j', (patch, message) => {
    const raw = labelled({ ...LLAVA, ...patch });
    expect(() => new LlavaForConditionalGeneration(raw)).toThrow(ConfigError);
    expect(() => new LlavaForConditionalGeneration(raw)).toThrow(message);
  });
});

describe('LLaVA checkpoint keys', () => {
  it("maps transformers 4 and transformers 5.18 save_pretrained keys onto the module names, as transformers' llava key mapping", () => {
    expect(
      [
        'language_model.lm_head.weight',
        'language_model.model.layers.0.self_attn.q_proj.weight',
        'language_model.norm.weight',
        'vision_tower.vision_model.encoder.layers.0.mlp.fc1.bias',
        'vision_tower.pre_layrnorm.weight',
        'multi_modal_projector.linear_1.weight',
        'model.language_model.embed_tokens.weight',
        'model.vision_tower.vision_model.post_layernorm.bias',
        'lm_head.weight',
      ].map(llavaCheckpointKey),
    ).toEqual([
      'lm_head.weight',
      'model.language_model.layers.0.self_attn.q_proj.weight',
      'model.language_model.norm.weight',
      'model.vision_tower.encoder.layers.0.mlp.fc1.bias',
      'model.vision_tower.pre_layrnorm.weight',
      'model.multi_modal_projector.linear_1.weight',
      'model.language_model.embed_tokens.weight',
      'model.vision_tower.post_layernorm.bias',
      'lm_head.weight',
    ]);
  });

  it('LlavaModel loads the weights of a LlavaForConditionalGeneration (lm_head reported unused)', () => {
    const head = new LlavaForConditionalGeneration(LLAVA);
    const base = new LlavaModel(LLAVA);
    const warnings: string[] = [];
    base.loadPretrainedWeights(new Map(head.namedParameters().map(([n, p]) => [n, p.value])), { onWarning: (m) => warnings.push(m) });
    expect(base.loadingInfo).toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
    const a = head.model.language_model.embed_tokens.weight.value.dataSync();
    expect(Array.from(base.language_model.embed_tokens.weight.value.dataSync())).toEqual(Array.from(a));
    head.dispose();
    base.dispose();
  });
});

describe('LLaVA image features into the placeholders', () => {
  it('scatterImageFeatures fills the placeholder rows in order (batch-major, as masked_scatter) and passes gradients to both', () => {
    const embeds = tf.tensor3d([
      [[1], [2], [3]],
      [[4], [5], [6]],
    ]);
    const features = tf.tensor2d([[10], [20], [30]]);
    const out = scatterImageFeatures(embeds, features, [1, 3, 5]);
    expect(Array.from(out.dataSync())).toEqual([1, 10, 3, 20, 5, 30]);
    const [ge, gf] = tf.grads((e: tf.Tensor, f: tf.Tensor) =>
      tf.sum(
        tf.mul(
          scatterImageFeatures(e, f, [1, 3, 5]),
          tf.tensor3d([
            [[1], [2], [3]],
            [[4], [5], [6]],
          ]),
        ),
      ),
    )([embeds, features]);
    expect(Array.from(ge!.dataSync())).toEqual([1, 0, 3, 0, 5, 0]);
    expect(Array.from(gf!.dataSync())).toEqual([2, 4, 6]);
    tf.dispose([embeds, features, out, ge!, gf!]);
  });

  it('without pixel values the model is the language model on the token embeddings; a placeholder id outside the vocabulary is allowed with images', () => {
    const m = new LlavaForConditionalGeneration({ ...LLAVA, image_token_index: 40 });
    const ids = tf.tensor2d([[1, 40, 40, 40, 40, 3]], [1, 6], 'int32');
    const pixels = tf.randomNormal([1, 3, 16, 16]);
    const before = tf.memory().numTensors;
    const out = m.forward({ inputIds: ids, pixelValues: pixels });
    expect(out.logits.shape).toEqual([1, 6, 32]);
    expect(out.imageHiddenStates!.shape).toEqual([1, 4, 16]);
    tf.dispose([out.logits, out.lastHiddenState, out.imageHiddenStates!]);
    const text = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
    const a = m.forward({ inputIds: text });
    const b = m.model.language_model.forward({ inputIds: text });
    expect(Array.from(a.lastHiddenState.dataSync())).toEqual(Array.from(b.lastHiddenState.dataSync()));
    expect(a.imageHiddenStates).toBeUndefined();
    tf.dispose([a.logits, a.lastHiddenState, b.lastHiddenState, text]);
    expect(tf.memory().numTensors).toBe(before);
    const big = tf.zeros([1, 3, 32, 32]);
    const mask = tf.ones([1, 5], 'int32');
    const settled = tf.memory().numTensors;
    expect(() => m.forward({ inputIds: ids, pixelValues: big })).toThrow(/pixel_values expected \[images, 3, 16, 16\], got \[1,3,32,32\]/);
    // an error in the language model (a mask of the wrong length) frees the image features
    expect(() => m.forward({ inputIds: ids, pixelValues: pixels, attentionMask: mask })).toThrow(/attention_mask expected \[1,6\]/);
    expect(tf.memory().numTensors).toBe(settled);
    tf.dispose([big, mask]);
    tf.dispose([ids, pixels]);
    m.dispose();
  });
});

describe('LLaVA description', () => {
  it('language-model-only LoRA / IA3 targets (PEFT has no llava entry and a bare q_proj would match the CLIP tower), roles over both towers', () => {
    const m = new LlavaForConditionalGeneration(LLAVA);
    const d = m.describe();
    expect(d.modelType).toBe('llava');
    expect(d.targets).toBe(LLAVA_TARGETS);
    const full = (spec: unknown) => new RegExp(`^(?:${spec as string})$`);
    const modules = m.namedModules().map(([n]) => n);
    expect(modules.filter((n) => full(d.targets.lora).test(n))).toEqual([
      'model.language_model.layers.0.self_attn.q_proj',
      'model.language_model.layers.0.self_attn.v_proj',
      'model.language_model.layers.1.self_attn.q_proj',
      'model.language_model.layers.1.self_attn.v_proj',
    ]);
    expect(modules.filter((n) => full(d.targets.ia3).test(n))).toHaveLength(6);
    expect(modules.filter((n) => full(d.targets.ia3FeedForward).test(n))).toEqual(['model.language_model.layers.0.mlp.down_proj', 'model.language_model.layers.1.mlp.down_proj']);
    expect(modules.filter((n) => full(d.targets.lnTuning).test(n))).toEqual([
      'model.language_model.layers.0.input_layernorm',
      'model.language_model.layers.0.post_attention_layernorm',
      'model.language_model.layers.1.input_layernorm',
      'model.language_model.layers.1.post_attention_layernorm',
      'model.language_model.norm',
    ]);
    expect(d.submodules).toEqual(['model.vision_tower', 'model.multi_modal_projector', 'model.language_model']);
    expect(d.wordEmbeddings).toBe('model.language_model.embed_tokens');
    expect(d.attention).toEqual({ numLayers: 2, numHeads: 4, numKeyValueHeads: 2, headDim: 4, hidden: 16 });
    const role = (n: string) => [d.componentOf(n), d.layerOf(n), d.parameters.attention(n), d.parameters.feedForward(n), d.parameters.norms(n)];
    expect(role('model.vision_tower.encoder.layers.1.self_attn.out_proj.bias')).toEqual(['attention.output.dense', 1, true, false, false]);
    expect(role('model.vision_tower.encoder.layers.0.layer_norm2.weight')).toEqual(['output.LayerNorm', 0, false, false, true]);
    expect(role('model.vision_tower.pre_layrnorm.bias')).toEqual(['embeddings.LayerNorm', null, false, false, true]);
    expect(role('model.multi_modal_projector.linear_1.weight')).toEqual(['pooler', null, false, false, false]);
    expect(role('model.language_model.layers.1.mlp.gate_proj.weight')).toEqual(['intermediate.dense', 1, false, true, false]);
    expect(role('model.language_model.layers.0.post_attention_layernorm.weight')).toEqual(['output.LayerNorm', 0, false, false, true]);
    expect(role('model.language_model.norm.weight')).toEqual(['final.LayerNorm', null, false, false, true]);
    expect(role('lm_head.weight')).toEqual(['classifier', null, false, false, false]);
    // each sub-module a policy names describes itself
    expect(m.model.vision_tower.describe().modelType).toBe('clip_vision_model');
    expect(m.model.multi_modal_projector.describe().modelType).toBe('llava_projector');
    expect(m.model.language_model.describe().modelType).toBe('llama');
    expect(new LlavaModel(LLAVA).describe().submodules).toEqual(['vision_tower', 'multi_modal_projector', 'language_model']);
    m.dispose();
  });
});
