import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { dropout } from './index';
import { testBackends, useBackend } from './testing';

describe.each(testBackends())('dropout on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('is reproducible from the seed, scales kept values by 1/(1-rate), keeps about 1-rate', async () => {
    const x = tf.ones([100, 100]);
    const a = await dropout(x, 0.3, 7).data();
    const b = await dropout(x, 0.3, 7).data();
    const c = await dropout(x, 0.3, 8).data();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const kept = Array.from(a).filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    expect(Math.abs(kept.length / 10000 - 0.7)).toBeLessThan(0.03);
    x.dispose();
  });

  it('is the identity outside training and at rate 0; the gradient is the mask', async () => {
    const x = tf.randomNormal([4, 5]);
    expect(dropout(x, 0.5, 1, false)).toBe(x);
    expect(dropout(x, 0, 1)).toBe(x);
    const g = await tf.grad((t: tf.Tensor) => tf.sum(dropout(t, 0.5, 9)))(x).data();
    const y = await dropout(tf.onesLike(x), 0.5, 9).data();
    expect(Array.from(g)).toEqual(Array.from(y));
    expect(() => dropout(x, 1, 0)).toThrow(/dropout: rate expected a number in \[0, 1\)/);
    x.dispose();
  });
});
