import type { KernelConfig, KernelFunc, TensorInfo, BatchMatMulAttrs } from '@tensorflow/tfjs-core';
import { overrideKernel } from './kernel-override';
import { heapFloat32, type WasmBackendInternals } from './wasm-backend';

/**
 * A native batched matrix product over Float32Array views (what `@tfjs-peft/native` provides):
 * `c[cOffsets[i]…] = op(a[aOffsets[i]…]) · op(b[bOffsets[i]…])` for each batch entry i, row-major,
 * `op(A)` m×k (stored k×m when `transA`), `op(B)` k×n (stored n×k when `transB`). Offsets count
 * elements. The arrays may be views of one buffer (the wasm heap) or separate ones (cpu tensors).
 * Kept in step with `NativeGemmBinding` of `@tfjs-peft/native` by hand, not imported: that package
 * is an optional peer, and our published types must not require it.
 */
export interface NativeGemm {
  gemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    aOffsets: Uint32Array,
    bOffsets: Uint32Array,
    cOffsets: Uint32Array,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
    /** 'bf16': operands rounded to bfloat16, float32 sums (native 0.2+; absent means float32) */
    precision?: 'float32' | 'bf16',
  ): void;
  /** how bf16 products run: 'avx512_bf16' (hardware dot products) or 'emulated' (native 0.2+) */
  bf16?(): string;
  /** GELU (exact erf form) forward and backward over `n` elements from element offsets */
  geluForward(x: Float32Array, xOffset: number, y: Float32Array, yOffset: number, n: number): void;
  geluBackward(dy: Float32Array, dyOffset: number, x: Float32Array, xOffset: number, dx: Float32Array, dxOffset: number, n: number): void;
  /** one AdamW step over p, g, m, v into pOut, mOut, vOut (element offsets); absent before @tfjs-peft/native 0.2 */
  adamw?(buffers: Float32Array[], offsets: number[], n: number, beta1: number, beta2: number, eps: number, decay: number, step: number, invSqrtC2: number): void;
  /** the micro-kernel family in use: 'avx512', 'avx2' or 'generic' */
  isa(): string;
  threads(): number;
  setThreads(n: number): void;
}

let active: NativeGemm | null = null;

/**
 * Routes float32 `BatchMatMul` and the exact GELU on the wasm and cpu backends through `impl`
 * (null: back to the backends' own kernels and the SIMD module). `loadBackend` does this when `@tfjs-peft/native` is installed; tests and
 * benchmarks switch it to compare.
 */
export function setNativeGemm(impl: NativeGemm | null): void {
  active = impl;
}

/** The native product now in use, or null. */
export function nativeGemm(): NativeGemm | null {
  return active;
}

export interface GemmPlan {
  outShape: number[];
  m: number;
  n: number;
  k: number;
  aOffsets: Uint32Array;
  bOffsets: Uint32Array;
  cOffsets: Uint32Array;
}

/**
 * Shapes → one product per output batch entry, with numpy broadcasting of the batch dimensions
 * (right-aligned; a dimension of 1 repeats). Null when the shapes do not fit (the backend's kernel
 * then reports the error in its own words).
 */
