import type { TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The parts of tfjs-backend-wasm's `BackendWasm` that tfjs-peft's kernels use (4.22; not public API,
 * so they are named here once). Heap views must be taken after `makeOutput`: an allocation may grow
 * the heap and detach earlier views.
 */
export interface WasmBackendInternals {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  dataIdNextNumber: number;
  wasm: {
    HEAPU8: Uint8Array;
    cwrap(name: string, ret: null, args: string[]): (...a: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
}

export const asWasm = (backend: unknown) => backend as WasmBackendInternals;

/** The byte offset of a tensor's data on the wasm heap (what the SIMD module's kernels take). */
export function heapOffset(be: WasmBackendInternals, t: TensorInfo): number {
  return be.dataIdMap.get(t.dataId)!.memoryOffset;
}

/** A float32 view of the whole wasm heap (take it after `makeOutput`: a growth replaces the buffer). */
export function heapFloat32(be: WasmBackendInternals): Float32Array {
  return new Float32Array(be.wasm.HEAPU8.buffer);
}
