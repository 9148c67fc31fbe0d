// SIMD kernels for the wasm backend, compiled by AssemblyScript (`pnpm --filter @tfjs-peft/ops build:wasm`)
// into a module that imports tfjs-backend-wasm's own memory, so they read and write tensors in place on
// its heap. Every pointer is a byte offset into that heap; n is an element count. Each loop runs on
// f32x4 lanes with a scalar tail. float32 arithmetic throughout, as the composite ops they replace.

// AdamW as torch.optim.AdamW: p' = p·decay − step·m'/(√v'·invSqrtC2 + eps)
export function adamw(p: usize, g: usize, m: usize, v: usize, po: usize, mo: usize, vo: usize, n: i32, b1: f32, b2: f32, eps: f32, decay: f32, step: f32, invSqrtC2: f32): void {
  const a1: f32 = 1 - b1;
  const a2: f32 = 1 - b2;
  const vb1 = f32x4.splat(b1);
  const vb2 = f32x4.splat(b2);
  const va1 = f32x4.splat(a1);
  const va2 = f32x4.splat(a2);
  const veps = f32x4.splat(eps);
  const vdecay = f32x4.splat(decay);
  const vstep = f32x4.splat(step);
  const vinv = f32x4.splat(invSqrtC2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o: usize = <usize>i << 2;
    const gr = v128.load(g + o);
    const m1 = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(va1, gr));
    const v1 = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(va2, f32x4.mul(gr, gr)));
    v128.store(mo + o, m1);
    v128.store(vo + o, v1);
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(v1), vinv), veps);
    v128.store(po + o, f32x4.sub(f32x4.mul(v128.load(p + o), vdecay), f32x4.div(f32x4.mul(vstep, m1), denom)));
  }
  for (; i < n; i++) {
    const o: usize = <usize>i << 2;
    const gr = load<f32>(g + o);
    const m1 = b1 * load<f32>(m + o) + a1 * gr;
    const v1 = b2 * load<f32>(v + o) + a2 * gr * gr;
    store<f32>(mo + o, m1);
    store<f32>(vo + o, v1);
    store<f32>(po + o, load<f32>(p + o) * decay - (step * m1) / (Mathf.sqrt(v1) * invSqrtC2 + eps));
  }
}

// erf(x) on f32x4: Eigen's rational approximation on [-4, 4] (|error| < 1e-7; ±1 beyond)
// @ts-ignore: decorator
@inline function erf4(a: v128): v128 {
  const x = f32x4.max(f32x4.min(a, f32x4.splat(4)), f32x4.splat(-4));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-2.72614225801306e-10);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(2.77068142495902e-8));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-2.10102402082508e-6));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-5.69250639462346e-5));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-7.34990630326855e-4));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-2.95459980854025e-3));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-1.60960333262415e-2));
  p = f32x4.mul(p, x);
  let q = f32x4.splat(-1.45660718464996e-5);
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-2.13374055278905e-4));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-1.68282697438203e-3));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-7.37332916720468e-3));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-1.42647390514189e-2));
  return f32x4.div(p, q);
}

// exp(x) on f32x4 (Cephes expf: x = k·ln2 + r, degree-5 polynomial in r, 2^k from the exponent bits)
// @ts-ignore: decorator
@inline function exp4(a: v128): v128 {
  const x0 = f32x4.max(f32x4.min(a, f32x4.splat(88.3762626647949)), f32x4.splat(-87.3365447504019));
  const k = f32x4.floor(f32x4.add(f32x4.mul(x0, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  let x = f32x4.sub(x0, f32x4.mul(k, f32x4.splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(k, f32x4.splat(-2.12194440e-4)));
  const z = f32x4.mul(x, x);
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), x), f32x4.splat(1));
  const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(k), i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2);
}

// @ts-ignore: decorator
@inline function erfScalar(x: f32): f32 {
  return f32x4.extract_lane(erf4(f32x4.splat(x)), 0);
}

// @ts-ignore: decorator
@inline function expScalar(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

const SQRT1_2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

// GELU, exact erf form: y = x·½(1 + erf(x/√2))
export function geluForward(x: usize, y: usize, n: i32): void {
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  const s = f32x4.splat(SQRT1_2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o: usize = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(y + o, f32x4.mul(f32x4.mul(half, v), f32x4.add(one, erf4(f32x4.mul(v, s)))));
  }
  for (; i < n; i++) {
    const o: usize = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, 0.5 * v * (1 + erfScalar(v * SQRT1_2)));
  }
}

