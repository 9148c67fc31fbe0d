import './register-gradients';

// '@tfjs-peft/ops/kernels': the kernels tfjs-peft registers per backend and the process-wide
// switches that tune them. `loadBackend` already registers and configures everything; these are
// for benchmarks, A/B checks against tfjs's own kernels, and custom backends.
export { setLowMemoryBackprop } from './gradients';
export { registerBackendKernels, registerSimdKernels } from './kernels/register-backend-kernels';
export { wrapTransposedMatMul, setTransposedMatMulFastPath } from './kernels/wasm-batch-mat-mul';
export { setNativeGemm, nativeGemm, planGemm, type NativeGemm, type GemmPlan } from './kernels/native-mat-mul';
export { setFrozenMatMulPrecision, frozenMatMulPrecision, bf16MatMul, frozenMatMul, type FrozenMatMulPrecision } from './kernels/bf16-mat-mul';
export { shareWasmIdentity, setSharedIdentity } from './kernels/wasm-identity';
export { overrideWasmSum, setLeadingAxesSum } from './kernels/wasm-sum';
export { overrideWasmGather, setRowGather } from './kernels/wasm-gather';
export { overrideWasmBroadcastBinary, setBroadcastBinary, planBroadcast, type BroadcastPlan } from './kernels/wasm-broadcast-binary';
export { setFusedKernels, useFused } from './kernels/fused-switch';
export { elementwise, elementwiseOutputs, registerJsKernel, JS_KERNEL_BACKENDS } from './kernels/js-kernel';
export { defaultWasmThreads } from './backend/wasm-threads';
export { wasmHeapBytes } from './kernels/simd/simd-module';
