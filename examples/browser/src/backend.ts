import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend, BackendError, type BackendInfo } from '@tfjs-peft/core';
// tfjs-backend-wasm fetches its binaries at start-up; a bundler has to be told where they end up
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export type PageBackend = 'auto' | 'webgpu' | 'wasm' | 'cpu';

export interface StartedBackend {
  info: BackendInfo;
  /** shown to the user when the backend asked for is not the one running */
  notice: string | null;
}

let wasmPathsSet = false;

/**
 * Starts the backend the user chose. `auto` and `webgpu` try WebGPU first and fall back to wasm
 * with a notice saying why (no adapter, WebGPU disabled, …); `auto` also takes a software WebGPU
 * adapter, since in a browser it is still the GPU path the user expects to see.
 */
export async function startBackend(choice: PageBackend): Promise<StartedBackend> {
  if (!wasmPathsSet) {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
    });
    wasmPathsSet = true;
  }
  if (choice === 'wasm' || choice === 'cpu') return { info: await initBackend(choice), notice: null };
  try {
    return { info: await initBackend('webgpu'), notice: null };
  } catch (e) {
    if (!(e instanceof BackendError)) throw e;
    const info = await initBackend('wasm');
    return { info, notice: `WebGPU is not available here (${e.message}); training on wasm instead.` };
  }
}
