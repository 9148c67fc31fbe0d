import { getKernel, type KernelConfig, type KernelFunc, type TensorInfo, type BatchMatMulAttrs } from '@tensorflow/tfjs-core';
import { overrideKernel, setKernelOverride } from './kernel-override';
import type { WasmBackendInternals } from './wasm-backend';
import { nativeWasmMatMul, planGemm } from './native-mat-mul';

type Disposer = { disposeData(dataId: object): boolean };

const cwrapped = new WeakMap<object, (...a: unknown[]) => void>();

/**
 * Batched `[..., M, K] · [..., K, N]` (no transposes) as one XNNPACK 2-D matmul per batch entry.
 * The wasm kernel runs batch > 1 through a scalar loop (~2 GFLOP/s); each 2-D call takes the
 * fast path (and batch dimensions broadcast on both sides, which the original kernel gets wrong).
 * The per-batch operands are zero-copy views: tensor ids registered on the existing
 * heap memory and released without freeing it. Returns null when the shapes do not fit
 * (non-float, incompatible batch dimensions), so the caller uses the original kernel.
 */
function batchedAsLoop(a: TensorInfo, b: TensorInfo, backend: unknown): TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (a.shape.length < 3 && b.shape.length < 3)) return null;
  // the same per-batch offsets (numpy broadcasting of the batch dimensions) as the native product
  const plan = planGemm(a.shape, b.shape, false, false);
  if (plan == null || plan.aOffsets.length <= 1) return null;
  const { m, n, k } = plan;
  const be = backend as WasmBackendInternals;
  let run = cwrapped.get(be.wasm);
  if (run == null) {
    run = be.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
    cwrapped.set(be.wasm, run);
  }
  const out = be.makeOutput(plan.outShape, 'float32');
  const aOff = be.dataIdMap.get(a.dataId)!.memoryOffset;
  const bOff = be.dataIdMap.get(b.dataId)!.memoryOffset;
  const oOff = be.dataIdMap.get(out.dataId)!.memoryOffset;
  const aShape = new Uint8Array(Int32Array.of(1, m, k).buffer);
  const bShape = new Uint8Array(Int32Array.of(1, k, n).buffer);
  const view = (offset: number, size: number) => {
    const id = be.dataIdNextNumber++;
    be.wasm.tfjs.registerTensor(id, size, offset);
    return id;
  };
  for (let i = 0; i < plan.aOffsets.length; i++) {
    const aId = view(aOff + plan.aOffsets[i]! * 4, m * k);
    const bId = view(bOff + plan.bOffsets[i]! * 4, k * n);
    const oId = view(oOff + plan.cOffsets[i]! * 4, m * n);
    try {
      run(aId, aShape, 3, bId, bShape, 3, false, false, oId);
    } finally {
      // releases the ids (and XNNPACK's cached operator for bId); the memory belongs to a, b, out
      be.wasm.tfjs.disposeData(aId);
      be.wasm.tfjs.disposeData(bId);
      be.wasm.tfjs.disposeData(oId);
    }
  }
  return out;
}

const TILE = 32;

/**
 * Swaps the last two dimensions of a float32 tensor, in cache-sized tiles, on the wasm heap. The
 * backend's generic Transpose kernel walks element by element through index arithmetic (~12 ns per
 * element here); tiles of 32×32 keep both sides in cache (~1.5 ns). Exact: it only moves values.
 */
export function transposeLastTwo(x: TensorInfo, backend: unknown): TensorInfo {
  const be = backend as WasmBackendInternals;
  const r = x.shape.length;
  const [rows, cols] = [x.shape[r - 2]!, x.shape[r - 1]!];
  const out = be.makeOutput([...x.shape.slice(0, -2), cols, rows], x.dtype);
  // views after makeOutput: a heap growth detaches earlier ones
  const src = be.typedArrayFromHeap(x);
  const dst = be.typedArrayFromHeap(out);
  const plane = rows * cols;
  const batch = plane === 0 ? 0 : src.length / plane;
  for (let b = 0; b < batch; b++) {
    const base = b * plane;
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(i0 + TILE, rows);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const j1 = Math.min(j0 + TILE, cols);
        for (let i = i0; i < i1; i++) {
          const s = base + i * cols;
          for (let j = j0; j < j1; j++) dst[base + j * rows + i] = src[s + j]!;
        }
      }
    }
  }
  return out;
}

/**
 * XNNPACK's fast path in the wasm backend covers only `a · b` with neither operand
 * transposed; `transposeA`/`transposeB` fall back to a scalar loop that ran 10–40× slower
 * here. Every backward pass of a matmul uses transposed operands, so this wrapper
 * materialises the transpose (memory-bound, O(n²)) and calls the fast plain kernel (O(n³)).
 * Batched products go through `batchedAsLoop`. With a native product set (`setNativeGemm`, in
 * Node with `@tfjs-peft/native`) float32 products go there instead. The original kernel stays the
 * reference: see kernels.test.ts.
 */
const fastPath =
  (original: KernelConfig): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    const native = nativeWasmMatMul(inputs.a as TensorInfo, inputs.b as TensorInfo, transposeA, transposeB, backend);
    if (native != null) return native;
    if (!transposeA && !transposeB) {
      return batchedAsLoop(inputs.a as TensorInfo, inputs.b as TensorInfo, backend) ?? original.kernelFunc({ inputs, backend, attrs });
    }
    const transpose = getKernel('Transpose', original.backendName);
    if (transpose == null) return original.kernelFunc({ inputs, backend, attrs });
    const temps: TensorInfo[] = [];
    const swapLast = (x: TensorInfo): TensorInfo => {
      const r = x.shape.length;
      let out: TensorInfo;
      if (x.dtype === 'float32') out = transposeLastTwo(x, backend);
      else {
        const perm = [...Array(r).keys()];
        perm[r - 1] = r - 2;
        perm[r - 2] = r - 1;
        out = transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
      }
      temps.push(out);
      return out;
    };
    const a = transposeA ? swapLast(inputs.a as TensorInfo) : (inputs.a as TensorInfo);
    const b = transposeB ? swapLast(inputs.b as TensorInfo) : (inputs.b as TensorInfo);
    try {
      return batchedAsLoop(a, b, backend) ?? original.kernelFunc({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      for (const t of temps) (backend as unknown as Disposer).disposeData(t.dataId);
    }
  };

export function wrapTransposedMatMul(backendName: string): boolean {
  return overrideKernel('BatchMatMul', backendName, fastPath);
}

/**
 * Turns the transpose/batched fast path off (the backend's own kernel) or back on. Benchmarks use
 * it to measure before and after; returns whether the fast path is now active.
 */
export function setTransposedMatMulFastPath(backendName: string, enabled: boolean): boolean {
  return setKernelOverride('BatchMatMul', backendName, enabled, fastPath);
}
