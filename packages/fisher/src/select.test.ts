import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { manualSeed } from '@tfjs-peft/core';
import { BertForSequenceClassification } from '@tfjs-peft/models/bert';
import { applyPeft } from '@tfjs-peft/adapters';
import { selectTopK, unionMasks, intersectMasks, maskCount, toLnTuningMasks, type FisherResult } from './index';

function fakeFisher(sizes: Record<string, number>, seed = 1): FisherResult {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const values = new Map(Object.entries(sizes).map(([n, k]) => [n, Float64Array.from({ length: k }, rnd)]));
  return { kind: 'empirical', examples: 1, values, shapes: new Map(Object.entries(sizes).map(([n, k]) => [n, [k]])) };
}

const SIZES = {
  'bert.embeddings.LayerNorm.weight': 8,
  'bert.embeddings.LayerNorm.bias': 8,
  'bert.encoder.layer.0.attention.output.LayerNorm.weight': 8,
  'bert.encoder.layer.0.attention.output.LayerNorm.bias': 8,
  'bert.encoder.layer.0.output.LayerNorm.weight': 8,
  'bert.encoder.layer.0.output.LayerNorm.bias': 8,
  'bert.encoder.layer.1.attention.output.LayerNorm.weight': 8,
  'bert.encoder.layer.1.attention.output.LayerNorm.bias': 8,
  'bert.encoder.layer.1.output.LayerNorm.weight': 8,
  'bert.encoder.layer.1.output.LayerNorm.bias': 8,
};

describe('top-k selection', () => {
  it.each([1, 0.5, 0.2, 0.1, 0.05, 0])('a %s mask has exactly round(k·n) ones, on the largest values', (k) => {
    const f = fakeFisher(SIZES);
    const m = selectTopK(f, k);
    const { selected, total } = maskCount(m);
    expect(total).toBe(80);
    expect(selected).toBe(Math.round(k * 80));
    // every selected value ≥ every unselected one
    let minSel = Infinity;
    let maxUnsel = -Infinity;
    for (const [n, mask] of m) f.values.get(n)!.forEach((v, i) => (mask[i] ? (minSel = Math.min(minSel, v)) : (maxUnsel = Math.max(maxUnsel, v))));
    if (selected && selected < total) expect(minSel).toBeGreaterThanOrEqual(maxUnsel);
  });

  it('per-layer keeps the fraction within each layer; ties are deterministic', () => {
    const m = selectTopK(fakeFisher(SIZES), 0.25, { scope: 'per-layer' });
    const perLayer = (re: RegExp) => [...m].filter(([n]) => re.test(n)).reduce((a, [, v]) => a + v.reduce((x, y) => x + y, 0), 0);
    expect(perLayer(/layer\.0\./)).toBe(8);
    expect(perLayer(/layer\.1\./)).toBe(8);
    expect(perLayer(/embeddings/)).toBe(4);
    const flat: FisherResult = { ...fakeFisher(SIZES), values: new Map(Object.keys(SIZES).map((n) => [n, new Float64Array(8)])) };
    const t = selectTopK(flat, 0.1);
    expect(maskCount(t).selected).toBe(8);
    expect([...t.get('bert.embeddings.LayerNorm.weight')!]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]); // first in order wins ties
    expect(() => selectTopK(flat, 1.5)).toThrow(/fraction must be in \[0, 1\], got 1.5/);
  });

  it('union and intersection across folds', () => {
    const a = selectTopK(fakeFisher(SIZES, 1), 0.2);
    const b = selectTopK(fakeFisher(SIZES, 2), 0.2);
    const u = unionMasks([a, b]);
    const i = intersectMasks([a, b]);
    const ca = maskCount(a).selected;
    const cb = maskCount(b).selected;
    expect(maskCount(u).selected + maskCount(i).selected).toBe(ca + cb);
    expect(maskCount(u).selected).toBeGreaterThanOrEqual(Math.max(ca, cb));
    for (const [n, m] of u) m.forEach((v, k) => expect(v).toBe(a.get(n)![k]! | b.get(n)![k]!));
    expect(() => unionMasks([a, new Map([...b].slice(1))])).toThrow(/cover different parameters/);
  });
});

describe('masked ln-tuning from a Fisher mask', () => {
  beforeAll(() => useBackend('cpu'));

  it('changes only the selected elements', () => {
    manualSeed(3);
    const cfg = {
      model_type: 'bert',
      vocab_size: 30,
      hidden_size: 8,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      intermediate_size: 16,
      max_position_embeddings: 16,
      num_labels: 2,
      hidden_dropout_prob: 0,
      attention_probs_dropout_prob: 0,
    };
    const model = new BertForSequenceClassification(cfg);
    const base = new Map(
      model
        .namedParameters()
        .filter(([n]) => /LayerNorm/.test(n))
        .map(([n, p]) => [n, Float32Array.from(p.value.dataSync())]),
    );
    const masks = selectTopK(fakeFisher(SIZES, 4), 0.2);
    const peft = applyPeft(model, { method: 'ln-tuning', masks: toLnTuningMasks(masks) });
    const vars = peft.trainableParameters().map(([, p]) => p.variable);
    const opt = tf.train.adam(0.05);
    const inputIds = tf.tensor2d(
      [
        [2, 7, 9, 4],
        [5, 6, 12, 3],
      ],
      [2, 4],
      'int32',
    );
    const labels = tf.tensor1d([0, 1], 'int32');
    for (let s = 0; s < 5; s++) {
      opt.minimize(() => model.forward({ inputIds, labels }).loss as tf.Scalar, false, vars);
    }
    const merged = peft.mergeAndUnload();
    let changed = 0;
    for (const [n, b] of base) {
      const now = merged.getParameter(n).value.dataSync();
      const m = masks.get(n)!;
      b.forEach((v, i) => {
        if (m[i]) changed += Number(Math.abs(now[i]! - v) > 1e-6);
        else expect(now[i]).toBe(v);
      });
    }
    expect(changed).toBeGreaterThan(maskCount(masks).selected * 0.9);
    tf.dispose([inputIds, labels]);
    opt.dispose();
    merged.dispose();
  });
});
