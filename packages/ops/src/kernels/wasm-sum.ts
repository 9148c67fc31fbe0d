import { util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { overrideKernel, setKernelOverride } from './kernel-override';
import { heapOffset, type WasmBackendInternals } from './wasm-backend';
import { simdKernels } from './simd/simd-module';

/**
 * `Sum` over leading axes (`[N, D] → [D]`: every bias gradient, LayerNorm's γ/β gradients) on wasm.
 * The backend transposes the reduced axes to the end first (a slow generic transpose) and then sums
 * each output's values in index order; this adds rows into the output in the same order, so the
 * float32 result is the same bit for bit, without the transpose (on the SIMD module's `sumRows` once
 * it is loaded, a JavaScript loop before). Other reductions go to the original.
 */
const leadingAxesSum =
  (original: KernelConfig): KernelFunc =>
  (args) => {
    const x = args.inputs.x as TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const rank = x.shape.length;
    // in the order given: the backend sums in that order, so [1, 0] (another order) goes to it
    const axes = util.parseAxisParam(axis, x.shape);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return original.kernelFunc(args);
    const be = args.backend as unknown as WasmBackendInternals;
    const rest = x.shape.slice(axes.length);
    const inner = util.sizeFromShape(rest);
    const outer = util.sizeFromShape(x.shape.slice(0, axes.length));
    const out = be.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
    const simd = simdKernels(args.backend);
    if (simd != null) {
      simd.sumRows(heapOffset(be, x), heapOffset(be, out), outer, inner);
      return out;
    }
    const src = be.typedArrayFromHeap(x) as Float32Array;
    const dst = be.typedArrayFromHeap(out) as Float32Array;
    dst.fill(0);
    for (let i = 0; i < outer; i++) {
      const row = i * inner;
      for (let j = 0; j < inner; j++) dst[j]! += src[row + j]!;
    }
    return out;
  };

export function overrideWasmSum(backendName = 'wasm'): boolean {
  return overrideKernel('Sum', backendName, leadingAxesSum);
}

/** Turns the leading-axes Sum off (the backend's own kernel) or back on; returns whether it is now active. */
export function setLeadingAxesSum(backendName: string, enabled: boolean): boolean {
  return setKernelOverride('Sum', backendName, enabled, leadingAxesSum);
}
