import { describe, it, expect, afterAll } from 'vitest';
import { loadNativeGemm, nativeUnavailable, NativeUnavailableError, addonPath } from './index';

const why = nativeUnavailable();
// CI builds the addon and sets TFJS_PEFT_REQUIRE_NATIVE=1: there a missing addon is a failure, not a skip
const required = process.env.TFJS_PEFT_REQUIRE_NATIVE === '1';
if (why) console.warn(`[@tfjs-peft/native] tests skipped: ${why}`);

describe('the addon', () => {
  it.runIf(required)('is built (TFJS_PEFT_REQUIRE_NATIVE=1)', () => {
    expect(why).toBeNull();
  });
  it.runIf(why != null && !required)('says why it is unavailable', () => {
    expect(() => loadNativeGemm()).toThrow(NativeUnavailableError);
    expect(why).toContain(addonPath().split(/[\\/]/).pop()!);
  });
});

/** float64 reference of op(A)·op(B) for one batch entry. */
function reference(a: Float32Array, b: Float32Array, ao: number, bo: number, m: number, n: number, k: number, ta: boolean, tb: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ao + (ta ? p * m + i : i * k + p)]! * b[bo + (tb ? j * k + p : p * n + j)]!;
      out[i * n + j] = s;
    }
  return out;
}

function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

