import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { linear } from './index';
import { checkOp, randomArray, ref, testBackends, useBackend, tolerance } from './testing';

describe.each(testBackends())('linear on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('matches float64 and finite differences, with and without bias, rank 3 input', async () => {
    const [b, t, inF, outF] = [2, 3, 5, 4];
    await checkOp({
      label: 'linear',
      inputs: [
        { shape: [b, t, inF], data: randomArray(b * t * inF, 1) },
        { shape: [outF, inF], data: randomArray(outF * inF, 2) },
        { shape: [outF], data: randomArray(outF, 3) },
      ],
      tfFn: (x, w, bias) => linear(x, w, bias),
      refFn: (x, w, bias) => ref.linear(x, w, bias, b * t, inF, outF),
      tol: tolerance(backend, { atol: 1e-5, rtol: 1e-4 }),
    });
    await checkOp({
      label: 'linear (no bias)',
      inputs: [
        { shape: [3, inF], data: randomArray(3 * inF, 4) },
        { shape: [outF, inF], data: randomArray(outF * inF, 5) },
      ],
      tfFn: (x, w) => linear(x, w),
      refFn: (x, w) => ref.linear(x, w, null, 3, inF, outF),
      tol: tolerance(backend, { atol: 1e-5, rtol: 1e-4 }),
    });
  });

  it('names the argument and shapes on bad input', () => {
    const x = tf.zeros([2, 5]);
    const w = tf.zeros([4, 6]);
    expect(() => linear(x, w)).toThrow(/linear: x expected last dimension 6, got \[2,5\]/);
    expect(() => linear(x, tf.zeros([4, 5]), tf.zeros([3]))).toThrow(/bias expected \[4\], got \[3\]/);
    expect(() => linear(x, tf.zeros([20]))).toThrow(/weight expected rank 2/);
    tf.disposeVariables();
  });
});
