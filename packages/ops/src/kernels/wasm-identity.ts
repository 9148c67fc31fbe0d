import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

const SHARED = Symbol.for('tfjs-peft.sharedIdentity');
const ORIGINAL = Symbol.for('tfjs-peft.sharedIdentity.original');

/**
 * The wasm backend's `Identity` copies its input. tfjs clones every tensor the gradient tape
 * saves for backward, so on wasm each saved activation was held twice and copied once: measured
 * on BERT-mini LayerNorm-only, copies were 362 MiB of a 723 MiB step. Tensors are immutable, so a
 * clone can share the buffer with a reference count, as the cpu backend and wasm's own `Reshape`
 * do. Strings keep the original kernel.
 */
export function shareWasmIdentity(backendName = 'wasm'): boolean {
  const original = getKernel('Identity', backendName);
  if (original == null) return false;
  if ((original as unknown as Record<symbol, unknown>)[SHARED]) return true;
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return original.kernelFunc(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  const config: KernelConfig = { ...original, kernelFunc };
  (config as unknown as Record<symbol, unknown>)[SHARED] = true;
  (config as unknown as Record<symbol, unknown>)[ORIGINAL] = original;
  unregisterKernel('Identity', backendName);
  registerKernel(config);
  return true;
}

/** Switches between the sharing kernel and the backend's copying one (benchmarks, tests). */
export function setSharedIdentity(backendName: string, enabled: boolean): boolean {
  const current = getKernel('Identity', backendName) as unknown as Record<symbol, unknown> | undefined;
  if (current == null) return false;
  if (enabled && !current[SHARED]) return shareWasmIdentity(backendName);
  if (!enabled && current[SHARED]) {
    unregisterKernel('Identity', backendName);
    registerKernel(current[ORIGINAL] as KernelConfig);
  }
  return enabled;
}
