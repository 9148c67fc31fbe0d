import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { overrideKernel, setKernelOverride } from './kernel-override';
import { simdKernels } from './simd/simd-module';
import { heapOffset, type WasmBackendInternals } from './wasm-backend';

/** The binary kernels routed here, with the SIMD module's op code. */
const OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;

export interface BroadcastPlan {
  outShape: number[];
  /** merged dimensions, outermost first: size and each operand's element step (0 = repeated) */
  dims: { size: number; a: number; b: number }[];
}

/**
 * numpy broadcasting as a few nested loops: dimensions of size 1 in the output are dropped and
 * neighbours in which each operand either varies or repeats in the same way are merged
 * (`[8,4,128,128] + [8,1,1,128]` → 8 × 512 × 128 with b repeated along the middle). Null when the
 * shapes do not broadcast.
 */
export function planBroadcast(aShape: readonly number[], bShape: readonly number[]): BroadcastPlan | null {
  const rank = Math.max(aShape.length, bShape.length);
  const pa = [...Array<number>(rank - aShape.length).fill(1), ...aShape];
  const pb = [...Array<number>(rank - bShape.length).fill(1), ...bShape];
  const outShape: number[] = [];
  const kept: { size: number; af: boolean; bf: boolean }[] = [];
  for (let d = 0; d < rank; d++) {
    const [x, y] = [pa[d]!, pb[d]!];
    if (x !== y && x !== 1 && y !== 1) return null;
    const size = Math.max(x, y);
    outShape.push(size);
    if (size === 1) continue;
    const af = x !== 1;
    const bf = y !== 1;
    const last = kept[kept.length - 1];
    if (last && last.af === af && last.bf === bf) last.size *= size;
    else kept.push({ size, af, bf });
  }
  const dims = kept.map((k) => ({ size: k.size, a: 0, b: 0 }));
  let sa = 1;
  let sb = 1;
  for (let i = kept.length - 1; i >= 0; i--) {
    if (kept[i]!.af) {
      dims[i]!.a = sa;
      sa *= kept[i]!.size;
    }
    if (kept[i]!.bf) {
      dims[i]!.b = sb;
      sb *= kept[i]!.size;
    }
  }
  return { outShape, dims };
}

const same = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => v === y[i]);

/**
 * tfjs-backend-wasm runs a binary op whose operands differ in shape through a per-element index
 * loop: a bias add `[1024,256] + [256]` took 0.86 ms against 0.035 ms for equal shapes, `[8,2] − [8,1]`
 * 0.38 ms. Here a broadcast that merges into rows × columns becomes the SIMD module's row loop
 * (`binaryBroadcast`). Equal shapes, deeper broadcasts and non-float32 operands stay on the
 * backend's kernel, which is also the reference in the tests.
 */
const broadcastBinary =
  (op: number) =>
  (original: KernelConfig): KernelFunc =>
  (args) => {
    const a = args.inputs.a as TensorInfo;
    const b = args.inputs.b as TensorInfo;
    const simd = simdKernels(args.backend);
    if (simd == null || a.dtype !== 'float32' || b.dtype !== 'float32' || same(a.shape, b.shape)) return original.kernelFunc(args);
    const plan = planBroadcast(a.shape, b.shape);
    // two merged loops at most (rows × columns: bias adds, per-row scalars); deeper patterns such as
    // an attention mask [B,1,1,T] over [B,H,T,T] the backend already runs fast (0.064 vs 0.082 ms here)
    if (plan == null || plan.dims.length === 0 || plan.dims.length > 2) return original.kernelFunc(args);
    const be = args.backend as unknown as WasmBackendInternals;
    const out = be.makeOutput(plan.outShape, 'float32');
    const { dims } = plan;
    const inner = dims[dims.length - 1]!;
    const row = dims.length > 1 ? dims[0]! : { size: 1, a: 0, b: 0 };
    simd.binaryBroadcast(op, heapOffset(be, a), heapOffset(be, b), heapOffset(be, out), row.size, inner.size, row.a, row.b, inner.a, inner.b);
    return out;
  };

/** wasm: Add, Sub, Multiply and RealDiv with broadcasting on the SIMD module (after `instantiateSimdKernels`). */
export function overrideWasmBroadcastBinary(): boolean {
  return Object.entries(OPS).every(([name, op]) => overrideKernel(name, 'wasm', broadcastBinary(op)));
}

/** Turns the broadcast route off (the backend's own kernels) or back on; returns whether it is on. */
export function setBroadcastBinary(enabled: boolean): boolean {
  return Object.entries(OPS)
    .map(([name, op]) => setKernelOverride(name, 'wasm', enabled, broadcastBinary(op)))
    .every(Boolean);
}
