import { describe, it, expect, afterAll } from 'vitest';
import { loadNativeGemm, nativeUnavailable } from './index';

const why = nativeUnavailable();

/** erf in float64 from its Maclaurin series (for |x| ≤ 4.5 the terms stay below 1e9: error < 1e-7). */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  let sum = 0;
  let term = ax;
  for (let k = 0; k < 200; k++) {
    sum += term / (2 * k + 1);
    term *= (-ax * ax) / (k + 1);
    if (Math.abs(term) < 1e-17) break;
  }
  const r = (2 / Math.sqrt(Math.PI)) * sum;
  return x < 0 ? -r : r;
}
const gelu = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));
const geluGrad = (v: number) => 0.5 * (1 + erf(v / Math.SQRT2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI);

describe.runIf(why == null)('GELU (exact form)', () => {
  const g = why == null ? loadNativeGemm() : (null as never);
  const families = why == null ? (['best', 'avx2', 'generic'] as const).map((f) => g.setIsa(f)).filter((f, i, all) => all.indexOf(f) === i) : [];
  afterAll(() => {
    g.setIsa('best');
    g.setThreads(2);
  });

  // within ±4.5, where the series reference keeps its digits (the approximation saturates at ±4)
  const n = 70001; // not a multiple of any vector width or of the per-task chunk
  const x = Float32Array.from({ length: n }, (_, i) => -4.5 + (9 * i) / (n - 1));
  const dy = Float32Array.from({ length: n }, (_, i) => 1 + (i % 7) / 7);

  for (const threads of [1, 2])
    it(`matches float64 forward and backward within 1e-6 for every kernel family, ${threads} thread(s), at offsets`, () => {
      g.setThreads(threads);
      for (const family of families) {
        g.setIsa(family as 'avx512' | 'avx2' | 'generic');
        // one buffer with the operands at offsets, as on the wasm heap
        const heap = new Float32Array(4 * n + 8);
        heap.set(x, 3);
        heap.set(dy, n + 5);
        g.geluForward(heap, 3, heap, 2 * n + 6, n);
        g.geluBackward(heap, n + 5, heap, 3, heap, 3 * n + 7, n);
        let ef = 0;
        let eb = 0;
        for (let i = 0; i < n; i++) {
          ef = Math.max(ef, Math.abs(heap[2 * n + 6 + i]! - gelu(x[i]!)));
          eb = Math.max(eb, Math.abs(heap[3 * n + 7 + i]! - dy[i]! * geluGrad(x[i]!)));
        }
        expect(ef, `${family} forward`).toBeLessThan(1e-6 * 6);
        expect(eb, `${family} backward`).toBeLessThan(1e-6 * 2);
        expect(heap[2 * n + 5]).toBe(0); // nothing written before the output
      }
    });

  it('rejects arrays too short for n from their offset, naming the argument', () => {
    const a = new Float32Array(10);
    expect(() => g.geluForward(a, 5, a, 0, 6)).toThrow(/geluForward: x needs 6 elements from offset 5 but has 10/);
    expect(() => g.geluBackward(a, 0, a, 0, a, 8, 3)).toThrow(/geluBackward: dx needs 3 elements from offset 8/);
    expect(() => g.geluForward(a, -1, a, 0, 1)).toThrow(/x offset must be a non-negative integer/);
    expect(() => g.geluForward(new Float64Array(4) as never, 0, a, 0, 1)).toThrow(/x must be a Float32Array/);
    expect(() => (g.geluForward as (...x: unknown[]) => void)(a, 0, a)).toThrow(/expects 5 arguments/);
  });
});
