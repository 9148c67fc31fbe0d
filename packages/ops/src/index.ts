import './register-gradients';

export { linear } from './linear';
export { gelu, relu, silu, activation, type GeluApproximate, type ActivationName } from './activations';
export { layerNorm } from './layer-norm';
export { softmax, logSoftmax } from './softmax';
export { attention, MASK_VALUE, type AttentionOptions } from './attention';
export { crossEntropy, type CrossEntropyOptions, type Reduction } from './cross-entropy';
export { mse } from './mse';
export { dropout } from './dropout';
export { embedding } from './embedding';
export { registerBackendKernels } from './kernels/register-backend-kernels';
export { wrapTransposedMatMul, setTransposedMatMulFastPath } from './kernels/wasm-batch-mat-mul';
export { shareWasmIdentity, setSharedIdentity } from './kernels/wasm-identity';
export { OpInputError } from './errors';
export { loadBackend, BackendError, type BackendName, type LoadBackendOptions } from './backend/load-backend';
export { defaultWasmThreads } from './backend/wasm-threads';
export { installNodeWebGPU, releaseNodeWebGPU, type NodeWebGPUInfo } from './backend/node-webgpu';
