import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { dropout } from './index';
import { setFusedKernels } from './kernels';
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
    const g = await tf
      .grad((t: tf.Tensor) => tf.sum(dropout(t, 0.5, 9)))(x)
      .data();
    const y = await dropout(tf.onesLike(x), 0.5, 9).data();
    expect(Array.from(g)).toEqual(Array.from(y));
    expect(() => dropout(x, 1, 0)).toThrow(/dropout: rate expected a number in \[0, 1\)/);
    x.dispose();
  });

  it("the fused kernel (wasm, cpu, webgpu) draws the composite's mask exactly and keeps nothing for backward", async () => {
    const x = tf.randomNormal([37, 41]);
    const fused = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(dropout(t, 0.25, 5), t)));
    const a = Array.from(await dropout(x, 0.25, 5).data());
    const ga = Array.from(await fused(x).data());
    setFusedKernels(false);
    const b = Array.from(await dropout(x, 0.25, 5).data());
    const gb = Array.from(await fused(x).data());
    setFusedKernels(true);
    expect(a).toEqual(b);
    expect(ga).toEqual(gb);
    // other rates, a negative seed, lengths with and without a tail beyond the 4-lane SIMD loop
    for (const [shape, rate, seed] of [
      [[3, 1000], 0.1, -7],
      [[2, 3, 5], 0.5, 123456789],
      [[4097], 0.9, 0],
    ] as const) {
      const z = tf.randomNormal([...shape]);
      const ours = Array.from(await dropout(z, rate, seed).data());
      setFusedKernels(false);
      const composite = Array.from(await dropout(z, rate, seed).data());
      setFusedKernels(true);
      expect(ours, `${shape} rate ${rate} seed ${seed}`).toEqual(composite);
      z.dispose();
    }
    const profile = await tf.profile(() => dropout(x, 0.25, 5));
    expect(profile.kernelNames).toEqual(['TfjsPeftDropout']);
    {
      // forward records no tensor for backward beyond the output: only x's own buffer is involved
      const before = tf.memory().numTensors;
      const y = dropout(x, 0.25, 5);
      expect(tf.memory().numTensors).toBe(before + 1);
      y.dispose();
    }
    x.dispose();
  });
});
