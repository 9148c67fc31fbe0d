import * as tf from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';

let enabled = true;

/**
 * Turns tfjs-peft's fused kernels (GELU, dropout) off — ops then use their composite forms, the
 * reference the fused kernels are tested against — or back on. Returns the previous setting.
 */
export function setFusedKernels(on: boolean): boolean {
  const before = enabled;
  enabled = on;
  return before;
}

/** Whether an op should run `kernelName`: fused kernels on and the active backend has it. */
export function useFused(kernelName: string): boolean {
  return enabled && getKernel(kernelName, tf.getBackend()) != null;
}