// its gradient: dx = dy·(½(1 + erf(x/√2)) + x·φ(x)), φ(x) = exp(−x²/2)/√(2π)
export function geluBackward(dy: usize, x: usize, dx: usize, n: i32): void {
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  const s = f32x4.splat(SQRT1_2);
  const c = f32x4.splat(INV_SQRT_2PI);
  const mhalf = f32x4.splat(-0.5);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o: usize = <usize>i << 2;
    const v = v128.load(x + o);
    const cdf = f32x4.mul(half, f32x4.add(one, erf4(f32x4.mul(v, s))));
    const pdf = f32x4.mul(c, exp4(f32x4.mul(mhalf, f32x4.mul(v, v))));
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), f32x4.add(cdf, f32x4.mul(v, pdf))));
  }
  for (; i < n; i++) {
    const o: usize = <usize>i << 2;
    const v = load<f32>(x + o);
    const cdf: f32 = 0.5 * (1 + erfScalar(v * SQRT1_2));
    store<f32>(dx + o, load<f32>(dy + o) * (cdf + v * INV_SQRT_2PI * expScalar(-0.5 * v * v)));
  }
}

const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const GELU_C: f32 = 0.044715;

// tanh(u) = 1 − 2/(exp(2u) + 1), saturating correctly at both ends
// @ts-ignore: decorator
@inline function tanh4(u: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(exp4(f32x4.add(u, u)), one)));
}

// GELU, tanh form: y = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
export function geluTanhForward(x: usize, y: usize, n: i32): void {
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  const k = f32x4.splat(SQRT_2_OVER_PI);
  const c = f32x4.splat(GELU_C);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o: usize = <usize>i << 2;
    const v = v128.load(x + o);
    const u = f32x4.mul(k, f32x4.add(v, f32x4.mul(c, f32x4.mul(v, f32x4.mul(v, v)))));
    v128.store(y + o, f32x4.mul(f32x4.mul(half, v), f32x4.add(one, tanh4(u))));
  }
  for (; i < n; i++) {
    const o: usize = <usize>i << 2;
    const v = load<f32>(x + o);
    const t = f32x4.extract_lane(tanh4(f32x4.splat(SQRT_2_OVER_PI * (v + GELU_C * v * v * v))), 0);
    store<f32>(y + o, 0.5 * v * (1 + t));
  }
}

// its gradient: ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²)
export function geluTanhBackward(dy: usize, x: usize, dx: usize, n: i32): void {
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  const k = f32x4.splat(SQRT_2_OVER_PI);
  const c = f32x4.splat(GELU_C);
  const c3 = f32x4.splat(3 * GELU_C);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o: usize = <usize>i << 2;
    const v = v128.load(x + o);
    const v2 = f32x4.mul(v, v);
    const t = tanh4(f32x4.mul(k, f32x4.add(v, f32x4.mul(c, f32x4.mul(v, v2)))));
    const du = f32x4.mul(k, f32x4.add(one, f32x4.mul(c3, v2)));
    const d = f32x4.add(f32x4.mul(half, f32x4.add(one, t)), f32x4.mul(f32x4.mul(half, v), f32x4.mul(f32x4.sub(one, f32x4.mul(t, t)), du)));
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), d));
  }
  for (; i < n; i++) {
    const o: usize = <usize>i << 2;
    const v = load<f32>(x + o);
    const t = f32x4.extract_lane(tanh4(f32x4.splat(SQRT_2_OVER_PI * (v + GELU_C * v * v * v))), 0);
    const du = SQRT_2_OVER_PI * (1 + 3 * GELU_C * v * v);
    store<f32>(dx + o, load<f32>(dy + o) * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du));
  }
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// LayerNorm over rows of d elements: x̂ = (x − mean)·rstd with rstd = 1/√(var + eps) (biased
// variance, two passes as the composite), y = x̂·γ + β. Writes y, x̂ and rstd (one per row).
export function layerNormForward(x: usize, g: usize, b: usize, y: usize, xhat: usize, rstd: usize, rows: i32, d: i32, eps: f32): void {
  const inv: f32 = 1 / <f32>d;
  const d4 = d & ~3;
  for (let r = 0; r < rows; r++) {
    const row: usize = <usize>r * <usize>d << 2;
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j < d4; j += 4) acc = f32x4.add(acc, v128.load(x + row + (<usize>j << 2)));
    let s = hsum(acc);
    for (; j < d; j++) s += load<f32>(x + row + (<usize>j << 2));
    const mean = s * inv;
    const vmean = f32x4.splat(mean);
    acc = f32x4.splat(0);
    for (j = 0; j < d4; j += 4) {
      const c = f32x4.sub(v128.load(x + row + (<usize>j << 2)), vmean);
      acc = f32x4.add(acc, f32x4.mul(c, c));
    }
    let q = hsum(acc);
    for (; j < d; j++) {
      const c = load<f32>(x + row + (<usize>j << 2)) - mean;
      q += c * c;
    }
    const rs: f32 = 1 / Mathf.sqrt(q * inv + eps);
    store<f32>(rstd + (<usize>r << 2), rs);
    const vrs = f32x4.splat(rs);
    for (j = 0; j < d4; j += 4) {
      const o: usize = <usize>j << 2;
      const h = f32x4.mul(f32x4.sub(v128.load(x + row + o), vmean), vrs);
      v128.store(xhat + row + o, h);
      v128.store(y + row + o, f32x4.add(f32x4.mul(h, v128.load(g + o)), v128.load(b + o)));
    }
    for (; j < d; j++) {
      const o: usize = <usize>j << 2;
      const h = (load<f32>(x + row + o) - mean) * rs;
      store<f32>(xhat + row + o, h);
      store<f32>(y + row + o, h * load<f32>(g + o) + load<f32>(b + o));
    }
  }
}

