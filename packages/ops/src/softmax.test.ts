import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { softmax, logSoftmax } from './index';
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
  it('rejects a non-last axis', () => {
    expect(() => softmax(tf.zeros([2, 3]), 0)).toThrow(/softmax: axis expected -1 or 1/);
  });
});
