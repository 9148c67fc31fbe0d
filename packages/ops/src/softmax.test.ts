import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { softmax, logSoftmax } from './index';
import { setFusedKernels } from './kernels';
import { checkOp, randomArray, ref, testBackends, useBackend, tolerance } from './testing';

describe.each(testBackends())('softmax / logSoftmax on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const tol = tolerance(backend, { atol: 1e-6, rtol: 1e-5 });

  it('softmax matches float64 and finite differences', async () => {
    await checkOp({ label: 'softmax', inputs: [{ shape: [3, 7], data: randomArray(21, 31, 5) }], tfFn: (x) => softmax(x), refFn: (x) => ref.softmax(x, 7), tol });
  });
  it('logSoftmax matches float64 and finite differences, also for large logits', async () => {
    await checkOp({ label: 'logSoftmax', inputs: [{ shape: [3, 7], data: randomArray(21, 32, 5) }], tfFn: (x) => logSoftmax(x), refFn: (x) => ref.logSoftmax(x, 7), tol });
    await checkOp({
      label: 'logSoftmax large',
      inputs: [{ shape: [2, 4], data: randomArray(8, 33, 3).map((v) => v + 80) }],
      tfFn: (x) => logSoftmax(x),
      refFn: (x) => ref.logSoftmax(x, 4),
      tol: { atol: 2e-5, rtol: 1e-4 },
      gradTol: { atol: 2e-3, rtol: 1e-2 },
    });
  });
  it('the fused kernels (backward on wasm: SIMD, on webgpu: WGSL; forward and backward on cpu: JavaScript) agree with tf.softmax, masked rows included; no leaks', async () => {
    // attention-like: rows of 130 (not a multiple of 4), some scores at the mask value
    const data = Array.from(randomArray(2 * 3 * 5 * 130, 34, 4)).map((v, i) => (i % 130 > 120 && i % 2 === 0 ? -1e9 : v));
    const x = tf.tensor(data, [2, 3, 5, 130]);
    const dy = tf.tensor(Array.from(randomArray(data.length, 35)), [2, 3, 5, 130]);
    const run = async () => {
      const before = tf.memory().numTensors;
      const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => tf.sum(tf.mul(softmax(t), dy)))([x]);
      const y = softmax(x);
      const out = [await y.data(), await grads[0]!.data()];
      tf.dispose([value, y, ...grads]);
      expect(tf.memory().numTensors).toBe(before);
      return out;
    };
    const profile = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(softmax(t), dy)))(x));
    expect(profile.kernelNames.includes('TfjsPeftSoftmaxGrad')).toBe(true);
    expect(profile.kernelNames.includes('TfjsPeftSoftmax')).toBe(backend === 'cpu');
    const [fy, fg] = await run();
    setFusedKernels(false);
    const [cy, cg] = await run();
    setFusedKernels(true);
    for (let i = 0; i < fy!.length; i++) {
      expect(Math.abs(fy![i]! - cy![i]!)).toBeLessThan(tol.atol + tol.rtol * Math.abs(cy![i]!));
      expect(Math.abs(fg![i]! - cg![i]!)).toBeLessThan(tol.atol + tol.rtol * Math.abs(cg![i]!));
    }
    tf.dispose([x, dy]);
  });
  it('rejects a non-last axis', () => {
    expect(() => softmax(tf.zeros([2, 3]), 0)).toThrow(/softmax: axis expected -1 or 1/);
  });
});
