import * as tf from '@tensorflow/tfjs-core';
import { loadBackend, installNodeWebGPU, BackendError, type BackendName, type LoadBackendOptions } from '@tfjs-peft/ops';

export type BackendChoice = 'auto' | BackendName;

export interface BackendInfo {
  /** the tfjs backend now active */
  name: BackendName;
  /** the npm package that provides it */
  package: string;
  /** kernels tfjs-peft added or replaced for it */
  kernels: string[];
  /** for 'auto': why each better backend was not taken */
  skipped: string[];
  /** wasm: the XNNPACK pool size (1 = the single-threaded build); 1 for other backends */
  threads: number;
  /** what did not go as asked without being an error (e.g. wasm threads unavailable) */
  notes: string[];
  /** wasm/cpu in Node: the native matrix product in use (`'avx512, 2 threads'`), or null */
  native: string | null;
}

/** The order 'auto' tries: the fastest that starts wins. */
export const AUTO_ORDER: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

export interface InitBackendOptions extends LoadBackendOptions {
  /**
   * Let 'auto' take a software WebGPU adapter (SwiftShader, lavapipe). Off by default: they are
   * correct but 10–100× slower than wasm. Naming 'webgpu' explicitly always accepts them.
   */
  allowSoftwareWebGPU?: boolean;
}

/**
 * Selects and starts a tfjs backend. `'tensorflow'` is `@tensorflow/tfjs-node-gpu` or
 * `@tensorflow/tfjs-node` (optional, loaded with `import()`), `'webgpu'` is the browser's WebGPU
 * or Node's through the `webgpu` package, `'auto'` takes the best that starts.
 * A named backend that cannot start is a `BackendError` that says why; never a silent fallback.
 */
export async function initBackend(name: BackendChoice = 'auto', options: InitBackendOptions = {}): Promise<BackendInfo> {
  if (name !== 'auto') {
    if (!AUTO_ORDER.includes(name)) {
      throw new BackendError(`unknown backend "${String(name)}"; expected one of auto, ${AUTO_ORDER.join(', ')}`);
    }
    const r = await loadBackend(name, options);
    return { ...r, skipped: [] };
  }
  const skipped: string[] = [];
  for (const candidate of AUTO_ORDER) {
    if (candidate === 'webgpu' && !options.allowSoftwareWebGPU) {
      const probe = await installNodeWebGPU().catch((e: Error) => ({ installed: false, reason: e.message, adapter: undefined }));
      if (!probe.installed) {
        skipped.push(`webgpu: ${probe.reason ?? 'not available'}`);
        continue;
      }
      if (probe.adapter?.isFallback) {
        skipped.push(`webgpu: only a software adapter (${probe.adapter.description || probe.adapter.vendor}) is available`);
        continue;
      }
    }
    try {
      const r = await loadBackend(candidate, options);
      return { ...r, skipped };
    } catch (e) {
      skipped.push((e as Error).message);
    }
  }
  throw new BackendError(`no backend could start:\n  ${skipped.join('\n  ')}`);
}

/** The active backend's name, or throws when none was initialised. */
export function currentBackend(): string {
  return tf.getBackend();
}