describe.runIf(why == null)('gemm', () => {
  const g = why == null ? loadNativeGemm() : (null as never);
  const best = why == null ? g.isa() : '';
  const families = why == null ? (['best', 'avx2', 'generic'] as const).map((f) => g.setIsa(f)).filter((f, i, all) => all.indexOf(f) === i) : [];
  afterAll(() => {
    g.setIsa('best');
    g.setThreads(2);
  });

  it('reports its micro-kernel family and thread count', () => {
    expect(['avx512', 'avx2', 'generic']).toContain(best);
    g.setThreads(3);
    expect(g.threads()).toBe(3);
    g.setThreads(1);
    expect(g.threads()).toBe(1);
    expect(() => g.setThreads(0)).toThrow(/1 to 256/);
  });

  // sizes below, at and across the tile (6/12 × 16/32), block (192 × 256) and depth (256) sizes
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [7, 13, 33],
    [12, 32, 256],
    [13, 33, 257],
    [100, 50, 300],
    [193, 257, 65],
    [5, 3, 600],
    [256, 256, 300], // few tasks: rows split evenly between the threads (132 + 124 on two, 90 + 90 + 76 on three)
  ];
  // three threads: a count of row blocks the pool divides, not a power of two
  for (const threads of [1, 2, 3])
    it(`matches float64 for every transpose combination and size, every kernel family, ${threads} thread(s)`, () => {
      g.setThreads(threads);
      for (const family of families) {
        expect(g.setIsa(family as 'avx512' | 'avx2' | 'generic')).toBe(family);
        for (const [m, n, k] of shapes)
          for (const ta of [false, true])
            for (const tb of [false, true]) {
              const a = random(m * k, m + 7 * k);
              const b = random(k * n, n + 11 * k);
              const c = new Float32Array(m * n).fill(Number.NaN);
              g.gemm(a, b, c, Uint32Array.of(0), Uint32Array.of(0), Uint32Array.of(0), m, n, k, ta, tb);
              const want = reference(a, b, 0, 0, m, n, k, ta, tb);
              let worst = 0;
              for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(c[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
              expect(worst, `${family} m=${m} n=${n} k=${k} ta=${ta} tb=${tb}`).toBeLessThan(2e-6 * Math.sqrt(k));
            }
      }
      g.setIsa('best');
    });

  // operands past 2^17 elements whose blocks several tasks use are packed once, before the products:
  // both operands, B only (one column block), A only (one row block); the depth ends mid-slice
  it('matches float64 where operand blocks are packed once and shared by the tasks', () => {
    g.setThreads(2);
    for (const family of families) {
      g.setIsa(family as 'avx512' | 'avx2' | 'generic');
      for (const [m, n, k] of [
        [200, 280, 660],
        [193, 256, 520],
        [192, 257, 690],
      ] as const)
        for (const ta of [false, true])
          for (const tb of [false, true]) {
            const a = random(m * k, 3 + m);
            const b = random(k * n, 5 + n);
            const c = new Float32Array(m * n).fill(Number.NaN);
            g.gemm(a, b, c, Uint32Array.of(0), Uint32Array.of(0), Uint32Array.of(0), m, n, k, ta, tb);
            const want = reference(a, b, 0, 0, m, n, k, ta, tb);
            let worst = 0;
            for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(c[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
            expect(worst, `${family} m=${m} n=${n} k=${k} ta=${ta} tb=${tb}`).toBeLessThan(2e-6 * Math.sqrt(k));
          }
    }
    g.setIsa('best');
  });

  it.each([
    [9, 20, 17, 5],
    [300, 270, 500, 1], // one entry of several blocks, both operands past 2^17 elements: packed once, shared by the tasks
  ])('runs batches with their own offsets, repeated (broadcast) operands and one shared buffer (m=%i n=%i k=%i batch=%i)', (m, n, k, batch) => {
    // one buffer as on the wasm heap: A entries, then one B entry used by all, then C, with gaps
    const heap = new Float32Array(new SharedArrayBuffer(4 * (batch * m * k + k * n + batch * m * n + 64)));
    heap.set(random(batch * m * k + k * n, 5));
    const aOff = Uint32Array.from({ length: batch }, (_, i) => i * m * k);
    const bOff = new Uint32Array(batch).fill(batch * m * k);
    const cBase = batch * m * k + k * n + 32;
    const cOff = Uint32Array.from({ length: batch }, (_, i) => cBase + i * m * n);
    const before = heap.slice(0, cBase);
    g.gemm(heap, heap, heap, aOff, bOff, cOff, m, n, k, false, true);
    expect(heap.slice(0, cBase)).toEqual(before); // inputs untouched
    expect(Array.from(heap.subarray(cBase - 32, cBase))).toEqual(Array.from(before.subarray(cBase - 32)));
    for (let i = 0; i < batch; i++) {
      const want = reference(heap, heap, aOff[i]!, bOff[i]!, m, n, k, false, true);
      const got = heap.subarray(cOff[i]!, cOff[i]! + m * n);
      let worst = 0;
      for (let j = 0; j < want.length; j++) worst = Math.max(worst, Math.abs(got[j]! - want[j]!) / (1 + Math.abs(want[j]!)));
      expect(worst, `batch entry ${i}`).toBeLessThan(2e-6 * Math.sqrt(k));
    }
  });

  it('k = 0 writes zeros; an empty batch or m·n = 0 writes nothing', () => {
    const c = new Float32Array(6).fill(Number.NaN);
    g.gemm(new Float32Array(0), new Float32Array(0), c, Uint32Array.of(0), Uint32Array.of(0), Uint32Array.of(0), 2, 3, 0, false, false);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    const d = new Float32Array(2).fill(7);
    g.gemm(d, d, d, new Uint32Array(0), new Uint32Array(0), new Uint32Array(0), 1, 1, 1, false, false);
    g.gemm(d, d, d, Uint32Array.of(0), Uint32Array.of(0), Uint32Array.of(0), 0, 2, 1, false, false);
    expect(Array.from(d)).toEqual([7, 7]);
  });

  it('rejects bad input with a message naming the argument, before touching memory', () => {
    const a = new Float32Array(4);
    const c = new Float32Array(4).fill(3);
    const z = Uint32Array.of(0);
    expect(() => g.gemm(a, a, c, z, Uint32Array.of(1), z, 2, 2, 2, false, false)).toThrow(/batch entry 0 lies outside its array \(offsets a=0 b=1 c=0 for m=2 n=2 k=2\)/);
    expect(() => g.gemm(a, a, c, z, z, z, 2, 2, 3, false, false)).toThrow(/outside its array/);
    expect(() => g.gemm(new Float64Array(4) as never, a, c, z, z, z, 2, 2, 2, false, false)).toThrow(/a must be a Float32Array/);
    expect(() => g.gemm(a, a, c, new Int32Array(1) as never, z, z, 2, 2, 2, false, false)).toThrow(/aOffsets must be a Uint32Array/);
    expect(() => g.gemm(a, a, c, z, z, Uint32Array.of(0, 0), 2, 2, 2, false, false)).toThrow(/one entry per batch entry/);
    expect(() => g.gemm(a, a, c, z, z, z, -1, 2, 2, false, false)).toThrow(/m must be a non-negative integer/);
    expect(() => g.gemm(a, a, c, z, z, z, 2, 2, 2, 0 as never, false)).toThrow(/transA must be a boolean/);
    expect(() => (g.gemm as (...x: unknown[]) => void)(a, a, c)).toThrow(/expects 11 or 12 arguments/);
    expect(Array.from(c)).toEqual([3, 3, 3, 3]);
  });
});
