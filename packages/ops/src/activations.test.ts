import { describe, it, expect, beforeAll } from 'vitest';
import { gelu, relu, silu, activation } from './index';
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
  it('maps HF hidden_act names and rejects unknown ones', () => {
    expect(typeof activation('gelu')).toBe('function');
    expect(typeof activation('gelu_new')).toBe('function');
    expect(() => activation('quick_gelu')).toThrow(/unknown hidden_act "quick_gelu"/);
  });
});
