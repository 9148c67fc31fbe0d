import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { layerNorm } from './index';
import { setFusedKernels } from './kernels';
import { checkOp, randomArray, ref, testBackends, useBackend, tolerance } from './testing';

describe.each(testBackends())('layerNorm on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  for (const eps of [1e-12, 1e-6, 1e-5]) {
    it(`matches float64 and finite differences for x, gamma, beta (eps ${eps})`, async () => {
      const [b, t, d] = [2, 3, 16];
      await checkOp({
        label: `layerNorm eps=${eps}`,
        inputs: [
          { shape: [b, t, d], data: randomArray(b * t * d, 21, 3) },
          { shape: [d], data: randomArray(d, 22).map((v) => 1 + v) },
          { shape: [d], data: randomArray(d, 23) },
        ],
        tfFn: (x, g, bb) => layerNorm(x, g, bb, eps),
        refFn: (x, g, bb) => ref.layerNorm(x, g, bb, d, eps),
        tol: tolerance(backend, { atol: 1e-5, rtol: 1e-4 }),
        gradTol: { atol: 5e-4, rtol: 3e-3 },
      });
    });
  }

  it('the fused kernel (cpu: JavaScript, wasm: SIMD, webgpu: WGSL) runs and agrees with the composite, forward and backward (ragged rows)', async () => {
    for (const d of [256, 37, 3]) {
      const rows = 12;
      const x = tf.tensor(
        Array.from(randomArray(rows * d, 31, 4)).map((v, i) => v + (i % d) * 0.01),
        [3, 4, d],
      );
      const g = tf.tensor(
        Array.from(randomArray(d, 32)).map((v) => 1 + v),
        [d],
      );
      const b = tf.tensor(Array.from(randomArray(d, 33)), [d]);
      const dy = tf.tensor(Array.from(randomArray(rows * d, 34)), [3, 4, d]);
      const run = async () => {
        const before = tf.memory().numTensors;
        const { value, grads } = tf.valueAndGrads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(layerNorm(xi, gi, bi, 1e-5), dy)))([x, g, b]);
        const y = layerNorm(x, g, b, 1e-5);
        const out = await Promise.all([y, ...grads].map(async (t) => Array.from(await t.data())));
        tf.dispose([value, y, ...grads]);
        expect(tf.memory().numTensors).toBe(before);
        return out;
      };
      const profile = await tf.profile(() => layerNorm(x, g, b));
      expect(profile.kernelNames.includes('TfjsPeftLayerNorm')).toBe(true);
      const fused = await run();
      setFusedKernels(false);
      const composite = await run();
      setFusedKernels(true);
      fused.forEach((vals, k) =>
        vals.forEach((v, i) => expect(Math.abs(v - composite[k]![i]!), `d=${d} output ${k}[${i}]`).toBeLessThan(1e-5 + 1e-5 * Math.abs(composite[k]![i]!))),
      );
      tf.dispose([x, g, b, dy]);
    }
  });

  it('eps matters: 1e-12 and 1e-5 give different outputs on a low-variance row', () => {
    const x = Float64Array.from({ length: 8 }, (_, i) => i * 1e-3);
    const g = new Float64Array(8).fill(1);
    const z = new Float64Array(8);
    const a = ref.layerNorm(x, g, z, 8, 1e-12);
    const b = ref.layerNorm(x, g, z, 8, 1e-5);
    expect(Math.abs(a[0]! - b[0]!)).toBeGreaterThan(1e-3);
  });

  it('rejects a gamma of the wrong size, naming it', () => {
    const x = tf.zeros([2, 4]);
    expect(() => layerNorm(x, tf.ones([3]), tf.zeros([4]))).toThrow(/layerNorm: gamma expected \[4\], got \[3\]/);
  });
});
