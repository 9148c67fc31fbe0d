import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { classificationLoss } from './losses';

describe('classificationLoss picks the loss as transformers does', () => {
  beforeAll(() => useBackend('cpu'));
  const mk = () =>
    tf.tensor2d([
      [0.5, -1, 2],
      [1.5, 0.2, -0.3],
    ]);

  it('multi-label (float targets): mean BCE-with-logits', async () => {
    const y = [
      [1, 0, 1],
      [0, 0, 1],
    ];
    const z = [
      [0.5, -1, 2],
      [1.5, 0.2, -0.3],
    ];
    let ref = 0;
    z.forEach((row, i) => row.forEach((v, j) => (ref += -(y[i]![j]! * Math.log(1 / (1 + Math.exp(-v))) + (1 - y[i]![j]!) * Math.log(1 - 1 / (1 + Math.exp(-v)))))));
    ref /= 6;
    const l = classificationLoss(mk(), tf.tensor2d(y), 3, null);
    expect((await l.data())[0]).toBeCloseTo(ref, 6);
  });

  it('single-label (int targets): cross-entropy; regression (1 label): MSE', async () => {
    const ce = classificationLoss(mk(), tf.tensor1d([2, 0], 'int32'), 3, null);
    const lse = (r: number[]) => Math.log(r.reduce((a, b) => a + Math.exp(b), 0));
    const ref = (lse([0.5, -1, 2]) - 2 + lse([1.5, 0.2, -0.3]) - 1.5) / 2;
    expect((await ce.data())[0]).toBeCloseTo(ref, 5);
    const mse = classificationLoss(tf.tensor2d([[0.5], [2]]), tf.tensor1d([1, 1]), 1, null);
    expect((await mse.data())[0]).toBeCloseTo((0.25 + 1) / 2, 6);
    expect(() => classificationLoss(mk(), tf.tensor1d([1, 0]), 3, 'single_label_classification')).toThrow(/needs integer labels/);
  });
});
