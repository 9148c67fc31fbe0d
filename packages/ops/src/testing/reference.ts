/**
 * Float64 reference implementations, written plainly on flat row-major arrays. Tests compare
 * the tfjs ops against them and take finite differences through them.
 */
export type F64 = Float64Array;

export function erf(x: number): number {
  // W. J. Cody's rational approximations are overkill; a 30-term Taylor/continued-fraction
  // split is exact to ~1e-15 over the range tests use.
  const ax = Math.abs(x);
  if (ax < 3) {
    let sum = x;
    let term = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // continued fraction for erfc
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

export function gelu(x: F64, approximate: 'none' | 'tanh' = 'none'): F64 {
  return x.map((v) => (approximate === 'tanh' ? 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))) : 0.5 * v * (1 + erf(v / Math.SQRT2))));
}

export function silu(x: F64): F64 {
  return x.map((v) => v / (1 + Math.exp(-v)));
}

export function relu(x: F64): F64 {
  return x.map((v) => (v > 0 ? v : 0));
}

/** y[r, :] = x[r, :] · Wᵀ + b with W `[out, in]`. */
export function linear(x: F64, w: F64, b: F64 | null, rows: number, inF: number, outF: number): F64 {
  const y = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outF; o++) {
      let s = b ? b[o]! : 0;
      for (let i = 0; i < inF; i++) s += x[r * inF + i]! * w[o * inF + i]!;
      y[r * outF + o] = s;
    }
  return y;
}

/** C = op(A)·op(B) for one matrix. */
export function matMul(a: F64, b: F64, m: number, k: number, n: number, ta = false, tb = false): F64 {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i]! : a[i * k + p]!) * (tb ? b[j * k + p]! : b[p * n + j]!);
      c[i * n + j] = s;
    }
  return c;
}

/**
 * op(A)·op(B) over batches, with numpy broadcasting of the batch dimensions (right-aligned, a 1
 * repeats): an independent reference for batched matmul kernels. Returns the flat result.
 */
export function batchMatMul(a: F64, aShape: number[], b: F64, bShape: number[], ta = false, tb = false): F64 {
  const [m, k] = ta ? [aShape.at(-1)!, aShape.at(-2)!] : [aShape.at(-2)!, aShape.at(-1)!];
  const n = tb ? bShape.at(-2)! : bShape.at(-1)!;
  const oa = aShape.slice(0, -2);
  const ob = bShape.slice(0, -2);
  const rank = Math.max(oa.length, ob.length);
  const outer = Array.from({ length: rank }, (_, d) => Math.max(oa[d - rank + oa.length] ?? 1, ob[d - rank + ob.length] ?? 1));
  const flat = (os: number[], o: number[]) => {
    let f = 0;
    for (let d = 0; d < os.length; d++) f = f * os[d]! + (os[d] === 1 ? 0 : o[o.length - os.length + d]!);
    return f;
  };
  const total = outer.reduce((x, y) => x * y, 1);
  const out = new Float64Array(total * m * n);
  for (let i = 0; i < total; i++) {
    const o: number[] = [];
    let r = i;
    for (let d = rank - 1; d >= 0; d--) {
      o.unshift(r % outer[d]!);
      r = Math.floor(r / outer[d]!);
    }
    const ia = flat(oa, o);
    const ib = flat(ob, o);
    out.set(matMul(a.subarray(ia * m * k, (ia + 1) * m * k), b.subarray(ib * k * n, (ib + 1) * k * n), m, k, n, ta, tb), i * m * n);
  }
  return out;
}

export function layerNorm(x: F64, g: F64, b: F64, d: number, eps: number): F64 {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let mean = 0;
    for (let i = 0; i < d; i++) mean += x[r * d + i]!;
    mean /= d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (x[r * d + i]! - mean) ** 2;
    v /= d;
    const rstd = 1 / Math.sqrt(v + eps);
    for (let i = 0; i < d; i++) y[r * d + i] = (x[r * d + i]! - mean) * rstd * g[i]! + b[i]!;
  }
  return y;
}

