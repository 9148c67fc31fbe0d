import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { DistilBertForSequenceClassification } from '@tfjs-peft/models/distilbert';
import { applyPeft, type PeftConfig } from './index';
import { sgd } from './testing/toy';

/** A tiny DistilBERT (no dropout) and a batch with padding. */
const CFG = {
  model_type: 'distilbert',
  vocab_size: 40,
  dim: 16,
  n_layers: 2,
  n_heads: 2,
  hidden_dim: 32,
  max_position_embeddings: 32,
  dropout: 0,
  attention_dropout: 0,
  seq_classif_dropout: 0,
  num_labels: 3,
};

function batch(): Record<string, tf.Tensor> {
  return {
    inputIds: tf.tensor2d(
      [
        [1, 5, 9, 12, 3, 2],
        [1, 7, 22, 2, 0, 0],
        [1, 30, 31, 8, 14, 2],
      ],
      undefined,
      'int32',
    ),
    attentionMask: tf.tensor2d(
      [
        [1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 0, 0],
        [1, 1, 1, 1, 1, 1],
      ],
      undefined,
      'int32',
    ),
    labels: tf.tensor1d([0, 2, 1], 'int32'),
  };
}

const METHODS: PeftConfig[] = [
  { method: 'lora', r: 2, initLoraWeights: false },
  { method: 'ia3' },
  { method: 'ln-tuning' },
  { method: 'prefix-tuning', numVirtualTokens: 3 },
  { method: 'p-tuning-v2', numVirtualTokens: 3 },
  { method: 'prompt-tuning', numVirtualTokens: 3 },
  { method: 'bitfit' },
  { method: 'ffn-only' },
  { method: 'attention-only' },
] as PeftConfig[];

describe('PEFT methods on DistilBertForSequenceClassification with default targets (from describe())', () => {
  beforeAll(() => useBackend('cpu'));

  // the same with explicit targets (passes without the describe()-driven defaults)
  const EXPLICIT: PeftConfig[] = [
    { method: 'lora', r: 2, initLoraWeights: false, targetModules: ['q_lin', 'v_lin'] },
    { method: 'ia3', targetModules: ['k_lin', 'v_lin', 'lin2'], feedforwardModules: ['lin2'] },
  ] as PeftConfig[];

  for (const config of [...METHODS, ...EXPLICIT])
    it(`${config.method}${'targetModules' in config ? ' (explicit targets)' : ''}: applies, a few steps change only trainable parameters and lower the loss`, async () => {
      tf.randomUniform([1], 0, 1, 'float32', 7).dispose();
      const model = new DistilBertForSequenceClassification(CFG);
      const peft = applyPeft(model, config);
      const trainable = new Set(peft.trainableParameters().map(([n]) => n));
      expect(trainable.size).toBeGreaterThan(0);
      expect(trainable.size).toBeLessThan(peft.namedParameters().length);
      const before = new Map<string, Float32Array>();
      for (const [n, p] of peft.namedParameters()) before.set(n, (await p.value.data()) as Float32Array);
      const inputs = batch();
      const losses = await sgd(peft as never, inputs, (o) => (o as { loss: tf.Scalar }).loss, 8, 0.2);
      expect(losses.at(-1)!).toBeLessThan(losses[0]!);
      let changed = 0;
      for (const [n, p] of peft.namedParameters()) {
        const same = Array.from((await p.value.data()) as Float32Array).every((v, i) => v === before.get(n)![i]);
        if (!trainable.has(n)) expect(same, `${n} is frozen but changed`).toBe(true);
        else if (!same) changed++;
      }
      expect(changed).toBeGreaterThan(0);
      tf.dispose(Object.values(inputs));
      peft.dispose();
    });

  it('describe(): every parameter has a component (none is "other") and the targets name real modules', () => {
    const model = new DistilBertForSequenceClassification(CFG);
    const d = model.describe();
    for (const [n] of model.namedParameters()) expect(d.componentOf(n), n).not.toBe('other');
    expect(d.componentOf('distilbert.transformer.layer.1.attention.q_lin.weight')).toBe('attention.query');
    expect(d.componentOf('distilbert.transformer.layer.0.ffn.lin2.bias')).toBe('output.dense');
    expect(d.componentOf('pre_classifier.weight')).toBe('pooler');
    expect(d.layerOf('distilbert.transformer.layer.1.sa_layer_norm.weight')).toBe(1);
    expect(d.attention).toEqual({ numLayers: 2, numHeads: 2, numKeyValueHeads: 2, headDim: 8, hidden: 16 });
    expect(d.wordEmbeddings).toBe('distilbert.embeddings.word_embeddings');
    const names = model.namedParameters().map(([n]) => n);
    expect(names.filter((n) => d.parameters.norms(n))).toHaveLength(2 + 2 * 2 * 2);
    expect(names.filter((n) => d.parameters.attention(n))).toHaveLength(2 * 8);
    expect(names.filter((n) => d.parameters.feedForward(n))).toHaveLength(2 * 4);
    model.dispose();
  });
});
