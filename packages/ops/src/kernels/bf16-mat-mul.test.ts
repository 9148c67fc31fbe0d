import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeGemm, nativeUnavailable } from '@tfjs-peft/native';
import { assertClose, randomArray, ref, testBackends, useBackend } from '../testing';
import { linear, gradients } from '../index';
import { loadBackend } from '../backend/load-backend';
import { setNativeGemm, type NativeGemm } from './native-mat-mul';
import { bf16MatMul, frozenMatMul, frozenMatMulPrecision, setFrozenMatMulPrecision } from './bf16-mat-mul';

afterEach(() => {
  setFrozenMatMulPrecision('float32');
});

describe('setFrozenMatMulPrecision', () => {
  it('is float32 by default, returns the previous setting and rejects unknown precisions by name', () => {
    expect(frozenMatMulPrecision()).toBe('float32');
    expect(setFrozenMatMulPrecision('bf16')).toBe('float32');
    expect(frozenMatMulPrecision()).toBe('bf16');
    expect(() => setFrozenMatMulPrecision('fp16' as never)).toThrow(/setFrozenMatMulPrecision: precision expected 'float32' or 'bf16', got "fp16"/);
    expect(frozenMatMulPrecision()).toBe('bf16');
  });
});

const why = nativeUnavailable();
const backends = testBackends().filter((b) => b === 'wasm' || b === 'cpu');

const tensor = (shape: number[], seed: number) => {
  const v = randomArray(
    shape.reduce((x, y) => x * y, 1),
    seed,
  );
  return { v, t: tf.tensor(Array.from(v), shape) };
};

