import { describe, it, expect, afterAll } from 'vitest';
import { loadNativeGemm, nativeUnavailable } from './index';

const why = nativeUnavailable();

/** torch.optim.AdamW's update in float64. */
function reference(p: number, g: number, m: number, v: number, h: { lr: number; b1: number; b2: number; eps: number; wd: number; t: number }): [number, number, number] {
  const m1 = h.b1 * m + (1 - h.b1) * g;
  const v1 = h.b2 * v + (1 - h.b2) * g * g;
  const p1 = p * (1 - h.lr * h.wd) - ((h.lr / (1 - h.b1 ** h.t)) * m1) / (Math.sqrt(v1) / Math.sqrt(1 - h.b2 ** h.t) + h.eps);
  return [p1, m1, v1];
}

describe.runIf(why == null)('AdamW step', () => {
  const g = why == null ? loadNativeGemm() : (null as never);
  const families = why == null ? (['best', 'avx2', 'generic'] as const).map((f) => g.setIsa(f)).filter((f, i, all) => all.indexOf(f) === i) : [];
  afterAll(() => {
    g.setIsa('best');
    g.setThreads(2);
  });
  const h = { lr: 3e-3, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.01, t: 7 };
  const args = [h.b1, h.b2, h.eps, 1 - h.lr * h.wd, h.lr / (1 - h.b1 ** h.t), 1 / Math.sqrt(1 - h.b2 ** h.t)] as const;
  // several per-task chunks (65536) and a tail no vector width divides
  const n = 200003;
  const rand = (seed: number, scale: number) => Float32Array.from({ length: n }, (_, i) => scale * Math.sin(seed * 12.9898 + i * 78.233) * 0.5);

  for (const threads of [1, 2])
    it(`matches float64 torch.optim.AdamW for every kernel family, ${threads} thread(s), in one heap at offsets`, () => {
      g.setThreads(threads);
      const [p, gr, m] = [rand(1, 2), rand(2, 1), rand(3, 0.1)];
      const v = rand(4, 0.01).map(Math.abs);
      let first: Float32Array | null = null;
      for (const family of families) {
        g.setIsa(family as 'avx512' | 'avx2' | 'generic');
        const heap = new Float32Array(7 * n + 16);
        const off = [1, n + 2, 2 * n + 3, 3 * n + 4, 4 * n + 5, 5 * n + 6, 6 * n + 7];
        [p, gr, m, v].forEach((a, i) => heap.set(a, off[i]));
        g.adamw(
          off.map(() => heap),
          off,
          n,
          ...args,
        );
        let worst = 0;
        for (let i = 0; i < n; i++) {
          const want = reference(p[i]!, gr[i]!, m[i]!, v[i]!, h);
          for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(heap[off[4 + k]! + i]! - want[k]!) / (1e-7 + 1e-6 * Math.abs(want[k]!)));
        }
        expect(worst, family).toBeLessThan(1); // |error| ≤ 1e-7 + 1e-6·|value|
        expect(heap[0]).toBe(0); // nothing written outside the outputs
        expect(heap[7 * n + 8]).toBe(0);
        // the families differ only in vector width: the same roundings, the same bits
        const out = heap.slice(off[4], off[4]! + n);
        if (first) expect(out).toEqual(first);
        first = out;
      }
    });

  it('names what is wrong: array count, short arrays, overlapping outputs, bad numbers', () => {
    const a = () => new Float32Array(8);
    const seven = () => Array.from({ length: 7 }, a);
    const zeros = [0, 0, 0, 0, 0, 0, 0];
    expect(() => g.adamw(seven().slice(0, 6), zeros, 8, ...args)).toThrow(/adamw: buffers and offsets must be arrays of 7/);
    expect(() => g.adamw(seven(), [0, 0, 0, 0, 0, 0, 3], 8, ...args)).toThrow(/adamw: vOut needs 8 elements from offset 3 but has 8/);
    const bufs = seven();
    bufs[4] = bufs[0]!; // pOut is p
    expect(() => g.adamw(bufs, zeros, 8, ...args)).toThrow(/adamw: pOut overlaps p/);
    expect(() => g.adamw(seven(), zeros, 8, 0.9, Number.NaN, 1e-8, 1, 1, 1)).toThrow(/adamw: beta2 must be a finite number/);
    expect(() => g.adamw([...seven().slice(0, 6), new Float64Array(8) as never], zeros, 8, ...args)).toThrow(/adamw: vOut must be a Float32Array/);
    expect(() => (g.adamw as (...x: unknown[]) => void)(seven(), zeros, 8)).toThrow(/expects 9 arguments/);
  });
});
