import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { attention } from './index';
import { checkOp, randomArray, ref, testBackends, useBackend, tolerance } from './testing';

describe.each(testBackends())('attention on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const [b, h, tq, tk, d] = [2, 2, 3, 4, 4];
  const tol = tolerance(backend, { atol: 1e-5, rtol: 1e-4 });
  const qkv = (tkk: number) => [
    { shape: [b, h, tq, d], data: randomArray(b * h * tq * d, 41) },
    { shape: [b, h, tkk, d], data: randomArray(b * h * tkk * d, 42) },
    { shape: [b, h, tkk, d], data: randomArray(b * h * tkk * d, 43) },
  ];

  it('cross-attention with a padding mask matches float64 and finite differences', async () => {
    const maskArr = Int32Array.from([1, 1, 1, 0, 1, 1, 0, 0]); // [b, tk]
    await checkOp({
      label: 'attention padding',
      inputs: [...qkv(tk), { shape: [b, tk], data: maskArr, dtype: 'int32' }],
      tfFn: (q, k, v, m) => attention(q, k, v, { mask: m }),
      refFn: (q, k, v) => ref.attention(q, k, v, { b, h, tq, tk, d, dv: d }, { keep: (bi, _i, j) => maskArr[bi * tk + j] === 1 }),
      tol,
    });
  });

  it('causal self-attention (square and with a cache offset) matches float64', async () => {
    await checkOp({
      label: 'attention causal square',
      inputs: qkv(tq),
      tfFn: (q, k, v) => attention(q, k, v, { causal: true }),
      refFn: (q, k, v) => ref.attention(q, k, v, { b, h, tq, tk: tq, d, dv: d }, { keep: (_b, i, j) => j <= i }),
      tol,
    });
    await checkOp({
      label: 'attention causal offset',
      inputs: qkv(tk),
      tfFn: (q, k, v) => attention(q, k, v, { causal: true }),
      refFn: (q, k, v) => ref.attention(q, k, v, { b, h, tq, tk, d, dv: d }, { keep: (_b, i, j) => j <= i + (tk - tq) }),
      tol,
    });
  });

  it('key/value prefixes are always visible, combined with padding and causal masks, and get gradients', async () => {
    const p = 2;
    const maskArr = Int32Array.from([1, 1, 1, 1, 1, 1, 1, 0]);
    await checkOp({
      label: 'attention prefix',
      inputs: [
        ...qkv(tk),
        { shape: [b, tk], data: maskArr, dtype: 'int32' },
        { shape: [1, h, p, d], data: randomArray(h * p * d, 44) },
        { shape: [1, h, p, d], data: randomArray(h * p * d, 45) },
      ],
      tfFn: (q, k, v, m, pk, pv) => attention(q, k, v, { mask: m, causal: true, prefixKey: pk, prefixValue: pv }),
      refFn: (q, k, v, _m, pk, pv) => {
        // the reference takes per-batch prefixes: repeat the shared one
        const rep = (x: Float64Array) => Float64Array.from({ length: b * x.length }, (_, i) => x[i % x.length]!);
        return ref.attention(
          q,
          k,
          v,
          { b, h, tq, tk, d, dv: d, p },
          {
            keep: (bi, i, j) => maskArr[bi * tk + j] === 1 && j <= i + (tk - tq),
            pk: rep(pk!),
            pv: rep(pv!),
          },
        );
      },
      tol,
    });
  });

  it('rejects mismatched shapes with the expected layout in the message', () => {
    const q = tf.zeros([1, 2, 3, 4]);
    expect(() => attention(q, tf.zeros([1, 2, 3, 5]), tf.zeros([1, 2, 3, 4]))).toThrow(/attention: k expected \[1,2,Tk,4\], got \[1,2,3,5\]/);
    expect(() => attention(q, q, q, { mask: tf.ones([1, 7]) })).toThrow(/attention: mask expected/);
    expect(() => attention(q, q, q, { prefixKey: tf.zeros([1, 2, 1, 4]) })).toThrow(/prefixValue expected to be given together/);
    expect(() => attention(tf.zeros([2, 3, 4]), q, q)).toThrow(/q expected rank 4/);
  });

  it('dropout on probabilities is seeded and only active in training', async () => {
    const q = tf.tensor(Array.from(randomArray(b * h * tq * d, 46)), [b, h, tq, d]);
    const a = attention(q, q, q, { dropoutRate: 0.5, seed: 3, training: true });
    const a2 = attention(q, q, q, { dropoutRate: 0.5, seed: 3, training: true });
    const e = attention(q, q, q, { dropoutRate: 0.5, seed: 3, training: false });
    const plain = attention(q, q, q);
    expect(Array.from(await a.data())).toEqual(Array.from(await a2.data()));
    expect(Array.from(await e.data())).toEqual(Array.from(await plain.data()));
    expect(Array.from(await a.data())).not.toEqual(Array.from(await plain.data()));
    tf.dispose([q, a, a2, e, plain]);
  });
});
