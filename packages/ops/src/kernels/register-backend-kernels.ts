import { wrapTransposedMatMul } from './wasm-batch-mat-mul';
import { registerWasmUnsortedSegmentSum } from './wasm-unsorted-segment-sum';
import { shareWasmIdentity } from './wasm-identity';

/**
 * Registers the kernels tfjs-peft adds to a backend: the ones it lacks and faster routes
 * for ones it runs slowly. Idempotent. Call it after the backend's package is imported
 * (`initBackend` from `@tfjs-peft/core` does this for you).
 */
export function registerBackendKernels(backendName: string): string[] {
  const added: string[] = [];
  if (backendName === 'wasm') {
    if (registerWasmUnsortedSegmentSum(backendName)) added.push('UnsortedSegmentSum');
    if (wrapTransposedMatMul(backendName)) added.push('BatchMatMul(transpose fast path)');
    if (shareWasmIdentity(backendName)) added.push('Identity(shared buffer)');
  }
  return added;
}