// LayerNorm backward from x̂ and rstd: dx̂ = dy·γ, dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)),
// dγ = Σ_rows dy·x̂, dβ = Σ_rows dy (dg and db are overwritten).
export function layerNormBackward(dy: usize, xhat: usize, rstd: usize, g: usize, dx: usize, dg: usize, db: usize, rows: i32, d: i32): void {
  const inv: f32 = 1 / <f32>d;
  const d4 = d & ~3;
  memory.fill(dg, 0, <usize>d << 2);
  memory.fill(db, 0, <usize>d << 2);
  for (let r = 0; r < rows; r++) {
    const row: usize = <usize>r * <usize>d << 2;
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let j = 0;
    for (; j < d4; j += 4) {
      const o: usize = <usize>j << 2;
      const dyv = v128.load(dy + row + o);
      const h = v128.load(xhat + row + o);
      const dh = f32x4.mul(dyv, v128.load(g + o));
      a1 = f32x4.add(a1, dh);
      a2 = f32x4.add(a2, f32x4.mul(dh, h));
      v128.store(dg + o, f32x4.add(v128.load(dg + o), f32x4.mul(dyv, h)));
      v128.store(db + o, f32x4.add(v128.load(db + o), dyv));
    }
    let s1 = hsum(a1);
    let s2 = hsum(a2);
    for (; j < d; j++) {
      const o: usize = <usize>j << 2;
      const dyv = load<f32>(dy + row + o);
      const h = load<f32>(xhat + row + o);
      const dh = dyv * load<f32>(g + o);
      s1 += dh;
      s2 += dh * h;
      store<f32>(dg + o, load<f32>(dg + o) + dyv * h);
      store<f32>(db + o, load<f32>(db + o) + dyv);
    }
    const m1 = s1 * inv;
    const m2 = s2 * inv;
    const rs = load<f32>(rstd + (<usize>r << 2));
    const vm1 = f32x4.splat(m1);
    const vm2 = f32x4.splat(m2);
    const vrs = f32x4.splat(rs);
    for (j = 0; j < d4; j += 4) {
      const o: usize = <usize>j << 2;
      const dh = f32x4.mul(v128.load(dy + row + o), v128.load(g + o));
      const h = v128.load(xhat + row + o);
      v128.store(dx + row + o, f32x4.mul(vrs, f32x4.sub(f32x4.sub(dh, vm1), f32x4.mul(h, vm2))));
    }
    for (; j < d; j++) {
      const o: usize = <usize>j << 2;
      const dh = load<f32>(dy + row + o) * load<f32>(g + o);
      store<f32>(dx + row + o, rs * (dh - m1 - load<f32>(xhat + row + o) * m2));
    }
  }
}

