import { wrapTransposedMatMul } from './wasm-batch-mat-mul';
import { registerWasmUnsortedSegmentSum } from './wasm-unsorted-segment-sum';
import { shareWasmIdentity } from './wasm-identity';
import { overrideWasmSum } from './wasm-sum';
import { overrideWasmGather } from './wasm-gather';
import { registerFusedGelu } from './fused-gelu';
import { registerFusedDropout } from './fused-dropout';
import { registerCpuAdamW, registerWasmAdamW } from './fused-adamw';
import { registerFusedLayerNorm } from './fused-layer-norm';
import { overrideCpuMatMul } from './native-mat-mul';
import { registerBf16MatMul } from './bf16-mat-mul';
import { registerFusedSoftmax } from './fused-softmax';
import { registerFusedCrossEntropy } from './fused-cross-entropy';
import { overrideWasmBroadcastBinary } from './wasm-broadcast-binary';
import { instantiateSimdKernels, simdKernelsUnavailable } from './simd/simd-module';
import { registerWebGpuKernels } from './webgpu/register';

/**
 * Registers the kernels tfjs-peft adds to a backend: the ones it lacks and faster routes
 * for ones it runs slowly. Idempotent. Call it after the backend's package is imported
 * (`initBackend` from `@tfjs-peft/core` does this for you).
 */
export function registerBackendKernels(backendName: string): string[] {
  const added: string[] = [];
  if (backendName === 'wasm' || backendName === 'cpu') {
    if (registerFusedDropout(backendName)) added.push('Dropout(fused, mask regenerated in backward)');
    registerBf16MatMul(backendName); // runs only with a native product and setFrozenMatMulPrecision('bf16')
  }
  // one scalar JavaScript pass beats the cpu backend's dozen JavaScript kernels (on wasm it would
  // lose to the backend's SIMD kernels: 94 vs 35 ms for GELU forward+backward per million elements;
  // there the SIMD module takes over, see registerSimdKernels)
  if (backendName === 'cpu') {
    if (registerFusedGelu(backendName)) added.push('Gelu(fused)');
    if (registerCpuAdamW()) added.push('AdamW(fused)');
    if (registerFusedLayerNorm(backendName)) added.push('LayerNorm(fused)');
    if (registerFusedSoftmax(backendName)) added.push('Softmax(fused)');
    if (registerFusedCrossEntropy(backendName)) added.push('CrossEntropy(fused)');
    overrideCpuMatMul(); // routes to the native product only while one is set (loadBackend reports it)
  }
  if (backendName === 'wasm') {
    if (registerWasmUnsortedSegmentSum(backendName)) added.push('UnsortedSegmentSum');
    if (wrapTransposedMatMul(backendName)) added.push('BatchMatMul(transpose fast path)');
    if (shareWasmIdentity(backendName)) added.push('Identity(shared buffer)');
    if (overrideWasmSum(backendName)) added.push('Sum(leading axes)');
    if (overrideWasmGather(backendName)) added.push('GatherV2(rows)');
  }
  if (backendName === 'webgpu' && registerWebGpuKernels().length > 0) added.push('LayerNorm, Gelu, SoftmaxGrad, CrossEntropy, AdamW, Dropout (fused, WGSL)');
  return added;
}

/**
 * wasm: instantiates the SIMD kernels (wasm/kernels.ts, AssemblyScript) on the backend's own heap and
 * registers GELU, AdamW, LayerNorm and broadcasting binary ops on them. Asynchronous (browsers compile wasm asynchronously); `loadBackend`
 * awaits it. Returns what was added, or the reason nothing was (e.g. no WebAssembly SIMD).
 */
export async function registerSimdKernels(backend: unknown, backendName = 'wasm'): Promise<string[]> {
  if (backendName !== 'wasm') return [];
  if (!(await instantiateSimdKernels(backend))) return [`SIMD kernels unavailable: ${simdKernelsUnavailable(backend) ?? 'unknown'}`];
  const added: string[] = [];
  if (registerFusedGelu('wasm')) added.push('Gelu(SIMD)');
  if (registerWasmAdamW()) added.push('AdamW(SIMD)');
  if (registerFusedLayerNorm('wasm')) added.push('LayerNorm(SIMD)');
  if (registerFusedSoftmax('wasm')) added.push('SoftmaxGrad(SIMD)');
  if (registerFusedCrossEntropy('wasm')) added.push('CrossEntropy(SIMD)');
  if (overrideWasmBroadcastBinary()) added.push('Add/Sub/Multiply/RealDiv(broadcast, SIMD)');
  return added;
}
