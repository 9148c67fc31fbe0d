import { describe, it, expect, beforeAll } from 'vitest';
import { initBackend } from '@tfjs-peft/core';
import { BertForMaskedLM, BertForSequenceClassification } from '@tfjs-peft/models/bert';
import { RobertaForSequenceClassification } from '@tfjs-peft/models/roberta';
import { ViTForImageClassification } from '@tfjs-peft/models/vit';
import { BlipForQuestionAnswering } from '@tfjs-peft/models/blip';
import { parameterChange, changeByComponent, changeByLayer, componentOf, layerOf, type FlatWeights } from './index';

const BERT = {
  model_type: 'bert',
  vocab_size: 30,
  hidden_size: 8,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 16,
  max_position_embeddings: 16,
  type_vocab_size: 2,
};
let bert: BertForSequenceClassification;
let roberta: RobertaForSequenceClassification;
let vit: ViTForImageClassification;
beforeAll(async () => {
  await initBackend('cpu');
  bert = new BertForSequenceClassification({ ...BERT, num_labels: 2 });
  roberta = new RobertaForSequenceClassification({ ...BERT, model_type: 'roberta', pad_token_id: 1, type_vocab_size: 1, num_labels: 2 });
  vit = new ViTForImageClassification({
    model_type: 'vit',
    hidden_size: 8,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 16,
    image_size: 8,
    patch_size: 4,
    num_labels: 2,
  });
});

const w = (values: number[]) => ({ shape: [values.length], values: Float32Array.from(values) });

describe('parameter change', () => {
  it('classifies BERT, RoBERTa and ViT names into components and layers, by the model class', () => {
    expect(componentOf('bert.encoder.layer.3.attention.output.LayerNorm.weight', bert)).toBe('attention.output.LayerNorm');
    expect(componentOf('bert.encoder.layer.3.output.LayerNorm.bias', bert)).toBe('output.LayerNorm');
    expect(componentOf('bert.encoder.layer.3.output.dense.weight', bert)).toBe('output.dense');
    expect(componentOf('bert.encoder.layer.3.attention.output.dense.weight', bert)).toBe('attention.output.dense');
    expect(componentOf('bert.encoder.layer.3.intermediate.dense.bias', bert)).toBe('intermediate.dense');
    expect(componentOf('bert.encoder.layer.0.attention.self.value.weight', bert)).toBe('attention.value');
    expect(componentOf('bert.embeddings.LayerNorm.weight', bert)).toBe('embeddings.LayerNorm');
    expect(componentOf('bert.embeddings.word_embeddings.weight', bert)).toBe('embeddings');
    expect(componentOf('bert.pooler.dense.weight', bert)).toBe('pooler');
    expect(componentOf('classifier.weight', bert)).toBe('classifier');
    expect(componentOf('roberta.encoder.layer.1.output.LayerNorm.weight', roberta)).toBe('output.LayerNorm');
    expect(componentOf('vit.encoder.layer.1.layernorm_after.weight', vit)).toBe('output.LayerNorm');
    expect(componentOf('vit.encoder.layer.1.attention.attention.query.weight', vit)).toBe('attention.query');
    expect(layerOf('bert.encoder.layer.11.output.dense.weight')).toBe(11);
    expect(layerOf('bert.embeddings.LayerNorm.weight')).toBeNull();
  });

  it('computes ‖Δ‖, ‖Δ‖/‖θ‖ and mean |Δ| per tensor and per group (hand-computed)', () => {
    const base: FlatWeights = new Map([
      ['bert.encoder.layer.0.output.LayerNorm.weight', w([3, 4])], // ‖θ‖ = 5
      ['bert.encoder.layer.0.output.dense.weight', w([1, 0, 0, 0])], // ‖θ‖ = 1
      ['bert.encoder.layer.1.output.LayerNorm.weight', w([0, 0])],
      ['cls.predictions.bias', w([1])],
    ]);
    const tuned: FlatWeights = new Map([
      ['bert.encoder.layer.0.output.LayerNorm.weight', w([3, 7])], // Δ = (0, 3)
      ['bert.encoder.layer.0.output.dense.weight', w([1, 0.1, 0, 0])], // Δ = (0, .1, 0, 0)
      ['bert.encoder.layer.1.output.LayerNorm.weight', w([0, 0])],
      ['classifier.weight', w([1, 2])],
    ]);
    const r = parameterChange(base, tuned, bert);
    expect(r.onlyInBase).toEqual(['cls.predictions.bias']);
    expect(r.onlyInTuned).toEqual(['classifier.weight']);
    const ln = r.tensors[0]!;
    expect(ln.l2).toBeCloseTo(3, 6);
    expect(ln.relative).toBeCloseTo(0.6, 6);
    expect(ln.meanAbs).toBeCloseTo(1.5, 6);
    const comp = changeByComponent(r);
    expect(comp.map((g) => g.key)).toEqual(['output.LayerNorm', 'output.dense']); // ranked by relative change
    // output.LayerNorm group: ‖Δ‖ = 3 over base norm sqrt(25 + 0) = 5 → 0.6; mean |Δ| = 3 / 4
    expect(comp[0]!.relative).toBeCloseTo(0.6, 6);
    expect(comp[0]!.meanAbs).toBeCloseTo(0.75, 6);
    expect(comp[1]!.relative).toBeCloseTo(0.1, 6);
    expect(changeByComponent(r, 'l2').map((g) => g.key)).toEqual(['output.LayerNorm', 'output.dense']);
    const byLayer = changeByLayer(r);
    expect(byLayer.map((c) => `${c.layer}:${c.component}`)).toEqual(['0:output.dense', '0:output.LayerNorm', '1:output.LayerNorm']);
    expect(() => parameterChange(base, new Map([['bert.encoder.layer.0.output.LayerNorm.weight', w([1, 2, 3])]]), bert)).toThrow(
      /bert\.encoder\.layer\.0\.output\.LayerNorm\.weight is \[2\] in the base and \[3\] in the tuned checkpoint/,
    );
  });

  it('classifies every parameter of BLIP (vision tower, text encoder, decoder) and of a masked LM; a plain module is refused by name', () => {
    const blip = new BlipForQuestionAnswering({
      model_type: 'blip',
      text_config: {
        vocab_size: 30,
        hidden_size: 8,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        intermediate_size: 16,
        encoder_hidden_size: 8,
        bos_token_id: 3,
        sep_token_id: 2,
        pad_token_id: 0,
        max_position_embeddings: 16,
      },
      vision_config: { hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16, image_size: 8, patch_size: 4 },
    });
    const other = blip
      .namedParameters()
      .filter(([n]) => componentOf(n, blip) === 'other')
      .map(([n]) => n);
    expect(other).toEqual([]);
    expect(componentOf('vision_model.encoder.layers.0.self_attn.qkv.weight', blip)).toBe('attention.qkv');
    expect(componentOf('vision_model.encoder.layers.0.layer_norm1.weight', blip)).toBe('attention.output.LayerNorm');
    expect(componentOf('vision_model.encoder.layers.1.mlp.fc2.bias', blip)).toBe('output.dense');
    expect(componentOf('vision_model.post_layernorm.weight', blip)).toBe('final.LayerNorm');
    expect(componentOf('text_decoder.cls.predictions.transform.dense.weight', blip)).toBe('classifier');
    const mlm = new BertForMaskedLM(BERT);
    expect(mlm.namedParameters().filter(([n]) => componentOf(n, mlm) === 'other')).toEqual([]);
    expect(() => componentOf('x.weight', bert.classifier)).toThrow(/component analysis: Linear has no model description/);
    blip.dispose();
    mlm.dispose();
  });
});
