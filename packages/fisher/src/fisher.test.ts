import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { manualSeed } from '@tfjs-peft/core';
import { BertForSequenceClassification } from '@tfjs-peft/models/bert';
import { LlamaForSequenceClassification } from '@tfjs-peft/models/llama';
import { layerNormFisher, perExampleFisher, layerNormPaths, FisherError, type FisherOptions } from './index';

const CFG = {
  model_type: 'bert',
  vocab_size: 30,
  hidden_size: 8,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 16,
  max_position_embeddings: 16,
  num_labels: 3,
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
};

interface Batch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  labels: number[];
}

function makeBatches(): Batch[] {
  return [
    {
      ids: [
        [2, 7, 9, 4, 0],
        [5, 6, 12, 0, 0],
        [8, 8, 3, 2, 1],
      ],
      labels: [0, 2, 1],
    },
    {
      ids: [
        [13, 4, 4, 9, 0],
        [1, 2, 3, 4, 5],
      ],
      labels: [1, 1],
    },
  ].map(({ ids, labels }) => ({
    inputIds: tf.tensor2d(ids, [ids.length, 5], 'int32'),
    attentionMask: tf.tensor2d(
      ids.map((r) => r.map((v, i) => (v || i === 0 ? 1 : 0))),
      [ids.length, 5],
      'int32',
    ),
    labels,
  }));
}

function setup() {
  manualSeed(5);
  const model = new BertForSequenceClassification(CFG);
  // non-trivial LayerNorm values, so a γ/β mix-up cannot pass
  for (const [name, p] of model.namedParameters()) {
    if (/LayerNorm/.test(name)) p.assign(tf.add(p.value, tf.randomNormal(p.shape, 0, 0.3, 'float32', 9)));
    if (/classifier\.weight/.test(name)) p.assign(tf.randomNormal(p.shape, 0, 3, 'float32', 10)); // gradients of a useful size
  }
  const opts: FisherOptions<Batch> = {
    forward: (b) => model.forward({ inputIds: b.inputIds, attentionMask: b.attentionMask }).logits,
    labels: (b) => b.labels,
  };
  return { model, opts };
}

function maxDiff(a: Map<string, Float64Array>, b: Map<string, Float64Array>): { diff: number; scale: number } {
  let diff = 0;
  let scale = 0;
  for (const [k, v] of a) {
    const w = b.get(k)!;
    expect(w.length).toBe(v.length);
    v.forEach((x, i) => {
      diff = Math.max(diff, Math.abs(x - w[i]!));
      scale = Math.max(scale, Math.abs(w[i]!));
    });
  }
  return { diff, scale };
}

describe.each(testBackends())('LayerNorm Fisher (%s)', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(['empirical', 'true'] as const)('%s: the batched per-example pass equals an explicit per-example loop within 1e-5', async (kind) => {
    const { model, opts } = setup();
    const batches = makeBatches();
    const before = tf.memory().numTensors;
    const fast = await layerNormFisher(model, batches, { ...opts, kind, seed: 3 });
    expect(tf.memory().numTensors).toBe(before); // nothing leaks, the probes are gone
    expect(model.training).toBe(true); // mode restored
    const slow = await perExampleFisher(model, batches, { ...opts, kind, seed: 3, params: (n) => /LayerNorm\.(weight|bias)$/.test(n) });
    expect(fast.examples).toBe(5);
    expect([...fast.values.keys()].sort()).toEqual([...slow.values.keys()].sort());
    expect(fast.values.size).toBe(2 * 5); // embeddings + 2 per layer, γ and β
    const { diff, scale } = maxDiff(fast.values, slow.values);
    expect(scale).toBeGreaterThan(1e-2); // the values are not trivially zero
    expect(diff).toBeLessThan(1e-5 * scale);
    for (const b of batches) (b.inputIds.dispose(), b.attentionMask.dispose());
    model.dispose();
  });
});

