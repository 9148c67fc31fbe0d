import { util, type GatherV2Attrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { overrideKernel, setKernelOverride } from './kernel-override';
import type { WasmBackendInternals } from './wasm-backend';

/**
 * `GatherV2` of whole rows (`axis` 0, no batch dims: every embedding lookup) on wasm. The backend's
 * kernel walks every element through index arithmetic (~20 ms for 1,024 rows of 256 here); this
 * copies each row with one `TypedArray.set` (a memcpy). Exact: it only moves values. An id outside
 * `[0, rows)` is an error naming it, as the backend's own check does; other gathers go to the original.
 */
const rowGather =
  (original: KernelConfig): KernelFunc =>
  (args) => {
    const x = args.inputs.x as TensorInfo;
    const indices = args.inputs.indices as TensorInfo;
    const { axis, batchDims } = args.attrs as unknown as GatherV2Attrs;
    const ax = util.parseAxisParam(axis, x.shape)[0];
    if (ax !== 0 || (batchDims ?? 0) !== 0 || indices.dtype !== 'int32' || x.shape.length < 1) return original.kernelFunc(args);
    const be = args.backend as unknown as WasmBackendInternals;
    const rows = x.shape[0]!;
    const width = util.sizeFromShape(x.shape.slice(1));
    const n = util.sizeFromShape(indices.shape);
    const check = be.typedArrayFromHeap(indices) as Int32Array;
    for (let i = 0; i < n; i++) {
      const id = check[i]!;
      if (id < 0 || id >= rows) throw new Error(`GatherV2: index ${id} (position ${i}) is not in [0, ${rows - 1}]`);
    }
    const out = be.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    // views after makeOutput: a heap growth detaches earlier ones
    const src = be.typedArrayFromHeap(x);
    const ids = be.typedArrayFromHeap(indices) as Int32Array;
    const dst = be.typedArrayFromHeap(out);
    for (let i = 0; i < n; i++) dst.set(src.subarray(ids[i]! * width, (ids[i]! + 1) * width), i * width);
    return out;
  };

export function overrideWasmGather(backendName = 'wasm'): boolean {
  return overrideKernel('GatherV2', backendName, rowGather);
}

/** Turns the row gather off (the backend's own kernel) or back on; returns whether it is now active. */
export function setRowGather(backendName: string, enabled: boolean): boolean {
  return setKernelOverride('GatherV2', backendName, enabled, rowGather);
}
