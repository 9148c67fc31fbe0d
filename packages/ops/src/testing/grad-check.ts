import type { F64 } from './reference';

/** Central finite differences of a scalar float64 function with respect to `x` (perturbed in place). */
export function numericGrad(f: () => number, x: F64, h = 1e-5): F64 {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const old = x[i]!;
    x[i] = old + h;
    const fp = f();
    x[i] = old - h;
    const fm = f();
    x[i] = old;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** Weighted sum `Σ w·y`: turns a tensor-valued function into a scalar for gradient checks. */
export function dot(y: ArrayLike<number>, w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i]! * w[i]!;
  return s;
}

/**
 * Throws unless `|a − e| ≤ atol + rtol·|e|` everywhere; the message names the worst element.
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, { atol = 1e-5, rtol = 1e-4 }: { atol?: number; rtol?: number } = {}): number {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length} differs from expected ${expected.length}`);
  }
  let worst = -1;
  let worstExcess = 0;
  let maxErr = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const err = Math.abs(a - e);
    if (!(err <= atol + rtol * Math.abs(e))) {
      const excess = Number.isNaN(err) ? Infinity : err - (atol + rtol * Math.abs(e));
      if (worst < 0 || excess > worstExcess) {
        worst = i;
        worstExcess = excess;
      }
    }
    if (err > maxErr || Number.isNaN(err)) maxErr = Number.isNaN(err) ? Infinity : err;
  }
  if (worst >= 0) {
    throw new Error(`${label}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol}; max abs error ${maxErr})`);
  }
  return maxErr;
}

/** Deterministic pseudo-random numbers (mulberry32) for test data. */
export function randomArray(n: number, seed: number, scale = 1): Float64Array {
  let s = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    // round to float32 so tfjs and the reference see the same inputs
    out[i] = Math.fround((u * 2 - 1) * scale);
  }
  return out;
}