for (const backend of backends)
  describe.runIf(why == null)(`bf16 products with frozen weights on ${backend}`, () => {
    let gemm: NativeGemm;
    beforeAll(async () => {
      await loadBackend(backend);
      gemm = loadNativeGemm();
      setNativeGemm(gemm);
    });
    afterAll(() => setNativeGemm(gemm));

    it('loadBackend reports the bf16 product and takes the precision as an option', async () => {
      const info = await loadBackend(backend, { frozenMatMulPrecision: 'bf16' });
      expect(frozenMatMulPrecision()).toBe('bf16');
      expect(bf16MatMul()).toBe(gemm.bf16!());
      expect(info.kernels).toContain(`MatMulBf16(native ${gemm.bf16!()})`);
      // an emulated bf16 product is said to be no faster than float32; a hardware one is not flagged
      expect(info.notes.some((n) => n.includes('bf16 products are emulated'))).toBe(gemm.bf16!() === 'emulated');
      const off = await loadBackend(backend, { native: false, frozenMatMulPrecision: 'bf16' });
      expect(bf16MatMul()).toBeNull();
      expect(off.notes.join('\n')).toMatch(/frozenMatMulPrecision bf16: not available on .* frozen weights' products stay float32/);
      await loadBackend(backend);
      expect(frozenMatMulPrecision()).toBe('bf16'); // left as it was when the option is absent
    });

    it('bf16: the float64 product of the rounded operands, every transpose; float32: tf.matMul exactly; no leaks', async () => {
      const cases: [number[], number[], boolean, boolean][] = [
        [[40, 300], [20, 300], false, true], // x · Wᵀ
        [[40, 20], [20, 300], false, false], // dy · W
        [[300, 40], [300, 20], true, false],
        [[20, 33], [45, 20], true, true],
      ];
      for (const [sa, sb, ta, tb] of cases) {
        const a = tensor(sa, 11);
        const b = tensor(sb, 12);
        const label = `${backend} ${sa}·${sb} ta=${ta} tb=${tb}`;
        const before = tf.memory().numTensors;
        const f32 = frozenMatMul(a.t, b.t, ta, tb);
        const plain = tf.matMul(a.t, b.t, ta, tb);
        expect(Array.from(await f32.data()), `${label} float32`).toEqual(Array.from(await plain.data()));
        setFrozenMatMulPrecision('bf16');
        const low = frozenMatMul(a.t, b.t, ta, tb);
        setFrozenMatMulPrecision('float32');
        expect(low.shape).toEqual(plain.shape);
        const got = await low.data();
        assertClose(got, ref.batchMatMul(ref.roundBf16(a.v), sa, ref.roundBf16(b.v), sb, ta, tb), `${label} bf16 vs float64 of rounded operands`, { atol: 2e-5, rtol: 1e-5 });
        // and rounding happened: it is not the float32 product
        const exact = ref.batchMatMul(a.v, sa, b.v, sb, ta, tb);
        expect(Math.max(...Array.from(got, (x, i) => Math.abs(x - exact[i]!))), label).toBeGreaterThan(1e-4);
        tf.dispose([f32, plain, low, a.t, b.t]);
        expect(tf.memory().numTensors).toBe(before - 2);
      }
    });

    it('linear with a frozen weight: forward and input gradient in bf16; a trained weight stays float32', async () => {
      const [rows, inF, outF] = [24, 70, 18];
      const x = tensor([rows, inF], 21);
      const wv = randomArray(outF * inF, 22);
      const frozen = tf.variable(tf.tensor(Array.from(wv), [outF, inF]), false);
      const trained = tf.variable(tf.tensor(Array.from(wv), [outF, inF]), true);
      const bias = tf.variable(tf.tensor(Array.from(randomArray(outF, 23)), [outF]), true);
      const cv = randomArray(rows * outF, 24);
      const c = tf.tensor(Array.from(cv), [rows, outF]);
      const loss = (w: tf.Variable) => () => tf.sum(tf.mul(linear(x.t, w, bias), c));
      setFrozenMatMulPrecision('bf16');
      const before = tf.memory().numTensors;
      const y = linear(x.t, frozen, bias);
      assertClose(await y.data(), ref.linear(ref.roundBf16(x.v), ref.roundBf16(wv), Float64Array.from(await bias.data()), rows, inF, outF), `${backend} forward`, {
        atol: 2e-5,
        rtol: 1e-5,
      });
      const g = gradients(loss(frozen), [x.t, bias]);
      // dx = dy · W with dy = c: both rounded
      assertClose(await g.grads[0]!.data(), ref.matMul(ref.roundBf16(cv), ref.roundBf16(wv), rows, outF, inF), `${backend} dx`, { atol: 2e-5, rtol: 1e-5 });
      // the bias gradient takes no product: exact column sums of c
      const colSums = new Float64Array(outF);
      for (let r = 0; r < rows; r++) for (let o = 0; o < outF; o++) colSums[o]! += cv[r * outF + o]!;
      assertClose(await g.grads[1]!.data(), colSums, `${backend} dbias`, { atol: 1e-5, rtol: 1e-5 });
      tf.dispose([y, g.value, ...(g.grads as tf.Tensor[])]);
      expect(tf.memory().numTensors).toBe(before);
      // a trainable weight: the setting does not apply
      const yt = linear(x.t, trained, bias);
      setFrozenMatMulPrecision('float32');
      const yf = linear(x.t, trained, bias);
      expect(Array.from(await yt.data())).toEqual(Array.from(await yf.data()));
      tf.dispose([yt, yf, x.t, frozen, trained, bias, c]);
    });

    it('without a native product the setting has no effect (float32, tf.matMul exactly)', async () => {
      setNativeGemm(null);
      try {
        setFrozenMatMulPrecision('bf16');
        expect(bf16MatMul()).toBeNull();
        const a = tensor([9, 40], 31);
        const b = tensor([7, 40], 32);
        const y = frozenMatMul(a.t, b.t, false, true);
        const plain = tf.matMul(a.t, b.t, false, true);
        expect(Array.from(await y.data())).toEqual(Array.from(await plain.data()));
        tf.dispose([a.t, b.t, y, plain]);
      } finally {
        setNativeGemm(gemm);
      }
    });
  });

describe.runIf(why != null)('bf16 products with frozen weights', () => {
  it('are skipped: the addon is unavailable', async () => {
    console.warn(`[ops] bf16 product tests skipped: ${why}`);
    await useBackend('cpu');
    setFrozenMatMulPrecision('bf16');
    expect(bf16MatMul()).toBeNull();
  });
});
