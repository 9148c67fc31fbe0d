import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { manualSeed } from '@tfjs-peft/core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { BlipForConditionalGeneration } from './index';

const CFG = {
  model_type: 'blip',
  label_smoothing: 0.1,
  text_config: {
    vocab_size: 30,
    hidden_size: 16,
    encoder_hidden_size: 16,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 16,
    bos_token_id: 1,
    sep_token_id: 2,
    pad_token_id: 0,
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
  },
  vision_config: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, image_size: 16, patch_size: 8 },
};

describe('BlipForConditionalGeneration (captioning / report generation)', () => {
  beforeAll(() => useBackend('cpu'));

  it('learns to caption two images and generates the learned report by greedy decoding', async () => {
    manualSeed(5);
    const model = new BlipForConditionalGeneration(CFG);
    const pixelValues = tf.randomNormal([2, 3, 16, 16], 0, 1, 'float32', 9);
    const reports = [
      [1, 7, 8, 9, 2],
      [1, 11, 12, 2, 0],
    ];
    const inputIds = tf.tensor2d(reports, [2, 5], 'int32');
    const attentionMask = tf.tensor2d(
      reports.map((r) => r.map((t) => (t === 0 ? 0 : 1))),
      [2, 5],
      'int32',
    );
    const vars = model.trainableParameters().map(([, p]) => p.variable);
    const opt = tf.train.adam(0.01);
    let first = 0;
    let last = 0;
    for (let i = 0; i < 60; i++) {
      const l = opt.minimize(() => model.forward({ pixelValues, inputIds, attentionMask }).loss as tf.Scalar, true, vars)!;
      const v = (await l.data())[0]!;
      if (i === 0) first = v;
      last = v;
      l.dispose();
    }
    expect(last).toBeLessThan(first / 2);
    model.eval();
    const before = tf.memory().numTensors;
    const out = await model.generate(pixelValues, { maxLength: 6 });
    expect(tf.memory().numTensors).toBe(before);
    expect(out.sequences[0]).toEqual([1, 7, 8, 9, 2]);
    expect(out.sequences[1]).toEqual([1, 11, 12, 2]);
    const prompted = await model.generate(pixelValues, { maxLength: 6, prompt: [1, 11] });
    expect(prompted.sequences[1]!.slice(0, 2)).toEqual([1, 11]);
    opt.dispose();
    model.dispose();
  });
});
