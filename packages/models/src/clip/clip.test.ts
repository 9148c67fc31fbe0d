import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { assertClose, useBackend } from '@tfjs-peft/ops/testing';
import { ConfigError } from '../common/config';
import { CLIPVisionModel, CLIPVisionModelWithProjection, clipVisionRawConfig, parseClipVisionConfig, quickGelu } from './index';

const VISION = {
  model_type: 'clip_vision_model',
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  image_size: 32,
  patch_size: 8,
  projection_dim: 8,
};
const FULL = { model_type: 'clip', projection_dim: 8, text_config: { model_type: 'clip_text_model', hidden_size: 16 }, vision_config: VISION };

describe('CLIP vision config', () => {
  it("transformers' CLIPVisionConfig defaults (ViT-B/32), and a CLIPConfig's vision_config", () => {
    expect(parseClipVisionConfig({})).toEqual({
      hiddenSize: 768,
      intermediateSize: 3072,
      projectionDim: 512,
      numHiddenLayers: 12,
      numAttentionHeads: 12,
      numChannels: 3,
      imageSize: 224,
      patchSize: 32,
      hiddenAct: 'quick_gelu',
      layerNormEps: 1e-5,
      attentionDropout: 0,
    });
    expect(parseClipVisionConfig(FULL)).toEqual(parseClipVisionConfig(VISION));
    expect(clipVisionRawConfig(FULL)).toEqual(VISION);
    expect(clipVisionRawConfig({ model_type: 'clip', vision_config: { hidden_size: 16, num_attention_heads: 4 } }).model_type).toBe('clip_vision_model');
  });

  it('bad fields are ConfigErrors naming the file, the sub-config and the field', async () => {
    expect(() => parseClipVisionConfig({ ...VISION, hidden_act: 'mish' })).toThrow(/"hidden_act" = "mish" is not supported by tfjs-peft; supported: "quick_gelu", "gelu"/);
    expect(() => parseClipVisionConfig({ ...VISION, image_size: 30 })).toThrow(/image_size 30 is not a multiple of patch_size 8/);
    expect(() => parseClipVisionConfig({ ...VISION, hidden_size: 18 })).toThrow(/hidden_size 18 is not a multiple of num_attention_heads 4/);
    expect(() => parseClipVisionConfig({ ...VISION, model_type: 'siglip_vision_model' })).toThrow(/"model_type" = "siglip_vision_model" is not supported/);
    expect(() => parseClipVisionConfig({ model_type: 'clip' })).toThrow(/"vision_config" expected the vision tower's config object/);
    expect(() => parseClipVisionConfig({ ...FULL, vision_config: { ...VISION, num_hidden_layers: 0 } })).toThrow(
      /config\.json vision_config: "num_hidden_layers" expected a positive integer, got 0/,
    );
    expect(() => parseClipVisionConfig({ ...FULL, vision_config: { ...VISION, model_type: 'clip_text_model' } })).toThrow(ConfigError);
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-clip-cfg-'));
    try {
      await writeFile(join(dir, 'config.json'), JSON.stringify({ ...FULL, vision_config: { ...VISION, layer_norm_eps: 'small' } }));
      const err = await CLIPVisionModel.fromPretrained(dir).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect(err!.message).toMatch(/config\.json vision_config: "layer_norm_eps" expected a positive number/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('CLIP vision building blocks', () => {
  beforeAll(() => useBackend('cpu'));

  it('quick_gelu is x·σ(1.702x) (float64 reference)', async () => {
    const xs = [-6, -2.5, -1, -0.3, 0, 0.2, 1, 3, 8];
    const y = quickGelu(tf.tensor1d(xs));
    assertClose(
      await y.data(),
      xs.map((x) => x / (1 + Math.exp(-1.702 * x))),
      'quick_gelu',
      { atol: 1e-6, rtol: 1e-6 },
    );
    y.dispose();
  });

  it('HF module names: transformers 5 CLIPVisionModel keys, the projection model under vision_model, no patch bias', () => {
    const m = new CLIPVisionModel(FULL);
    const names = m.namedParameters().map(([n]) => n);
    expect(names.slice(0, 5)).toEqual([
      'embeddings.class_embedding',
      'embeddings.patch_embedding.weight',
      'embeddings.position_embedding.weight',
      'pre_layrnorm.weight',
      'pre_layrnorm.bias',
    ]);
    expect(names).toContain('encoder.layers.1.self_attn.out_proj.bias');
    expect(names).toContain('encoder.layers.0.mlp.fc2.weight');
    expect(names.slice(-2)).toEqual(['post_layernorm.weight', 'post_layernorm.bias']);
    expect(names.some((n) => n.includes('patch_embedding.bias'))).toBe(false);
    expect(m.getParameter('embeddings.class_embedding').shape).toEqual([16]);
    expect(m.getParameter('embeddings.position_embedding.weight').shape).toEqual([17, 16]);
    expect(m.config.model_type).toBe('clip_vision_model');
    const p = new CLIPVisionModelWithProjection(VISION);
    expect(p.namedParameters().map(([n]) => n)).toEqual([...names.map((n) => `vision_model.${n}`), 'visual_projection.weight']);
    expect(p.visual_projection.weight.shape).toEqual([8, 16]);
    const before = tf.memory().numTensors;
    m.dispose();
    p.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });

  it('describe: default targets, roles, attention shape, components and layers', () => {
    const m = new CLIPVisionModelWithProjection(VISION);
    const d = m.describe();
    expect(d.modelType).toBe('clip_vision_model');
    expect(d.targets).toEqual({
      lora: ['q_proj', 'v_proj'],
      ia3: ['k_proj', 'v_proj', 'fc2'],
      ia3FeedForward: ['fc2'],
      lnTuning: '(.*\\.)?(pre_layrnorm|layer_norm1|layer_norm2|post_layernorm)',
    });
    expect(d.attention).toEqual({ numLayers: 2, numHeads: 4, numKeyValueHeads: 4, headDim: 4, hidden: 16 });
    const roles = (n: string) => (['attention', 'feedForward', 'norms'] as const).filter((r) => d.parameters[r](n));
    expect(roles('vision_model.encoder.layers.0.self_attn.out_proj.weight')).toEqual(['attention']);
    expect(roles('vision_model.encoder.layers.1.mlp.fc1.bias')).toEqual(['feedForward']);
    expect(roles('vision_model.pre_layrnorm.weight')).toEqual(['norms']);
    expect(roles('vision_model.embeddings.class_embedding')).toEqual([]);
    expect(d.componentOf('vision_model.embeddings.patch_embedding.weight')).toBe('embeddings');
    expect(d.componentOf('vision_model.pre_layrnorm.bias')).toBe('embeddings.LayerNorm');
    expect(d.componentOf('vision_model.encoder.layers.0.self_attn.k_proj.weight')).toBe('attention.key');
    expect(d.componentOf('vision_model.encoder.layers.0.layer_norm1.weight')).toBe('attention.output.LayerNorm');
    expect(d.componentOf('vision_model.encoder.layers.0.mlp.fc2.weight')).toBe('output.dense');
    expect(d.componentOf('vision_model.post_layernorm.weight')).toBe('final.LayerNorm');
    expect(d.componentOf('visual_projection.weight')).toBe('pooler');
    expect(d.layerOf('vision_model.encoder.layers.1.mlp.fc1.weight')).toBe(1);
    expect(d.layerOf('vision_model.post_layernorm.weight')).toBeNull();
    m.dispose();
  });
});
