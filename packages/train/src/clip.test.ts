import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { clipGradNorm, globalGradNorm } from './clip';

describe('clipGradNorm with non-finite gradients', () => {
  beforeAll(() => useBackend('cpu'));

  for (const [label, bad] of [
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
  ] as const) {
    it(`a ${label} gradient is reported (finite: false), not scaled into the others`, async () => {
      const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, bad]) };
      const r = await clipGradNorm(g, 1);
      expect(r.finite).toBe(false);
      expect(Number.isFinite(r.norm)).toBe(false);
      expect(r.grads).toBe(g); // untouched: the caller skips the step
      expect(Array.from(await r.grads.a!.data())).toEqual([3, 0]); // not NaN-scaled
      tf.dispose(Object.values(g));
    });
  }

  it('finite gradients: finite is true; the global norm of an empty set is 0', async () => {
    const g = { a: tf.tensor1d([3, 4]) };
    const r = await clipGradNorm(g, 10);
    expect(r).toMatchObject({ finite: true, grads: g });
    expect(r.norm).toBeCloseTo(5, 6);
    expect(await globalGradNorm({})).toBe(0);
    g.a.dispose();
  });
});