export function softmax(x: F64, d: number): F64 {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let m = -Infinity;
    for (let i = 0; i < d; i++) m = Math.max(m, x[r * d + i]!);
    let s = 0;
    for (let i = 0; i < d; i++) s += Math.exp(x[r * d + i]! - m);
    for (let i = 0; i < d; i++) y[r * d + i] = Math.exp(x[r * d + i]! - m) / s;
  }
  return y;
}

export function logSoftmax(x: F64, d: number): F64 {
  return softmax(x, d).map(Math.log);
}

/**
 * Attention on `[B,H,T,D]` flat arrays. `keep(bi, i, j)` says whether query i of batch bi may
 * see (non-prefix) key j; prefixes `[B,H,P,D]` are always visible.
 */
export function attention(
  q: F64,
  k: F64,
  v: F64,
  dims: { b: number; h: number; tq: number; tk: number; d: number; dv: number; p?: number },
  opts: { keep?: (bi: number, i: number, j: number) => boolean; pk?: F64; pv?: F64; scale?: number } = {},
): F64 {
  const { b, h, tq, tk, d, dv } = dims;
  const p = dims.p ?? 0;
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  const out = new Float64Array(b * h * tq * dv);
  for (let bi = 0; bi < b; bi++)
    for (let hi = 0; hi < h; hi++) {
      const bh = bi * h + hi;
      for (let i = 0; i < tq; i++) {
        const s = new Float64Array(p + tk);
        for (let j = 0; j < p + tk; j++) {
          let dot = 0;
          for (let x = 0; x < d; x++) {
            const kv = j < p ? opts.pk![(bh * p + j) * d + x]! : k[(bh * tk + (j - p)) * d + x]!;
            dot += q[(bh * tq + i) * d + x]! * kv;
          }
          const visible = j < p || !opts.keep || opts.keep(bi, i, j - p);
          s[j] = dot * scale + (visible ? 0 : -1e9);
        }
        const pr = softmax(s, p + tk);
        for (let x = 0; x < dv; x++) {
          let acc = 0;
          for (let j = 0; j < p + tk; j++) {
            const vv = j < p ? opts.pv![(bh * p + j) * dv + x]! : v[(bh * tk + (j - p)) * dv + x]!;
            acc += pr[j]! * vv;
          }
          out[(bh * tq + i) * dv + x] = acc;
        }
      }
    }
  return out;
}

/** Per-item cross-entropy with PyTorch's ignore_index and label_smoothing; returns [loss, count]. */
export function crossEntropy(logits: F64, labels: ArrayLike<number>, c: number, opts: { ignoreIndex?: number; labelSmoothing?: number; reduction?: 'mean' | 'sum' } = {}): number {
  const ign = opts.ignoreIndex ?? -100;
  const eps = opts.labelSmoothing ?? 0;
  const lp = logSoftmax(logits, c);
  let total = 0;
  let count = 0;
  for (let r = 0; r < labels.length; r++) {
    const y = labels[r]!;
    if (y === ign) continue;
    let mean = 0;
    for (let i = 0; i < c; i++) mean += -lp[r * c + i]!;
    mean /= c;
    total += (1 - eps) * -lp[r * c + y]! + eps * mean;
    count++;
  }
  return opts.reduction === 'sum' ? total : total / Math.max(count, 1);
}

/**
 * Each value rounded to float32, then to bfloat16 (nearest even, 8 significant bits), as float64:
 * the operands of a bf16 matrix product. NaN stays NaN; subnormal float32 values become a signed
 * zero (as AVX-512 BF16's conversion reads them).
 */
export function roundBf16(x: ArrayLike<number>): F64 {
  const f = Float32Array.from(x);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < u.length; i++) {
    const v = u[i]!;
    if ((v & 0x7fffffff) > 0x7f800000) u[i] = (v | 0x00400000) & 0xffff0000;
    else if ((v & 0x7f800000) === 0) u[i] = v & 0x80000000;
    else u[i] = ((v + 0x7fff + ((v >>> 16) & 1)) >>> 0) & 0xffff0000;
  }
  return Float64Array.from(f);
}