export function planGemm(aShape: readonly number[], bShape: readonly number[], transA: boolean, transB: boolean): GemmPlan | null {
  const ra = aShape.length;
  const rb = bShape.length;
  if (ra < 2 || rb < 2) return null;
  const m = transA ? aShape[ra - 1]! : aShape[ra - 2]!;
  const k = transA ? aShape[ra - 2]! : aShape[ra - 1]!;
  const k2 = transB ? bShape[rb - 1]! : bShape[rb - 2]!;
  const n = transB ? bShape[rb - 2]! : bShape[rb - 1]!;
  if (k !== k2) return null;
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  const rank = Math.max(outerA.length, outerB.length);
  const padA = [...Array<number>(rank - outerA.length).fill(1), ...outerA];
  const padB = [...Array<number>(rank - outerB.length).fill(1), ...outerB];
  const outer: number[] = [];
  for (let d = 0; d < rank; d++) {
    if (padA[d] !== padB[d] && padA[d] !== 1 && padB[d] !== 1) return null;
    outer.push(Math.max(padA[d]!, padB[d]!));
  }
  const batch = outer.reduce((x, y) => x * y, 1);
  const aOffsets = new Uint32Array(batch);
  const bOffsets = new Uint32Array(batch);
  const cOffsets = new Uint32Array(batch);
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < batch; i++) {
    let fa = 0;
    let fb = 0;
    for (let d = 0; d < rank; d++) {
      fa = fa * padA[d]! + (padA[d] === 1 ? 0 : index[d]!);
      fb = fb * padB[d]! + (padB[d] === 1 ? 0 : index[d]!);
    }
    aOffsets[i] = fa * m * k;
    bOffsets[i] = fb * k * n;
    cOffsets[i] = i * m * n;
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < outer[d]!) break;
      index[d] = 0;
    }
  }
  return { outShape: [...outer, m, n], m, n, k, aOffsets, bOffsets, cOffsets };
}

function shift(offsets: Uint32Array, by: number): Uint32Array {
  const out = new Uint32Array(offsets.length);
  for (let i = 0; i < offsets.length; i++) out[i] = offsets[i]! + by;
  return out;
}

/** wasm: the product straight on the heap (no copies; transposes folded into the packing). */
export function nativeWasmMatMul(a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean, backend: unknown, precision: 'float32' | 'bf16' = 'float32'): TensorInfo | null {
  const impl = active;
  if (impl == null || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const plan = planGemm(a.shape, b.shape, transA, transB);
  if (plan == null) return null;
  const be = backend as WasmBackendInternals;
  const out = be.makeOutput(plan.outShape, 'float32');
  if (plan.aOffsets.length === 0 || plan.m * plan.n === 0) return out;
  const heap = heapFloat32(be);
  const at = (t: TensorInfo) => be.dataIdMap.get(t.dataId)!.memoryOffset / 4;
  const [ao, bo, co] = [shift(plan.aOffsets, at(a)), shift(plan.bOffsets, at(b)), shift(plan.cOffsets, at(out))];
  if (precision === 'bf16') impl.gemm(heap, heap, heap, ao, bo, co, plan.m, plan.n, plan.k, transA, transB, 'bf16');
  else impl.gemm(heap, heap, heap, ao, bo, co, plan.m, plan.n, plan.k, transA, transB);
  return out;
}

/** cpu: the product on the backend's arrays into a new tensor; null when the operands are not float32 arrays. */
export function nativeCpuMatMul(a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean, backend: unknown, precision: 'float32' | 'bf16' = 'float32'): TensorInfo | null {
  const impl = active;
  const be = backend as CpuBackendInternals;
  const av = be.data.get(a.dataId)?.values;
  const bv = be.data.get(b.dataId)?.values;
  const plan = impl != null && av instanceof Float32Array && bv instanceof Float32Array ? planGemm(a.shape, b.shape, transA, transB) : null;
  if (plan == null) return null;
  const out = new Float32Array(plan.outShape.reduce((x, y) => x * y, 1));
  if (out.length > 0) {
    const args = [av as Float32Array, bv as Float32Array, out, plan.aOffsets, plan.bOffsets, plan.cOffsets, plan.m, plan.n, plan.k, transA, transB] as const;
    if (precision === 'bf16') impl!.gemm(...args, 'bf16');
    else impl!.gemm(...args);
  }
  return be.makeTensorInfo(plan.outShape, 'float32', out);
}

interface CpuBackendInternals {
  data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo;
}

const cpuNative =
  (original: KernelConfig): KernelFunc =>
  (args) => {
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    return nativeCpuMatMul(args.inputs.a as TensorInfo, args.inputs.b as TensorInfo, transposeA, transposeB, args.backend) ?? original.kernelFunc(args);
  };

/** cpu: float32 BatchMatMul through the native product while one is set (the backend's own kernel otherwise). */
export function overrideCpuMatMul(): boolean {
  return overrideKernel('BatchMatMul', 'cpu', cpuNative);
}
