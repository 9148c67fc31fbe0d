import { describe, it, expect } from 'vitest';
import { parameterChange, changeByComponent, changeByLayer, componentOf, layerOf, type FlatWeights } from './index';

const w = (values: number[]) => ({ shape: [values.length], values: Float32Array.from(values) });

describe('parameter change', () => {
  it('classifies BERT, RoBERTa and ViT names into components and layers', () => {
    expect(componentOf('bert.encoder.layer.3.attention.output.LayerNorm.weight')).toBe('attention.output.LayerNorm');
    expect(componentOf('bert.encoder.layer.3.output.LayerNorm.bias')).toBe('output.LayerNorm');
    expect(componentOf('bert.encoder.layer.3.output.dense.weight')).toBe('output.dense');
    expect(componentOf('bert.encoder.layer.3.attention.output.dense.weight')).toBe('attention.output.dense');
    expect(componentOf('bert.encoder.layer.3.intermediate.dense.bias')).toBe('intermediate.dense');
    expect(componentOf('bert.encoder.layer.0.attention.self.value.weight')).toBe('attention.value');
    expect(componentOf('bert.embeddings.LayerNorm.weight')).toBe('embeddings.LayerNorm');
    expect(componentOf('bert.embeddings.word_embeddings.weight')).toBe('embeddings');
    expect(componentOf('bert.pooler.dense.weight')).toBe('pooler');
    expect(componentOf('classifier.weight')).toBe('classifier');
    expect(componentOf('roberta.encoder.layer.1.output.LayerNorm.weight')).toBe('output.LayerNorm');
    expect(componentOf('vit.encoder.layer.1.layernorm_after.weight')).toBe('output.LayerNorm');
    expect(componentOf('vit.encoder.layer.1.attention.attention.query.weight')).toBe('attention.query');
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
    const r = parameterChange(base, tuned);
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
    expect(() => parameterChange(base, new Map([['bert.encoder.layer.0.output.LayerNorm.weight', w([1, 2, 3])]]))).toThrow(
      /bert\.encoder\.layer\.0\.output\.LayerNorm\.weight is \[2\] in the base and \[3\] in the tuned checkpoint/,
    );
  });
});