// @ts-ignore: decorator
@inline function op4(op: i32, a: v128, b: v128): v128 {
  if (op == 0) return f32x4.add(a, b);
  if (op == 1) return f32x4.sub(a, b);
  if (op == 2) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

// @ts-ignore: decorator
@inline function op1(op: i32, a: f32, b: f32): f32 {
  if (op == 0) return a + b;
  if (op == 1) return a - b;
  if (op == 2) return a * b;
  return a / b;
}

// A broadcast binary op (0 add, 1 sub, 2 mul, 3 div) over `outer` rows of `inner` elements:
// out[r·inner + j] = a[r·aRow + j·aCol] ∘ b[r·bRow + j·bCol], with aCol, bCol ∈ {0, 1} (a column
// step of 0 repeats one value along the row) and row steps in elements (0 repeats a whole row).
export function binaryBroadcast(op: i32, a: usize, b: usize, out: usize, outer: i32, inner: i32, aRow: i32, bRow: i32, aCol: i32, bCol: i32): void {
  const n4 = inner & ~3;
  for (let r = 0; r < outer; r++) {
    const pa: usize = a + ((<usize>r * <usize>aRow) << 2);
    const pb: usize = b + ((<usize>r * <usize>bRow) << 2);
    const po: usize = out + ((<usize>r * <usize>inner) << 2);
    let j = 0;
    if (aCol == 1 && bCol == 1) {
      for (; j < n4; j += 4) {
        const o: usize = <usize>j << 2;
        v128.store(po + o, op4(op, v128.load(pa + o), v128.load(pb + o)));
      }
      for (; j < inner; j++) {
        const o: usize = <usize>j << 2;
        store<f32>(po + o, op1(op, load<f32>(pa + o), load<f32>(pb + o)));
      }
    } else if (aCol == 1) {
      const s = load<f32>(pb);
      const vs = f32x4.splat(s);
      for (; j < n4; j += 4) {
        const o: usize = <usize>j << 2;
        v128.store(po + o, op4(op, v128.load(pa + o), vs));
      }
      for (; j < inner; j++) {
        const o: usize = <usize>j << 2;
        store<f32>(po + o, op1(op, load<f32>(pa + o), s));
      }
    } else if (bCol == 1) {
      const s = load<f32>(pa);
      const vs = f32x4.splat(s);
      for (; j < n4; j += 4) {
        const o: usize = <usize>j << 2;
        v128.store(po + o, op4(op, vs, v128.load(pb + o)));
      }
      for (; j < inner; j++) {
        const o: usize = <usize>j << 2;
        store<f32>(po + o, op1(op, s, load<f32>(pb + o)));
      }
    } else {
      const v = op1(op, load<f32>(pa), load<f32>(pb));
      for (; j < inner; j++) store<f32>(po + (<usize>j << 2), v);
    }
  }
}

// out[j] = Σ_r x[r·d + j], rows added in order (float32 adds, as the row loop it replaces).
export function sumRows(x: usize, out: usize, rows: i32, d: i32): void {
  const d4 = d & ~3;
  memory.fill(out, 0, <usize>d << 2);
  for (let r = 0; r < rows; r++) {
    const row: usize = x + ((<usize>r * <usize>d) << 2);
    let j = 0;
    for (; j < d4; j += 4) {
      const o: usize = <usize>j << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(row + o)));
    }
    for (; j < d; j++) {
      const o: usize = <usize>j << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(row + o));
    }
  }
}

// Dropout with the counter-based mask of fused-dropout.ts, bit for bit: element i is kept when the
// top 24 bits of lowbias32(i + mix) reach t; out[i] = x[i]·(kept ? scale : 0).
export function dropout(x: usize, out: usize, n: i32, mix: i32, t: i32, scale: f32): void {
  const vt = i32x4.splat(t);
  const vscale = f32x4.splat(scale);
  const zero = f32x4.splat(0);
  const m1 = i32x4.splat(0x7feb352d);
  const m2 = i32x4.splat(<i32>0x846ca68b);
  let idx = i32x4.add(i32x4(0, 1, 2, 3), i32x4.splat(mix));
  const four = i32x4.splat(4);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let h = idx;
    h = v128.xor(h, i32x4.shr_u(h, 16));
    h = i32x4.mul(h, m1);
    h = v128.xor(h, i32x4.shr_u(h, 15));
    h = i32x4.mul(h, m2);
    h = v128.xor(h, i32x4.shr_u(h, 16));
    const keep = i32x4.ge_s(i32x4.shr_u(h, 8), vt);
    const o: usize = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(x + o), v128.bitselect(vscale, zero, keep)));
    idx = i32x4.add(idx, four);
  }
  for (; i < n; i++) {
    let h: u32 = <u32>(i + mix);
    h ^= h >> 16;
    h *= 0x7feb352d;
    h ^= h >> 15;
    h *= 0x846ca68b;
    h ^= h >> 16;
    const o: usize = <usize>i << 2;
    store<f32>(out + o, load<f32>(x + o) * (<i32>(h >> 8) >= t ? scale : 0));
  }
}

