import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeGemm, nativeUnavailable } from '@tfjs-peft/native';
import { adamwUpdate } from './index';
import { setFusedKernels } from './kernels';
import { setNativeGemm, type NativeGemm } from './kernels/native-mat-mul';
import { randomArray, read, testBackends, useBackend } from './testing';

/** torch.optim.AdamW's update in float64. */
function reference(
  p: Float64Array,
  g: Float64Array,
  m: Float64Array,
  v: Float64Array,
  h: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; c1: number; c2: number },
) {
  const out = [new Float64Array(p.length), new Float64Array(p.length), new Float64Array(p.length)];
  for (let i = 0; i < p.length; i++) {
    const m1 = h.beta1 * m[i]! + (1 - h.beta1) * g[i]!;
    const v1 = h.beta2 * v[i]! + (1 - h.beta2) * g[i]! * g[i]!;
    out[1]![i] = m1;
    out[2]![i] = v1;
    out[0]![i] = p[i]! * (1 - h.lr * h.weightDecay) - ((h.lr / h.c1) * m1) / (Math.sqrt(v1) / Math.sqrt(h.c2) + h.eps);
  }
  return out;
}

describe.each(testBackends())('adamwUpdate on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('the fused kernel (cpu: JavaScript, wasm: SIMD, webgpu: WGSL) and the composite both match float64 torch.optim.AdamW; no leaks', async () => {
    for (const [n, step] of [
      [1, 1],
      [7, 3],
      [1030, 1000],
    ] as const) {
      const data = [91, 92, 93, 94].map((s, i) => Float64Array.from(randomArray(n, s), (x) => (i === 3 ? Math.abs(x) * 1e-2 : x)));
      const [p, g, m, v] = data.map((d) => tf.tensor1d(Array.from(d)));
      const h = { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, c1: 1 - 0.9 ** step, c2: 1 - 0.999 ** step };
      const want = reference(data[0]!, data[1]!, data[2]!, data[3]!, h);
      for (const fused of [true, false]) {
        setFusedKernels(fused);
        const before = tf.memory().numTensors;
        const profile = await tf.profile(() => tf.dispose(adamwUpdate(p!, g!, m!, v!, h)));
        expect(profile.kernelNames.includes('TfjsPeftAdamW')).toBe(fused);
        const got = adamwUpdate(p!, g!, m!, v!, h);
        for (let k = 0; k < 3; k++) {
          const vals = await read(got[k]!);
          for (let i = 0; i < n; i++)
            expect(Math.abs(vals[i]! - want[k]![i]!), `${fused ? 'fused' : 'composite'} output ${k}[${i}] of ${n}`).toBeLessThan(1e-6 + 1e-5 * Math.abs(want[k]![i]!));
        }
        tf.dispose(got);
        expect(tf.memory().numTensors).toBe(before);
      }
      setFusedKernels(true);
      tf.dispose([p!, g!, m!, v!]);
    }
  });
});

const nativeWhy = nativeUnavailable();
describe.runIf(nativeWhy == null).each(testBackends().filter((b) => b === 'wasm' || b === 'cpu'))('adamwUpdate on @tfjs-peft/native (%s)', (backend) => {
  let native: NativeGemm;
  beforeAll(async () => {
    await useBackend(backend);
    native = loadNativeGemm();
  });
  afterAll(() => setNativeGemm(native));

  it('threaded native step: float64 torch.optim.AdamW (as the fused kernel); on wasm the same bits as the SIMD kernel; no leaks', async () => {
    const n = 150001; // several of the native kernel's per-thread chunks, and a tail
    const data = [81, 82, 83, 84].map((s, i) => Float64Array.from(randomArray(n, s), (x) => (i === 3 ? Math.abs(x) * 1e-2 : x)));
    const [p, g, m, v] = data.map((d) => tf.tensor1d(Float32Array.from(d)));
    const h = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, c1: 1 - 0.9 ** 5, c2: 1 - 0.999 ** 5 };
    const want = reference(...(data.map((d) => Float64Array.from(Float32Array.from(d))) as [Float64Array, Float64Array, Float64Array, Float64Array]), h);
    const run = async (on: boolean) => {
      setNativeGemm(on ? native : null);
      const before = tf.memory().numTensors;
      const out = adamwUpdate(p!, g!, m!, v!, h);
      const vals = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
      tf.dispose(out);
      expect(tf.memory().numTensors).toBe(before);
      return vals;
    };
    const withNative = await run(true);
    const without = await run(false);
    for (let k = 0; k < 3; k++) {
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(withNative[k]![i]! - want[k]![i]!) / (1e-6 + 1e-5 * Math.abs(want[k]![i]!)));
      expect(worst, `output ${k}`).toBeLessThan(1);
      if (backend === 'wasm') expect(withNative[k]!, `output ${k}: native vs SIMD module`).toEqual(without[k]!);
    }
    tf.dispose([p!, g!, m!, v!]);
  });
});
