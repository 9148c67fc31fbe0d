import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { registerJsKernel, type CpuLike } from './js-kernel';
import { simdKernels } from './simd/simd-module';
import { heapOffset, type WasmBackendInternals } from './wasm-backend';
import { OpInputError } from '../errors';

/** Inputs logits `[n, c]` float32 and labels `[n]` int32 (in range); outputs lse, picked logit and mean logit, each `[n]`. */
export const CROSS_ENTROPY_KERNEL = 'TfjsPeftCrossEntropy';
/** Inputs logits, lse, labels, scale `[n]`; attr eps; output `(softmax − smoothed onehot)·scale`, `[n, c]`. */
export const CROSS_ENTROPY_GRAD_KERNEL = 'TfjsPeftCrossEntropyGrad';

/**
 * The kernels index each row by its label (ignored targets arrive as 0): one outside [0, c) would
 * read and write outside the row (on wasm, outside the tensor), so it is an error, as tfjs's gather
 * makes it in the composite.
 */
function checkLabels(labels: Int32Array, c: number): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v < 0 || v >= c) throw new OpInputError('crossEntropy', 'labels', `class indices in [0, ${c}) or ignoreIndex`, `${v} at position ${i}`);
  }
}

/** cpu: two passes per row (max and sum, then Σexp), float64. */
function forwardJs(z: Float32Array, labels: Int32Array, lse: Float32Array, picked: Float32Array, mean: Float32Array, n: number, c: number): void {
  for (let r = 0; r < n; r++) {
    const o = r * c;
    let m = -Infinity;
    let total = 0;
    for (let j = 0; j < c; j++) {
      const v = z[o + j]!;
      if (v > m) m = v;
      total += v;
    }
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(z[o + j]! - m);
    lse[r] = m + Math.log(s);
    picked[r] = z[o + labels[r]!]!;
    mean[r] = total / c;
  }
}

function backwardJs(z: Float32Array, lse: Float32Array, labels: Int32Array, scale: Float32Array, dx: Float32Array, n: number, c: number, keep: number, spread: number): void {
  for (let r = 0; r < n; r++) {
    const o = r * c;
    const l = lse[r]!;
    const s = scale[r]!;
    for (let j = 0; j < c; j++) dx[o + j] = (Math.exp(z[o + j]! - l) - spread) * s;
    dx[o + labels[r]!] = dx[o + labels[r]!]! - keep * s;
  }
}

const smoothing = (c: number, eps: number) => [1 - eps, eps / c] as const;

const cpuForward: KernelFunc = ({ inputs, backend }) => {
  const { logits, labels } = inputs as Record<'logits' | 'labels', TensorInfo>;
  const be = backend as unknown as CpuLike;
  const [n, c] = logits.shape as [number, number];
  const outs = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
  const ids = be.readSync(labels.dataId) as Int32Array;
  checkLabels(ids, c);
  forwardJs(be.readSync(logits.dataId) as Float32Array, ids, ...outs, n, c);
  return outs.map((o) => be.makeTensorInfo([n], 'float32', o));
};

const cpuBackward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { logits, lse, labels, scale } = inputs as Record<'logits' | 'lse' | 'labels' | 'scale', TensorInfo>;
  const be = backend as unknown as CpuLike;
  const [n, c] = logits.shape as [number, number];
  const dx = new Float32Array(n * c);
  const read = (t: TensorInfo) => be.readSync(t.dataId) as Float32Array;
  backwardJs(read(logits), read(lse), be.readSync(labels.dataId) as Int32Array, read(scale), dx, n, c, ...smoothing(c, (attrs as { eps: number }).eps));
  return be.makeTensorInfo([n, c], 'float32', dx);
};

const wasmForward: KernelFunc = ({ inputs, backend }) => {
  const { logits, labels } = inputs as Record<'logits' | 'labels', TensorInfo>;
  const be = backend as unknown as WasmBackendInternals;
  const [n, c] = logits.shape as [number, number];
  checkLabels(be.typedArrayFromHeap(labels) as Int32Array, c);
  const outs = [be.makeOutput([n], 'float32'), be.makeOutput([n], 'float32'), be.makeOutput([n], 'float32')];
  const at = (t: TensorInfo) => heapOffset(be, t);
  simdKernels(backend)!.crossEntropyForward(at(logits), at(labels), at(outs[0]!), at(outs[1]!), at(outs[2]!), n, c);
  return outs;
};

const wasmBackward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { logits, lse, labels, scale } = inputs as Record<'logits' | 'lse' | 'labels' | 'scale', TensorInfo>;
  const be = backend as unknown as WasmBackendInternals;
  const [n, c] = logits.shape as [number, number];
  const out = be.makeOutput([n, c], 'float32');
  const at = (t: TensorInfo) => heapOffset(be, t);
  simdKernels(backend)!.crossEntropyBackward(at(logits), at(lse), at(labels), at(scale), at(out), n, c, ...smoothing(c, (attrs as { eps: number }).eps));
  return out;
};

/**
 * Registers the fused cross-entropy: one pass over the logits forward (log-sum-exp, the target's
 * logit, the mean for label smoothing) and one backward that writes the gradient directly, where
 * the composite materialises ~6 `[n, c]` temporaries (a language model's vocabulary makes each of
 * them `tokens × 30522`). JavaScript on cpu, the SIMD module on wasm (after `instantiateSimdKernels`).
 * `crossEntropy` uses them when present; its composite form stays the reference.
 */
export function registerFusedCrossEntropy(backendName: string): boolean {
  const wasm = backendName === 'wasm';
  const a = registerJsKernel(CROSS_ENTROPY_KERNEL, () => (wasm ? wasmForward : cpuForward), [backendName]);
  const b = registerJsKernel(CROSS_ENTROPY_GRAD_KERNEL, () => (wasm ? wasmBackward : cpuBackward), [backendName]);
  return a.length > 0 || b.length > 0;
}
