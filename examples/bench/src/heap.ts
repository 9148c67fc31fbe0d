import * as tf from '@tensorflow/tfjs-core';

/**
 * The size of tfjs-backend-wasm's heap (its `WebAssembly.Memory`), or null on other backends. The
 * heap only grows, so its growth over a run is the high-water mark of what the run allocated,
 * allocator slack and Emscripten's growth steps included — the counterpart of the resident-memory
 * growth the PyTorch column reports.
 */
export function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const w = (tf.backend() as unknown as { wasm?: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory }; HEAPU8?: Uint8Array } }).wasm;
  const m = w?.wasmMemory ?? w?.asm?.memory;
  if (m) return m.buffer.byteLength;
  return w?.HEAPU8?.buffer.byteLength ?? null;
}
