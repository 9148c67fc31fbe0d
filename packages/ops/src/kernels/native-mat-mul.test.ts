import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeGemm, nativeUnavailable } from '@tfjs-peft/native';
import { assertClose, randomArray, ref, testBackends, useBackend } from '../testing';
import { linear, gradients } from '../index';
import { loadBackend } from '../backend/load-backend';
import { nativeGemm, planGemm, setNativeGemm, type NativeGemm } from './native-mat-mul';

describe('planGemm', () => {
  it('maps shapes and transposes to m, n, k and per-batch offsets with numpy broadcasting', () => {
    const p = planGemm([2, 1, 4, 5], [1, 3, 5, 6], false, false)!;
    expect([p.outShape, p.m, p.n, p.k]).toEqual([[2, 3, 4, 6], 4, 6, 5]);
    expect(Array.from(p.aOffsets)).toEqual([0, 0, 0, 20, 20, 20]);
    expect(Array.from(p.bOffsets)).toEqual([0, 30, 60, 0, 30, 60]);
    expect(Array.from(p.cOffsets)).toEqual([0, 24, 48, 72, 96, 120]);
    const t = planGemm([3, 5, 4], [6, 5], true, true)!; // A stored k×m, B stored n×k
    expect([t.outShape, t.m, t.n, t.k]).toEqual([[3, 4, 6], 4, 6, 5]);
    expect(Array.from(t.bOffsets)).toEqual([0, 0, 0]);
  });
  it('returns null for shapes that do not multiply (the backend kernel reports them)', () => {
    expect(planGemm([4, 5], [6, 7], false, false)).toBeNull();
    expect(planGemm([2, 4, 5], [3, 5, 6], false, false)).toBeNull();
    expect(planGemm([5], [5, 6], false, false)).toBeNull();
  });
});

const why = nativeUnavailable();
const backends = testBackends().filter((b) => b === 'wasm' || b === 'cpu');

for (const backend of backends)
  describe.runIf(why == null)(`native BatchMatMul on ${backend}`, () => {
    let gemm: NativeGemm;
    beforeAll(async () => {
      await loadBackend(backend);
      gemm = loadNativeGemm();
      setNativeGemm(gemm);
    });
    afterAll(() => setNativeGemm(gemm));

    it('loadBackend switched it on (with the addon built) and reports it', async () => {
      const info = await loadBackend(backend);
      expect(info.native).toMatch(/^(avx512|avx2|generic), \d+ threads?$/);
      expect(info.kernels).toContain(`BatchMatMul(native ${info.native})`);
      expect(nativeGemm()).not.toBeNull();
      const off = await loadBackend(backend, { native: false });
      expect(off.native).toBeNull();
      expect(nativeGemm()).toBeNull();
      await loadBackend(backend);
    });

    it("matches float64 and the backend's own kernel: transposes, batches, broadcast batches; no leaks", async () => {
      const cases: [number[], number[], boolean, boolean][] = [
        [[5, 7], [7, 3], false, false],
        [[7, 5], [3, 7], true, true],
        [[40, 300], [20, 300], false, true],
        [[300, 40], [300, 20], true, false],
        [[2, 3, 4, 5], [2, 3, 6, 5], false, true],
        [[2, 3, 5, 4], [2, 3, 5, 6], true, false],
        [[2, 1, 4, 5], [1, 3, 5, 6], false, false],
        [[3, 4, 5], [5, 6], false, false],
        [[1, 4, 5], [3, 5, 6], false, false],
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
        expect(tf.memory().numTensors).toBe(before.numTensors + 1);
        const label = `${backend} ${sa}·${sb} ta=${ta} tb=${tb}`;
        const plan = planGemm(sa, sb, ta, tb)!;
        expect(c.shape).toEqual(plan.outShape);
        // an independent float64 reference (not planGemm's offsets)
        assertClose(await c.data(), ref.batchMatMul(a, sa, b, sb, ta, tb), `${label} vs float64`);
        setNativeGemm(null);
        const own = tf.matMul(at, bt, ta, tb);
        setNativeGemm(gemm);
        // the backends' own kernels get two-sided batch broadcasts wrong (tfjs 4.22): float64 is the only reference there
        const twoSided = sa.length > 2 && sb.length > 2 && sa[1] === 1 && sb[0] === 1;
        if (!twoSided) assertClose(await c.data(), await own.data(), `${label} vs the backend's kernel`, { atol: 1e-5, rtol: 1e-5 });
        tf.dispose([c, own]);
        expect(tf.memory().numTensors).toBe(before.numTensors);
        expect(tf.memory().numBytes).toBe(before.numBytes);
        tf.dispose([at, bt]);
      }
    });

    it("int32 products take the backend's kernel; empty ones give an empty or zero result", async () => {
      const i = tf.tensor2d(
        [
          [1, 2],
          [3, 4],
        ],
        [2, 2],
        'int32',
      );
      if (backend === 'cpu') expect(Array.from(await tf.matMul(i, i).data())).toEqual([7, 10, 15, 22]);
      else expect(() => tf.matMul(i, i)).toThrow(/non-float32/); // the wasm backend's own answer
      const e = tf.matMul(tf.zeros([0, 3]), tf.zeros([3, 4]));
      expect(e.shape).toEqual([0, 4]);
      const z = tf.matMul(tf.ones([2, 0]), tf.ones([0, 3]));
      expect(Array.from(await z.data())).toEqual([0, 0, 0, 0, 0, 0]);
      tf.dispose([i, e, z]);
    });

    it("gradients through linear are the same as with the backend's kernel", async () => {
      const x = tf.tensor(Array.from(randomArray(6 * 10 * 12, 3)), [6, 10, 12]);
      const w = tf.variable(tf.tensor(Array.from(randomArray(9 * 12, 4)), [9, 12]));
      const bias = tf.variable(tf.tensor(Array.from(randomArray(9, 5)), [9]));
      const f = () => tf.sum(tf.square(linear(x, w, bias)));
      const run = async () => {
        const g = gradients(f, [x, w, bias]);
        const out = await Promise.all(g.grads.map((t) => t!.data()));
        tf.dispose([g.value, ...(g.grads as tf.Tensor[])]);
        return out;
      };
      const withNative = await run();
      setNativeGemm(null);
      const withOwn = await run();
      setNativeGemm(gemm);
      withNative.forEach((g, i) => assertClose(g, withOwn[i]!, `${backend} gradient ${i}`, { atol: 1e-4, rtol: 1e-5 }));
      tf.dispose([x, w, bias]);
    });
  });

describe.runIf(why != null)('native BatchMatMul', () => {
  it('is skipped: the addon is unavailable', () => {
    console.warn(`[ops] native BatchMatMul tests skipped: ${why}`);
    expect(why).toBeTruthy();
  });
});

describe('loadBackend with native: true', () => {
  it.runIf(backends.includes('cpu'))('names why it cannot be met (or meets it)', async () => {
    await useBackend('cpu');
    if (why == null) expect((await loadBackend('cpu', { native: true })).native).not.toBeNull();
    else await expect(loadBackend('cpu', { native: true })).rejects.toThrow(/native matrix products were asked for/);
  });
});
