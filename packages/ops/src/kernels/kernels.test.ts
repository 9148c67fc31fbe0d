import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';
import { assertClose, randomArray, ref, testBackends, useBackend } from '../testing';
import { setTransposedMatMulFastPath, setSharedIdentity, setLeadingAxesSum, setRowGather } from '../kernels';
import { transposeLastTwo } from './wasm-batch-mat-mul';
import { nativeGemm, setNativeGemm } from './native-mat-mul';

const onWasm = testBackends().includes('wasm');

describe.runIf(onWasm)('wasm kernels added by registerBackendKernels', () => {
  // the XNNPACK routes: the native product (native-mat-mul.test.ts) is off here
  let native: ReturnType<typeof nativeGemm> = null;
  beforeAll(async () => {
    await useBackend('wasm');
    native = nativeGemm();
    setNativeGemm(null);
  });
  afterAll(() => setNativeGemm(native));

  it('the tiled transpose of the last two dimensions matches tf.transpose exactly (ragged tiles, batches)', async () => {
    for (const shape of [
      [37, 45],
      [3, 33, 64],
      [2, 2, 1, 70],
      [64, 1],
    ]) {
      const x = tf.tensor(
        Array.from(
          randomArray(
            shape.reduce((a, b) => a * b),
            77,
          ),
        ),
        shape,
      );
      const perm = [...shape.keys()];
      [perm[perm.length - 1], perm[perm.length - 2]] = [perm[perm.length - 2]!, perm[perm.length - 1]!];
      const want = tf.transpose(x, perm);
      const info = transposeLastTwo({ dataId: x.dataId, shape: x.shape, dtype: 'float32' }, tf.backend());
      const got = tf.engine().makeTensorFromTensorInfo(info);
      expect(got.shape).toEqual(want.shape);
      expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
      tf.dispose([x, want, got]);
    }
  });

  it("GatherV2 of rows matches the backend's own kernel exactly; other gathers go to it; a bad id is an error naming it", async () => {
    const cases: [number[], number[], number[], number][] = [
      [[300, 16], [7], [3, 0, 299, 3, 150, 1, 2], 0],
      [[2, 8], [2, 3], [0, 1, 1, 0, 0, 1], 0],
      [[5, 3, 4], [4], [4, 0, 2, 2], 0],
      [[5, 3, 4], [2], [2, 0], 1], // another axis: original
    ];
    for (const [shape, idShape, ids, axis] of cases) {
      const x = tf.tensor(
        Array.from(
          randomArray(
            shape.reduce((a, b) => a * b),
            83,
          ),
        ),
        shape,
      );
      const idx = tf.tensor(ids, idShape, 'int32');
      const before = tf.memory().numTensors;
      const ours = tf.gather(x, idx, axis);
      expect(setRowGather('wasm', false)).toBe(false);
      const theirs = tf.gather(x, idx, axis);
      expect(setRowGather('wasm', true)).toBe(true);
      expect(ours.shape).toEqual(theirs.shape);
      expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
      tf.dispose([ours, theirs]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, idx]);
    }
    const w = tf.ones([4, 2]);
    const bad = tf.tensor1d([1, 4], 'int32');
    const before = tf.memory();
    expect(() => tf.gather(w, bad)).toThrow('GatherV2: index 4 (position 1) is not in [0, 3]');
    expect(tf.memory().numBytes).toBe(before.numBytes);
    tf.dispose([w, bad]);
  });

  it("Sum over leading axes is bit-identical to the backend's own kernel; other reductions go to it", async () => {
    const cases: [number[], number | number[], boolean][] = [
      [[1024, 256], 0, false],
      [[8, 128, 256], [0, 1], false],
      [[8, 128, 256], [1, 0], true],
      [[6, 5, 4], [-3], false],
      [[6, 5, 4], [1], false], // not leading: original
      [[6, 5, 4], [0, 1, 2], false], // everything: original
    ];
    for (const [shape, axis, keepDims] of cases) {
      const x = tf.tensor(
        Array.from(
          randomArray(
            shape.reduce((a, b) => a * b),
            79,
          ),
        ),
        shape,
      );
      const before = tf.memory().numTensors;
      const ours = tf.sum(x, axis, keepDims);
      expect(setLeadingAxesSum('wasm', false)).toBe(false);
      const theirs = tf.sum(x, axis, keepDims);
      expect(setLeadingAxesSum('wasm', true)).toBe(true);
      expect(ours.shape).toEqual(theirs.shape);
      expect(Array.from(await ours.data()), `sum ${shape} axis ${axis}`).toEqual(Array.from(await theirs.data()));
      tf.dispose([ours, theirs]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    }
    const ints = tf.tensor2d(
      [
        [1, 2],
        [3, 4],
      ],
      [2, 2],
      'int32',
    );
    expect(Array.from(await tf.sum(ints, 0).data())).toEqual([4, 6]);
    ints.dispose();
  });

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

  it("the fast path agrees with the backend's own transposed kernel (its reference), and can be toggled", async () => {
    const a = tf.tensor(Array.from(randomArray(3 * 40 * 30, 75)), [3, 40, 30]);
    const b = tf.tensor(Array.from(randomArray(3 * 20 * 30, 76)), [3, 20, 30]);
    const fast = await tf.matMul(a, b, false, true).data();
    const fastA = await tf.matMul(a, a, true, false).data();
    expect(setTransposedMatMulFastPath('wasm', false)).toBe(false);
    const slow = await tf.matMul(a, b, false, true).data();
    const slowA = await tf.matMul(a, a, true, false).data();
    expect(setTransposedMatMulFastPath('wasm', true)).toBe(true);
    assertClose(fast, slow, 'transposeB fast vs original', { atol: 1e-5, rtol: 1e-5 });
    assertClose(fastA, slowA, 'transposeA fast vs original', { atol: 1e-5, rtol: 1e-5 });
    tf.disposeVariables();
    tf.dispose([a, b]);
  });

  it('batched matmuls run per batch entry on the fast path and match float64, incl. broadcast batches', async () => {
    const cases: [number[], number[], boolean, boolean][] = [
      [[2, 3, 4, 5], [2, 3, 5, 6], false, false],
      [[2, 3, 4, 5], [2, 3, 6, 5], false, true],
      [[2, 3, 5, 4], [2, 3, 5, 6], true, false],
      [[3, 4, 5], [1, 5, 6], false, false],
      [[1, 4, 5], [3, 5, 6], false, false],
      [[2, 1, 4, 5], [1, 3, 5, 6], false, false], // two-sided broadcast (tfjs 4.22 wasm returns a wrong-sized result)
      [[2, 3, 4, 5], [5, 6], false, false],
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const a = randomArray(
        sa.reduce((x, y) => x * y),
        81,
      );
      const b = randomArray(
        sb.reduce((x, y) => x * y),
        82,
      );
      const at = tf.tensor(Array.from(a), sa);
      const bt = tf.tensor(Array.from(b), sb);
      const before = tf.memory();
      const c = tf.matMul(at, bt, ta, tb);
      const expected = ref.batchMatMul(a, sa, b, sb, ta, tb);
      assertClose(await c.data(), expected, `matMul ${sa}·${sb} ta=${ta} tb=${tb}`);
      c.dispose();
      expect(tf.memory().numTensors).toBe(before.numTensors);
      expect(tf.memory().numBytes).toBe(before.numBytes);
      tf.dispose([at, bt]);
    }
  });

  it('Identity shares the buffer (no copy) and disposal is reference-counted; gradients unchanged', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    const before = tf.memory();
    const c = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers); // shared, not copied
    x.dispose();
    expect(Array.from(await c.data())).toEqual([1, 2, 3]); // survives its source
    c.dispose();
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers - 1);
    // the gradient tape clones saved tensors: same gradients with the copying kernel
    const a = tf.tensor(Array.from(randomArray(24, 91)), [4, 6]);
    const g = () =>
      tf
        .grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tanh(t), tf.exp(t))))(a)
        .dataSync();
    const shared = Array.from(g());
    setSharedIdentity('wasm', false);
    const copied = Array.from(g());
    setSharedIdentity('wasm', true);
    expect(shared).toEqual(copied);
    a.dispose();
  });

  it('UnsortedSegmentSum exists on wasm, adds repeated ids and drops out-of-range ids', async () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    const out = tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 5], 'int32'), 3);
    expect(Array.from(await out.data())).toEqual([3, 4, 0, 0, 6, 8]);
    tf.dispose([x, out]);
  });
});
