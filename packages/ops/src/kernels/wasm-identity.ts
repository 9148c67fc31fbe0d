import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { overrideKernel, setKernelOverride } from './kernel-override';

/**
 * The wasm backend's `Identity` copies its input. tfjs clones every tensor the gradient tape
 * saves for backward, so on wasm each saved activation was held twice and copied once: measured
 * on BERT-mini LayerNorm-only, copies were 362 MiB of a 723 MiB step. Tensors are immutable, so a
 * clone can share the buffer with a reference count, as the cpu backend and wasm's own `Reshape`
 * do. Strings keep the original kernel.
 */
const sharing =
  (original: KernelConfig): KernelFunc =>
  (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return original.kernelFunc(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };

export function shareWasmIdentity(backendName = 'wasm'): boolean {
  return overrideKernel('Identity', backendName, sharing);
}

/** Switches between the sharing kernel and the backend's copying one (benchmarks, tests). */
export function setSharedIdentity(backendName: string, enabled: boolean): boolean {
  return setKernelOverride('Identity', backendName, enabled, sharing);
}
