import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { registerJsKernel, type CpuLike } from './js-kernel';
import { simdKernels } from './simd/simd-module';
import { heapOffset, type WasmBackendInternals } from './wasm-backend';

/** LayerNorm forward: inputs x, gamma, beta; attr eps; outputs y, x̂ (shape of x) and rstd (`[..., 1]`). */
export const LAYER_NORM_KERNEL = 'TfjsPeftLayerNorm';
/** LayerNorm backward: inputs dy, xhat, rstd, gamma; outputs dx, dγ, dβ. */
export const LAYER_NORM_GRAD_KERNEL = 'TfjsPeftLayerNormGrad';

/** Rows of a `[..., d]` tensor. */
export const rowsOf = (shape: number[]) => shape.slice(0, -1).reduce((a, b) => a * b, 1);

/** cpu: one pass per row, float64 sums (the composite's float32 sums are the reference within 1e-6). */
function forwardJs(x: Float32Array, g: Float32Array, b: Float32Array, y: Float32Array, xhat: Float32Array, rstd: Float32Array, rows: number, d: number, eps: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += x[o + j]!;
    const mean = s / d;
    let q = 0;
    for (let j = 0; j < d; j++) {
      const c = x[o + j]! - mean;
      q += c * c;
    }
    const rs = 1 / Math.sqrt(q / d + eps);
    rstd[r] = rs;
    for (let j = 0; j < d; j++) {
      const h = (x[o + j]! - mean) * rs;
      xhat[o + j] = h;
      y[o + j] = h * g[j]! + b[j]!;
    }
  }
}

function backwardJs(
  dy: Float32Array,
  xhat: Float32Array,
  rstd: Float32Array,
  g: Float32Array,
  dx: Float32Array,
  dg: Float64Array,
  db: Float64Array,
  rows: number,
  d: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let s1 = 0;
    let s2 = 0;
    for (let j = 0; j < d; j++) {
      const dyv = dy[o + j]!;
      const h = xhat[o + j]!;
      const dh = dyv * g[j]!;
      s1 += dh;
      s2 += dh * h;
      dg[j]! += dyv * h;
      db[j]! += dyv;
    }
    const m1 = s1 / d;
    const m2 = s2 / d;
    const rs = rstd[r]!;
    for (let j = 0; j < d; j++) dx[o + j] = rs * (dy[o + j]! * g[j]! - m1 - xhat[o + j]! * m2);
  }
}

const cpuForward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as Record<'x' | 'gamma' | 'beta', TensorInfo>;
  const be = backend as unknown as CpuLike;
  const d = x.shape[x.shape.length - 1]!;
  const rows = rowsOf(x.shape);
  const [y, xhat, rstd] = [new Float32Array(rows * d), new Float32Array(rows * d), new Float32Array(rows)];
  const read = (t: TensorInfo) => be.readSync(t.dataId) as Float32Array;
  forwardJs(read(x), read(gamma), read(beta), y, xhat, rstd, rows, d, (attrs as { eps: number }).eps);
  return [be.makeTensorInfo(x.shape, 'float32', y), be.makeTensorInfo(x.shape, 'float32', xhat), be.makeTensorInfo([...x.shape.slice(0, -1), 1], 'float32', rstd)];
};

const cpuBackward: KernelFunc = ({ inputs, backend }) => {
  const { dy, xhat, rstd, gamma } = inputs as Record<'dy' | 'xhat' | 'rstd' | 'gamma', TensorInfo>;
  const be = backend as unknown as CpuLike;
  const d = dy.shape[dy.shape.length - 1]!;
  const rows = rowsOf(dy.shape);
  const dx = new Float32Array(rows * d);
  const [dg, db] = [new Float64Array(d), new Float64Array(d)];
  const read = (t: TensorInfo) => be.readSync(t.dataId) as Float32Array;
  backwardJs(read(dy), read(xhat), read(rstd), read(gamma), dx, dg, db, rows, d);
  return [be.makeTensorInfo(dy.shape, 'float32', dx), be.makeTensorInfo([d], 'float32', Float32Array.from(dg)), be.makeTensorInfo([d], 'float32', Float32Array.from(db))];
};

/** wasm: the SIMD kernels of wasm/kernels.ts on tfjs's heap (outputs allocated by the backend first). */
const wasmForward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as Record<'x' | 'gamma' | 'beta', TensorInfo>;
  const be = backend as unknown as WasmBackendInternals;
  const d = x.shape[x.shape.length - 1]!;
  const outs = [be.makeOutput(x.shape, 'float32'), be.makeOutput(x.shape, 'float32'), be.makeOutput([...x.shape.slice(0, -1), 1], 'float32')];
  const at = (t: TensorInfo) => heapOffset(be, t);
  simdKernels(backend)!.layerNormForward(at(x), at(gamma), at(beta), at(outs[0]!), at(outs[1]!), at(outs[2]!), rowsOf(x.shape), d, (attrs as { eps: number }).eps);
  return outs;
};

const wasmBackward: KernelFunc = ({ inputs, backend }) => {
  const { dy, xhat, rstd, gamma } = inputs as Record<'dy' | 'xhat' | 'rstd' | 'gamma', TensorInfo>;
  const be = backend as unknown as WasmBackendInternals;
  const d = dy.shape[dy.shape.length - 1]!;
  const outs = [be.makeOutput(dy.shape, 'float32'), be.makeOutput([d], 'float32'), be.makeOutput([d], 'float32')];
  const at = (t: TensorInfo) => heapOffset(be, t);
  simdKernels(backend)!.layerNormBackward(at(dy), at(xhat), at(rstd), at(gamma), at(outs[0]!), at(outs[1]!), at(outs[2]!), rowsOf(dy.shape), d);
  return outs;
};

/**
 * Registers the fused LayerNorm forward and backward: scalar JavaScript on cpu, the SIMD module on
 * wasm (call once `instantiateSimdKernels` has succeeded). Idempotent. `layerNorm` uses them when
 * present (and `setFusedKernels` is on); its composite form stays the reference.
 */
export function registerFusedLayerNorm(backendName: string): boolean {
  const wasm = backendName === 'wasm';
  const a = registerJsKernel(LAYER_NORM_KERNEL, () => (wasm ? wasmForward : cpuForward), [backendName]);
  const b = registerJsKernel(LAYER_NORM_GRAD_KERNEL, () => (wasm ? wasmBackward : cpuBackward), [backendName]);
  return a.length > 0 || b.length > 0;
}
