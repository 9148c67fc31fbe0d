import * as tf from '@tensorflow/tfjs-core';
import { wasmHeapBytes as heapOf } from '@tfjs-peft/core/kernels';

/**
 * The active backend's wasm heap size, or null on other backends: its growth over a run is the
 * high-water mark of what the run allocated (allocator slack, XNNPACK's packed weights and
 * Emscripten's growth steps included) — the counterpart of PyTorch's resident-memory growth.
 */
export function wasmHeapBytes(): number | null {
  return tf.getBackend() === 'wasm' ? heapOf(tf.backend()) : null;
}
