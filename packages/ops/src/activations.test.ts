import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { gelu, relu, silu, activation } from './index';
import { setFusedKernels, nativeGemm, setNativeGemm } from './kernels';
import { checkOp, randomArray, ref, testBackends, useBackend, tolerance } from './testing';

describe.each(testBackends())('activations on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const n = 64;
  const x = () => randomArray(n, 11, 4);
  const tol = tolerance(backend, { atol: 2e-6, rtol: 1e-5 });

  it('gelu (exact erf form) matches float64 and its gradient', async () => {
    await checkOp({ label: 'gelu', inputs: [{ shape: [8, 8], data: x() }], tfFn: (a) => gelu(a), refFn: (a) => ref.gelu(a), tol });
  });
  it('gelu (tanh form) matches float64 and its gradient', async () => {
    await checkOp({ label: 'gelu tanh', inputs: [{ shape: [n], data: x() }], tfFn: (a) => gelu(a, 'tanh'), refFn: (a) => ref.gelu(a, 'tanh'), tol });
  });
  it('the two gelu forms differ measurably (so a swapped variant is caught)', () => {
    const a = Float64Array.of(1.5);
    expect(Math.abs(ref.gelu(a)[0]! - ref.gelu(a, 'tanh')[0]!)).toBeGreaterThan(1e-4);
  });
  it('silu and relu', async () => {
    await checkOp({ label: 'silu', inputs: [{ shape: [n], data: x() }], tfFn: (a) => silu(a), refFn: (a) => ref.silu(a), tol });
    // keep relu inputs away from the kink for finite differences
    const xr = x().map((v) => (Math.abs(v) < 0.05 ? v + 0.1 : v));
    await checkOp({ label: 'relu', inputs: [{ shape: [n], data: xr }], tfFn: (a) => relu(a), refFn: (a) => ref.relu(a), tol });
  });
  it('the fused GELU kernel (cpu: JavaScript, wasm: SIMD, webgpu: WGSL) runs and agrees with the composite op, forward and backward', async () => {
    const close = backend === 'webgpu' ? 2e-5 : 2e-6; // SwiftShader's exp and tanh are fast-math
    const xs = tf.tensor(Array.from(randomArray(3000, 12, 6)), [30, 100]);
    const dy = tf.tensor(Array.from(randomArray(3000, 13)), [30, 100]);
    for (const approximate of ['none', 'tanh'] as const) {
      const run = async () => {
        const before = tf.memory().numTensors;
        const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => tf.sum(tf.mul(gelu(t, approximate), dy)))([xs]);
        const y = gelu(xs, approximate);
        const out = [Array.from(await y.data()), Array.from(await grads[0]!.data())];
        tf.dispose([value, y, ...grads]);
        expect(tf.memory().numTensors).toBe(before);
        return out;
      };
      const profile = await tf.profile(() => gelu(xs, approximate));
      expect(profile.kernelNames.includes('TfjsPeftGelu')).toBe(true); // every test backend has one
      const [fy, fg] = await run();
      setFusedKernels(false);
      const [cy, cg] = await run();
      setFusedKernels(true);
      const paths = [[fy, fg]];
      // with @tfjs-peft/native in use, the exact form runs there: the backend's own route is checked too
      const native = nativeGemm();
      if (native && approximate === 'none') {
        setNativeGemm(null);
        paths.push(await run());
        setNativeGemm(native);
      }
      for (const [py, pg] of paths)
        for (let i = 0; i < py!.length; i++) {
          expect(Math.abs(py![i]! - cy![i]!)).toBeLessThan(close + close * Math.abs(cy![i]!));
          expect(Math.abs(pg![i]! - cg![i]!)).toBeLessThan(close + close * Math.abs(cg![i]!));
        }
    }
    tf.dispose([xs, dy]);
  });
  it('maps HF hidden_act names and rejects unknown ones', () => {
    expect(typeof activation('gelu')).toBe('function');
    expect(typeof activation('gelu_new')).toBe('function');
    expect(() => activation('quick_gelu')).toThrow(/unknown hidden_act "quick_gelu"/);
  });
});
