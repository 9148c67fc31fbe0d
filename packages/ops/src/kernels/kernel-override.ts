import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';

const ORIGINAL = Symbol.for('tfjs-peft.kernelOverride.original');

type Marked = KernelConfig & { [ORIGINAL]?: KernelConfig };

/**
 * Puts a kernel built from the backend's own (`make(original)`) in its place. Idempotent; the
 * original is kept on the replacement so `setKernelOverride(…, false)` can put it back (benchmarks
 * measure before/after that way, tests use the original as the reference).
 */
export function overrideKernel(kernelName: string, backendName: string, make: (original: KernelConfig) => KernelFunc): boolean {
  const current = getKernel(kernelName, backendName) as Marked | undefined;
  if (current == null) return false;
  if (current[ORIGINAL]) return true;
  const replacement: Marked = { ...current, kernelFunc: make(current) };
  replacement[ORIGINAL] = current;
  unregisterKernel(kernelName, backendName);
  registerKernel(replacement);
  return true;
}

/** Turns an override on (building it with `make`) or off (the backend's own kernel); returns `enabled`, or false when the kernel does not exist. */
export function setKernelOverride(kernelName: string, backendName: string, enabled: boolean, make: (original: KernelConfig) => KernelFunc): boolean {
  const current = getKernel(kernelName, backendName) as Marked | undefined;
  if (current == null) return false;
  if (enabled) return overrideKernel(kernelName, backendName, make);
  const original = current[ORIGINAL];
  if (original) {
    unregisterKernel(kernelName, backendName);
    registerKernel(original);
  }
  return false;
}