describe.each(testBackends())('LayerNorm Fisher with the last layer for [CLS] only (%s)', (backend) => {
  beforeAll(() => useBackend(backend));

  it("firstTokenOnly gives the same Fisher for every LayerNorm, the last layer's included (the probes take [B, 1, H])", async () => {
    const { model, opts } = setup();
    const batches = makeBatches();
    const before = tf.memory().numTensors;
    const lean = await layerNormFisher(model, batches, {
      ...opts,
      forward: (b) => model.forward({ inputIds: b.inputIds, attentionMask: b.attentionMask, firstTokenOnly: true }).logits,
      seed: 3,
    });
    const full = await layerNormFisher(model, batches, { ...opts, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect([...lean.values.keys()].sort()).toEqual([...full.values.keys()].sort());
    expect(lean.values.get('bert.encoder.layer.1.output.LayerNorm.weight')!.some((v) => v > 1e-6)).toBe(true);
    const { diff, scale } = maxDiff(lean.values, full.values);
    expect(scale).toBeGreaterThan(1e-2);
    expect(diff).toBeLessThan(1e-5 * scale);
    for (const b of batches) (b.inputIds.dispose(), b.attentionMask.dispose());
    model.dispose();
  });
});

describe('LayerNorm Fisher: definition and bad input', () => {
  beforeAll(() => useBackend('cpu'));

  it('is the mean of squared per-example gradients, not the square of the batch-mean gradient', async () => {
    const { model, opts } = setup();
    const batches = makeBatches();
    const f = await layerNormFisher(model, batches, opts);
    // the square of the mean gradient of the same data is strictly smaller (Jensen) unless all examples agree
    model.eval();
    const name = 'bert.encoder.layer.1.output.LayerNorm.weight';
    const p = model.getParameter(name);
    const sums = new Float64Array(p.size);
    for (const b of batches) {
      const { grads } = tf.variableGrads(() => {
        const logits = opts.forward(b);
        const ll = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.tensor1d(b.labels, 'int32'), 3)));
        return ll as tf.Scalar;
      }, [p.variable]);
      grads[p.variable.name]!.dataSync().forEach((g, i) => (sums[i]! += g));
      tf.dispose(grads);
    }
    const fisher = f.values.get(name)!;
    let strictly = 0;
    fisher.forEach((v, i) => {
      const meanSq = (sums[i]! / 5) ** 2;
      expect(v).toBeGreaterThanOrEqual(meanSq - 1e-9);
      if (v > meanSq * 1.01) strictly++;
    });
    expect(strictly).toBeGreaterThan(0);
    model.dispose();
  });

  it('names what is wrong', async () => {
    const { model, opts } = setup();
    const batches = makeBatches();
    await expect(layerNormFisher(model, batches, { ...opts, labels: (b) => b.labels.map(() => 7) })).rejects.toThrow(/labels\(batch\)\[0\] = 7 is not a class index in \[0, 3\)/);
    await expect(layerNormFisher(model, batches, { ...opts, labels: () => [0] })).rejects.toThrow(
      /forward\(\) ran a batch of 3 examples but size\(batch\) \(or labels\(batch\)\.length\) said 1/,
    );
    await expect(layerNormFisher(model, [], opts)).rejects.toThrow(FisherError);
    await expect(layerNormFisher(model, batches, { forward: opts.forward, kind: 'true' })).rejects.toThrow(/give size\(batch\)/);
    // a failure leaves the model as it was: its LayerNorms are back
    expect(layerNormPaths(model)).toHaveLength(5);
    model.dispose();
  });
});

describe('LayerNorm Fisher on RMSNorms (Llama)', () => {
  beforeAll(() => useBackend('cpu'));

  it('covers every RMSNorm γ (no β) and equals the explicit per-example loop within 1e-5', async () => {
    manualSeed(7);
    const model = new LlamaForSequenceClassification({
      model_type: 'llama',
      vocab_size: 30,
      hidden_size: 8,
      intermediate_size: 16,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      num_key_value_heads: 1,
      max_position_embeddings: 16,
      num_labels: 3,
      pad_token_id: 0,
    });
    for (const [name, p] of model.namedParameters()) {
      if (/norm\.weight$/.test(name)) p.assign(tf.add(p.value, tf.randomNormal(p.shape, 0, 0.3, 'float32', 9)));
      if (/score\.weight$/.test(name)) p.assign(tf.randomNormal(p.shape, 0, 3, 'float32', 10)); // gradients of a useful size
    }
    const opts: FisherOptions<Batch> = { forward: (b) => model.forward({ inputIds: b.inputIds, attentionMask: b.attentionMask }).logits, labels: (b) => b.labels };
    const batches = makeBatches();
    expect(layerNormPaths(model)).toEqual([
      'model.layers.0.input_layernorm',
      'model.layers.0.post_attention_layernorm',
      'model.layers.1.input_layernorm',
      'model.layers.1.post_attention_layernorm',
      'model.norm',
    ]);
    const before = tf.memory().numTensors;
    const fast = await layerNormFisher(model, batches, opts);
    expect(tf.memory().numTensors).toBe(before);
    const slow = await perExampleFisher(model, batches, { ...opts, params: (n) => /norm\.weight$/.test(n) });
    expect([...fast.values.keys()].sort()).toEqual([...slow.values.keys()].sort());
    expect(fast.values.size).toBe(5);
    const { diff, scale } = maxDiff(fast.values, slow.values);
    expect(scale).toBeGreaterThan(1e-3);
    expect(diff).toBeLessThan(1e-5 * scale);
    for (const b of batches) (b.inputIds.dispose(), b.attentionMask.dispose());
    model.dispose();
  });
});
