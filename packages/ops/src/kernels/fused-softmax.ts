import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { registerJsKernel, type CpuLike } from './js-kernel';
import { simdKernels } from './simd/simd-module';
import { heapOffset, type WasmBackendInternals } from './wasm-backend';

/** Softmax over the last axis: input x, output y (cpu; wasm keeps its own). */
export const SOFTMAX_KERNEL = 'TfjsPeftSoftmax';
/** Its gradient from the output: inputs dy, y; output dx = y·(dy − Σ dy·y). */
export const SOFTMAX_GRAD_KERNEL = 'TfjsPeftSoftmaxGrad';

/** `[rows, d]` of a tensor normalised over its last axis. */
export const dims = (shape: number[]) => {
  const d = shape[shape.length - 1] ?? 1;
  return [shape.reduce((a, b) => a * b, 1) / Math.max(d, 1), d] as const;
};

/** cpu: one pass per row, float64 sums. */
function forwardJs(x: Float32Array, y: Float32Array, rows: number, d: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let m = -Infinity;
    for (let j = 0; j < d; j++) m = Math.max(m, x[o + j]!);
    let s = 0;
    for (let j = 0; j < d; j++) {
      const e = Math.exp(x[o + j]! - m);
      y[o + j] = e;
      s += e;
    }
    for (let j = 0; j < d; j++) y[o + j] = y[o + j]! / s;
  }
}

function backwardJs(dy: Float32Array, y: Float32Array, dx: Float32Array, rows: number, d: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += dy[o + j]! * y[o + j]!;
    for (let j = 0; j < d; j++) dx[o + j] = y[o + j]! * (dy[o + j]! - s);
  }
}

const cpuForward: KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as TensorInfo;
  const be = backend as unknown as CpuLike;
  const [rows, d] = dims(x.shape);
  const y = new Float32Array(rows * d);
  forwardJs(be.readSync(x.dataId) as Float32Array, y, rows, d);
  return be.makeTensorInfo(x.shape, 'float32', y);
};

const cpuBackward: KernelFunc = ({ inputs, backend }) => {
  const { dy, y } = inputs as Record<'dy' | 'y', TensorInfo>;
  const be = backend as unknown as CpuLike;
  const [rows, d] = dims(dy.shape);
  const dx = new Float32Array(rows * d);
  backwardJs(be.readSync(dy.dataId) as Float32Array, be.readSync(y.dataId) as Float32Array, dx, rows, d);
  return be.makeTensorInfo(dy.shape, 'float32', dx);
};

const wasmBackward: KernelFunc = ({ inputs, backend }) => {
  const { dy, y } = inputs as Record<'dy' | 'y', TensorInfo>;
  const be = backend as unknown as WasmBackendInternals;
  const out = be.makeOutput(dy.shape, 'float32');
  const [rows, d] = dims(dy.shape);
  simdKernels(backend)!.softmaxBackward(heapOffset(be, dy), heapOffset(be, y), heapOffset(be, out), rows, d);
  return out;
};

/**
 * Registers the fused softmax gradient (tfjs's is four kernels over the attention probabilities: two
 * products, a sum, a difference) on the SIMD module for wasm (call once `instantiateSimdKernels` has
 * succeeded) and in JavaScript for cpu, and on cpu the forward too (the cpu backend's softmax is
 * five JavaScript kernels). wasm keeps its own forward: XNNPACK's softmax ran 0.4 ms for
 * `[8,4,128,128]` against 1.8 ms for an f32x4 version with the module's exp. `softmax` and
 * `attention` use them when present; `tf.softmax` stays the reference.
 */
export function registerFusedSoftmax(backendName: string): boolean {
  const wasm = backendName === 'wasm';
  const a = wasm ? [] : registerJsKernel(SOFTMAX_KERNEL, () => cpuForward, [backendName]);
  const b = registerJsKernel(SOFTMAX_GRAD_KERNEL, () => (wasm ? wasmBackward : cpuBackward), [backendName]);
  return a.length > 0 || b.length > 0;
}
