import { describe, it, expect, afterAll } from 'vitest';
import { loadNativeGemm, nativeUnavailable } from './index';

const why = nativeUnavailable();

/** float32 → bfloat16 → float32, nearest even, written independently of the addon (subnormals → signed zero, as AVX-512 BF16). */
function roundBf16(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  const bits = new Uint32Array(out.buffer);
  const src = new Uint32Array(x.buffer, x.byteOffset, x.length);
  for (let i = 0; i < x.length; i++) {
    const u = src[i]!;
    if ((u & 0x7fffffff) > 0x7f800000) bits[i] = (u | 0x00400000) & 0xffff0000;
    else if ((u & 0x7f800000) === 0) bits[i] = u & 0x80000000;
    else bits[i] = ((u + 0x7fff + ((u >>> 16) & 1)) >>> 0) & 0xffff0000;
  }
  return out;
}

function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 3;
  }
  return out;
}

function reference(a: Float32Array, b: Float32Array, m: number, n: number, k: number, ta: boolean, tb: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ta ? p * m + i : i * k + p]! * b[tb ? j * k + p : p * n + j]!;
      out[i * n + j] = s;
    }
  return out;
}

const one = Uint32Array.of(0);

describe.runIf(why == null)('gemm with bf16 operands', () => {
  const g = why == null ? loadNativeGemm() : (null as never);
  const families = why == null ? (['best', 'avx2', 'generic'] as const).map((f) => g.setIsa(f)).filter((f, i, all) => all.indexOf(f) === i) : [];
  afterAll(() => {
    g.setIsa('best');
    g.setThreads(2);
  });

  it('says how it runs: AVX-512 BF16 dot products only with the avx512 family, emulated otherwise', () => {
    g.setIsa('best');
    expect(['avx512_bf16', 'emulated']).toContain(g.bf16());
    g.setIsa('generic');
    expect(g.bf16()).toBe('emulated');
    g.setIsa('best');
  });

  // across the 12×32 tile, the 192×256 block, odd depths and the 512-deep slices
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [7, 13, 33],
    [12, 32, 512],
    [13, 33, 513],
    [193, 257, 65],
    [5, 3, 1101],
  ];
  for (const threads of [1, 2])
    it(`equals the float64 product of the bf16-rounded operands, every transpose, size and family, ${threads} thread(s)`, () => {
      g.setThreads(threads);
      for (const family of families) {
        g.setIsa(family as 'avx512' | 'avx2' | 'generic');
        for (const [m, n, k] of shapes)
          for (const ta of [false, true])
            for (const tb of [false, true]) {
              const a = random(m * k, 3 * m + k);
              const b = random(k * n, 5 * n + k);
              const c = new Float32Array(m * n).fill(Number.NaN);
              g.gemm(a, b, c, one, one, one, m, n, k, ta, tb, 'bf16');
              const want = reference(roundBf16(a), roundBf16(b), m, n, k, ta, tb);
              const exact = reference(a, b, m, n, k, ta, tb);
              let worst = 0;
              let offFloat32 = 0;
              for (let i = 0; i < c.length; i++) {
                worst = Math.max(worst, Math.abs(c[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
                offFloat32 = Math.max(offFloat32, Math.abs(c[i]! - exact[i]!) / (1 + Math.abs(exact[i]!)));
              }
              const at = `${family} (${g.bf16()}) m=${m} n=${n} k=${k} ta=${ta} tb=${tb}`;
              expect(worst, at).toBeLessThan(2e-6 * Math.sqrt(k));
              // and it did round: bf16 keeps 8 significant bits
              if (k >= 33) expect(offFloat32, at).toBeGreaterThan(1e-4);
            }
      }
      g.setIsa('best');
    });

  it('rounds to nearest even; NaN, ±Infinity and overflow as float32 → bf16; subnormals to zero', () => {
    for (const family of families) {
      g.setIsa(family as 'avx512' | 'avx2' | 'generic');
      const x = Float32Array.of(1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, -(1 + 3 * 2 ** -8), 1e-40, Number.NaN, Infinity, -Infinity, 3.4e38, 2 ** -126);
      const c = new Float32Array(x.length);
      g.gemm(x, Float32Array.of(1), c, one, one, one, x.length, 1, 1, false, false, 'bf16');
      expect(Array.from(c), `${family}`).toEqual([1, 1.015625, 1.0078125, -1.015625, 0, Number.NaN, Infinity, -Infinity, Infinity, 2 ** -126]);
    }
    g.setIsa('best');
  });

  it('runs batches with their own and repeated (broadcast) offsets in one shared buffer, inputs untouched', () => {
    const [m, n, k, batch] = [9, 40, 37, 4];
    const heap = new Float32Array(batch * m * k + k * n + batch * m * n + 16);
    heap.set(random(batch * m * k + k * n, 9));
    const aOff = Uint32Array.from({ length: batch }, (_, i) => i * m * k);
    const bOff = new Uint32Array(batch).fill(batch * m * k);
    const cBase = batch * m * k + k * n + 16;
    const cOff = Uint32Array.from({ length: batch }, (_, i) => cBase + i * m * n);
    const before = heap.slice(0, cBase);
    g.gemm(heap, heap, heap, aOff, bOff, cOff, m, n, k, false, true, 'bf16');
    expect(heap.slice(0, cBase)).toEqual(before);
    for (let i = 0; i < batch; i++) {
      const a = roundBf16(heap.slice(aOff[i]!, aOff[i]! + m * k));
      const b = roundBf16(heap.slice(bOff[i]!, bOff[i]! + k * n));
      const want = reference(a, b, m, n, k, false, true);
      const got = heap.subarray(cOff[i]!, cOff[i]! + m * n);
      for (let j = 0; j < want.length; j++) expect(Math.abs(got[j]! - want[j]!)).toBeLessThan(1e-5);
    }
  });

  it('k = 0 writes zeros; float32 is the default and the explicit precision', () => {
    const c = new Float32Array(6).fill(Number.NaN);
    g.gemm(new Float32Array(0), new Float32Array(0), c, one, one, one, 2, 3, 0, false, false, 'bf16');
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    const a = random(40, 1);
    const [c1, c2] = [new Float32Array(16), new Float32Array(16)];
    g.gemm(a, a, c1, one, one, one, 4, 4, 10, false, true);
    g.gemm(a, a, c2, one, one, one, 4, 4, 10, false, true, 'float32');
    expect(c2).toEqual(c1);
  });

  it('rejects an unknown precision and out-of-bounds entries before touching memory', () => {
    const a = new Float32Array(4);
    const c = new Float32Array(4).fill(3);
    expect(() => g.gemm(a, a, c, one, one, one, 2, 2, 2, false, false, 'fp16' as never)).toThrow(/precision must be 'float32' or 'bf16'/);
    expect(() => g.gemm(a, a, c, one, one, one, 2, 2, 3, false, false, 'bf16')).toThrow(/outside its array/);
    expect(Array.from(c)).toEqual([3, 3, 3, 3]);
  });
});
