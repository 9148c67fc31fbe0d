import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { embedding } from './index';
import { checkOp, randomArray, testBackends, useBackend } from './testing';

describe.each(testBackends())('embedding on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const [v, d] = [7, 3];
  const ids = Int32Array.from([1, 3, 3, 0, 6, 1]); // repeated ids: gradients must add up

  it('looks rows up and scatter-adds the gradient (UnsortedSegmentSum)', async () => {
    await checkOp({
      label: 'embedding',
      inputs: [
        { shape: [v, d], data: randomArray(v * d, 61) },
        { shape: [2, 3], data: ids, dtype: 'int32' },
      ],
      tfFn: (w, i) => embedding(w, i),
      refFn: (w) => Float64Array.from({ length: ids.length * d }, (_, k) => w[ids[Math.floor(k / d)]! * d + (k % d)]!),
    });
  });

  it('paddingIdx: the padding row gets no gradient from the lookup (PyTorch padding_idx)', async () => {
    await checkOp({
      label: 'embedding paddingIdx',
      inputs: [
        { shape: [v, d], data: randomArray(v * d, 62) },
        { shape: [6], data: ids, dtype: 'int32' },
      ],
      tfFn: (w, i) => embedding(w, i, 3),
      // reference: rows of id 3 are constants (no path to the weight)
      refFn: (w) => {
        const frozen = randomArray(v * d, 62);
        return Float64Array.from({ length: ids.length * d }, (_, k) => {
          const row = ids[Math.floor(k / d)]!;
          return (row === 3 ? frozen : w)[row * d + (k % d)]!;
        });
      },
    });
  });

  it('rejects float ids and a non-matrix weight', () => {
    expect(() => embedding(tf.zeros([3, 2]), tf.tensor1d([0, 1]))).toThrow(/embedding: ids expected dtype int32/);
    expect(() => embedding(tf.zeros([3]), tf.tensor1d([0], 'int32'))).toThrow(/weight expected rank 2/);
  });
});