// Softmax's gradient from its output y: dx = y·(dy − Σ dy·y) per row of d elements.
export function softmaxBackward(dy: usize, y: usize, dx: usize, rows: i32, d: i32): void {
  const d4 = d & ~3;
  for (let r = 0; r < rows; r++) {
    const row: usize = (<usize>r * <usize>d) << 2;
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j < d4; j += 4) {
      const o: usize = row + (<usize>j << 2);
      acc = f32x4.add(acc, f32x4.mul(v128.load(dy + o), v128.load(y + o)));
    }
    let s = hsum(acc);
    for (; j < d; j++) {
      const o: usize = row + (<usize>j << 2);
      s += load<f32>(dy + o) * load<f32>(y + o);
    }
    const vs = f32x4.splat(s);
    for (j = 0; j < d4; j += 4) {
      const o: usize = row + (<usize>j << 2);
      v128.store(dx + o, f32x4.mul(v128.load(y + o), f32x4.sub(v128.load(dy + o), vs)));
    }
    for (; j < d; j++) {
      const o: usize = row + (<usize>j << 2);
      store<f32>(dx + o, load<f32>(y + o) * (load<f32>(dy + o) - s));
    }
  }
}

// Cross-entropy forward over rows of c logits: lse = log Σ exp(z), picked = z[label], mean = Σ z / c.
export function crossEntropyForward(z: usize, labels: usize, lse: usize, picked: usize, mean: usize, n: i32, c: i32): void {
  const c4 = c & ~3;
  for (let r = 0; r < n; r++) {
    const row: usize = z + ((<usize>r * <usize>c) << 2);
    let vmax = f32x4.splat(-Infinity);
    let vsum = f32x4.splat(0);
    let j = 0;
    for (; j < c4; j += 4) {
      const v = v128.load(row + (<usize>j << 2));
      vmax = f32x4.max(vmax, v);
      vsum = f32x4.add(vsum, v);
    }
    let m = Mathf.max(Mathf.max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)), Mathf.max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
    let total = hsum(vsum);
    for (; j < c; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      m = Mathf.max(m, v);
      total += v;
    }
    const vm = f32x4.splat(m);
    let acc = f32x4.splat(0);
    for (j = 0; j < c4; j += 4) acc = f32x4.add(acc, exp4(f32x4.sub(v128.load(row + (<usize>j << 2)), vm)));
    let s = hsum(acc);
    for (; j < c; j++) s += expScalar(load<f32>(row + (<usize>j << 2)) - m);
    const o: usize = <usize>r << 2;
    store<f32>(lse + o, m + Mathf.log(s));
    store<f32>(picked + o, load<f32>(row + (<usize>load<i32>(labels + o) << 2)));
    store<f32>(mean + o, total / <f32>c);
  }
}

// Its gradient: dx = (exp(z − lse) − ((1 − ε)·onehot(label) + ε/c))·scale, one row at a time.
export function crossEntropyBackward(z: usize, lse: usize, labels: usize, scale: usize, dx: usize, n: i32, c: i32, keep: f32, spread: f32): void {
  const c4 = c & ~3;
  const vspread = f32x4.splat(spread);
  for (let r = 0; r < n; r++) {
    const o: usize = <usize>r << 2;
    const base: usize = (<usize>r * <usize>c) << 2;
    const l = f32x4.splat(load<f32>(lse + o));
    const sc = load<f32>(scale + o);
    const vs = f32x4.splat(sc);
    let j = 0;
    for (; j < c4; j += 4) {
      const p: usize = base + (<usize>j << 2);
      v128.store(dx + p, f32x4.mul(f32x4.sub(exp4(f32x4.sub(v128.load(z + p), l)), vspread), vs));
    }
    const ls = load<f32>(lse + o);
    for (; j < c; j++) {
      const p: usize = base + (<usize>j << 2);
      store<f32>(dx + p, (expScalar(load<f32>(z + p) - ls) - spread) * sc);
    }
    const at: usize = dx + base + (<usize>load<i32>(labels + o) << 2);
    store<f32>(at, load<f32>(at) - keep * sc);
  }
}
