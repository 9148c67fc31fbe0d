import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';
import { assertClose, randomArray, ref, testBackends, useBackend } from '../testing';

const onWasm = testBackends().includes('wasm');

describe.runIf(onWasm)('wasm kernels added by registerBackendKernels', () => {
  beforeAll(() => useBackend('wasm'));

  it('BatchMatMul is wrapped and every transpose combination matches float64 (rank 2 and 4)', async () => {
    expect(getKernel('BatchMatMul', 'wasm')).toBeDefined();
    const [m, k, n] = [5, 7, 3];
    for (const ta of [false, true])
      for (const tb of [false, true]) {
        const a = randomArray(m * k, 71);
        const b = randomArray(k * n, 72);
        const at = tf.tensor(Array.from(a), ta ? [k, m] : [m, k]);
        const bt = tf.tensor(Array.from(b), tb ? [n, k] : [k, n]);
        const before = tf.memory().numTensors;
        const c = tf.matMul(at, bt, ta, tb);
        assertClose(await c.data(), ref.matMul(a, b, m, k, n, ta, tb), `matMul ta=${ta} tb=${tb}`);
        c.dispose();
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([at, bt]);
      }
    // rank 4, as in attention: [B,H,T,D]·[B,H,T,D]ᵀ
    const q = tf.tensor(Array.from(randomArray(2 * 3 * 4 * 5, 73)), [2, 3, 4, 5]);
    const kk = tf.tensor(Array.from(randomArray(2 * 3 * 6 * 5, 74)), [2, 3, 6, 5]);
    const s = tf.matMul(q, kk, false, true);
    const s2 = tf.matMul(q, tf.transpose(kk, [0, 1, 3, 2]));
    assertClose(await s.data(), await s2.data(), 'rank-4 transposeB', { atol: 1e-6, rtol: 1e-6 });
    const memBefore = tf.memory().numBytes;
    tf.dispose([q, kk, s, s2]);
    expect(tf.memory().numBytes).toBeLessThan(memBefore);
  });

  it('UnsortedSegmentSum exists on wasm, adds repeated ids and drops out-of-range ids', async () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const out = tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 5], 'int32'), 3);
    expect(Array.from(await out.data())).toEqual([3, 4, 0, 0, 6, 8]);
    tf.dispose([x, out]);
  });
});
