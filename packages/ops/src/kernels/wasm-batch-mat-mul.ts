import {
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type BatchMatMulAttrs,
} from '@tensorflow/tfjs-core';

const WRAPPED = Symbol.for('tfjs-peft.transposeFastPath');

type Disposer = { disposeData(dataId: object): boolean };

/**
 * XNNPACK's fast path in the wasm backend covers only `a · b` with neither operand
 * transposed; `transposeA`/`transposeB` fall back to a scalar loop that ran 10–40× slower
 * here. Every backward pass of a matmul uses transposed operands, so this wrapper
 * materialises the transpose (memory-bound, O(n²)) and calls the fast plain kernel (O(n³)).
 * The original kernel stays the reference: see wasm-batch-mat-mul.test.ts.
 */
export function wrapTransposedMatMul(backendName: string): boolean {
  const original = getKernel('BatchMatMul', backendName);
  const transpose = getKernel('Transpose', backendName);
  if (original == null || transpose == null) return false;
  if ((original as unknown as Record<symbol, unknown>)[WRAPPED]) return true;

  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    if (!transposeA && !transposeB) {
      return original.kernelFunc({ inputs, backend, attrs });
    }
    const temps: TensorInfo[] = [];
    const swapLast = (x: TensorInfo): TensorInfo => {
      const r = x.shape.length;
      const perm = [...Array(r).keys()];
      perm[r - 1] = r - 2;
      perm[r - 2] = r - 1;
      const out = transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
      temps.push(out);
      return out;
    };
    const a = transposeA ? swapLast(inputs.a as TensorInfo) : (inputs.a as TensorInfo);
    const b = transposeB ? swapLast(inputs.b as TensorInfo) : (inputs.b as TensorInfo);
    try {
      return original.kernelFunc({
        inputs: { a, b },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temps) (backend as unknown as Disposer).disposeData(t.dataId);
    }
  };
  const wrapped: KernelConfig = { ...original, kernelFunc };
  (wrapped as unknown as Record<symbol, unknown>)[WRAPPED] = true;
  unregisterKernel('BatchMatMul', backendName);
  registerKernel(wrapped);
  return true;
}

/** Puts the backend's original kernel back (used by benchmarks to measure before/after). */
export function unwrapTransposedMatMul(backendName: string, original: KernelConfig): void {
  unregisterKernel('BatchMatMul', backendName);
  registerKernel(original);
}
