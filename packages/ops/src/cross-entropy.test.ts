import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, mse } from './index';
import { setFusedKernels } from './kernels';
import { checkOp, randomArray, ref, testBackends, useBackend, tolerance } from './testing';

describe.each(testBackends())('losses on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const tol = tolerance(backend, { atol: 1e-5, rtol: 1e-5 });
  const [n, c] = [6, 5];
  const labels = Int32Array.from([0, 4, -100, 2, 2, -100]);

  for (const reduction of ['mean', 'sum'] as const)
    for (const labelSmoothing of [0, 0.1])
      it(`crossEntropy ${reduction}, smoothing ${labelSmoothing}, ignore -100: value and gradient`, async () => {
        await checkOp({
          label: `crossEntropy ${reduction} ${labelSmoothing}`,
          inputs: [
            { shape: [2, 3, c], data: randomArray(n * c, 51, 3) },
            { shape: [2, 3], data: labels, dtype: 'int32' },
          ],
          tfFn: (z, y) => crossEntropy(z, y, { reduction, labelSmoothing }),
          refFn: (z) => ref.crossEntropy(z, labels, c, { reduction, labelSmoothing }),
          tol,
        });
      });

  it("crossEntropy 'none' returns per-target losses (0 where ignored) with gradients", async () => {
    await checkOp({
      label: 'crossEntropy none',
      inputs: [
        { shape: [n, c], data: randomArray(n * c, 52, 3) },
        { shape: [n], data: labels, dtype: 'int32' },
      ],
      tfFn: (z, y) => crossEntropy(z, y, { reduction: 'none' }),
      refFn: (z) => Float64Array.from(labels, (y, i) => (y === -100 ? 0 : ref.crossEntropy(z.subarray(i * c, (i + 1) * c), [y], c))),
      tol,
    });
  });

  it('the fused kernels (wasm: SIMD, cpu: JavaScript, webgpu: WGSL) agree with the composite over a vocabulary-sized class axis, in less memory', async () => {
    const [rows, classes] = [37, 1003]; // not a multiple of the 4 SIMD lanes
    const z = tf.tensor(Array.from(randomArray(rows * classes, 53, 6)), [rows, classes]);
    const y = tf.tensor1d(
      Array.from({ length: rows }, (_, i) => (i % 5 === 4 ? -100 : (i * 131) % classes)),
      'int32',
    );
    for (const reduction of ['mean', 'sum', 'none'] as const)
      for (const labelSmoothing of [0, 0.1]) {
        const run = async () => {
          const before = tf.memory().numTensors;
          const info = await tf.profile(() => {
            const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => tf.sum(crossEntropy(t, y, { reduction, labelSmoothing })))([z]);
            tf.dispose([value, grads[0]!]);
          });
          const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => tf.sum(crossEntropy(t, y, { reduction, labelSmoothing })))([z]);
          const out = [await value.data(), await grads[0]!.data()];
          tf.dispose([value, grads[0]!]);
          expect(tf.memory().numTensors).toBe(before);
          return { out, peak: info.peakBytes, kernels: info.kernelNames };
        };
        const fused = await run();
        setFusedKernels(false);
        const composite = await run();
        setFusedKernels(true);
        expect(fused.kernels.includes('TfjsPeftCrossEntropyGrad')).toBe(true);
        const label = `${reduction} smoothing ${labelSmoothing}`;
        expect(Math.abs(fused.out[0]![0]! - composite.out[0]![0]!), label).toBeLessThan(1e-4 * (1 + Math.abs(composite.out[0]![0]!)));
        for (let i = 0; i < fused.out[1]!.length; i++) expect(Math.abs(fused.out[1]![i]! - composite.out[1]![i]!)).toBeLessThan(tol.atol);
        expect(fused.peak, label).toBeLessThan(composite.peak);
      }
    tf.dispose([z, y]);
  });

  it('all targets ignored gives 0, not NaN', async () => {
    const z = tf.randomNormal([2, 3]);
    const l = crossEntropy(z, tf.tensor1d([-100, -100], 'int32'));
    expect(await l.data()).toEqual(new Float32Array([0]));
    tf.dispose([z, l]);
  });

  it.runIf(backend !== 'webgpu')('rejects a label outside the classes (that is not ignoreIndex), naming it', () => {
    const z = tf.zeros([3, 4]);
    for (const bad of [4, -1]) {
      const y = tf.tensor1d([0, bad, -100], 'int32');
      expect(() => crossEntropy(z, y)).toThrow(`crossEntropy: labels expected class indices in [0, 4) or ignoreIndex, got ${bad} at position 1`);
      y.dispose();
    }
    z.dispose();
  });

  it('rejects float labels and mismatched shapes', () => {
    const z = tf.zeros([2, 3]);
    expect(() => crossEntropy(z, tf.tensor1d([0, 1]))).toThrow(/labels expected dtype int32, got float32/);
    expect(() => crossEntropy(z, tf.tensor1d([0, 1, 2], 'int32'))).toThrow(/labels expected shape \[2\]/);
  });

  it('mse matches float64 (mean and sum) with gradients', async () => {
    const p = randomArray(8, 53);
    const t = randomArray(8, 54);
    for (const reduction of ['mean', 'sum'] as const)
      await checkOp({
        label: `mse ${reduction}`,
        inputs: [
          { shape: [8], data: p },
          { shape: [8], data: t },
        ],
        tfFn: (a, b) => mse(a, b, reduction),
        refFn: (a, b) => {
          let s = 0;
          for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
          return reduction === 'sum' ? s : s / a.length;
        },
        tol,
      });
    expect(() => mse(tf.zeros([2]), tf.zeros([3]))).toThrow(/mse: target expected shape \[2\]/);
  });
});
