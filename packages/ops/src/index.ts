import './register-gradients';

// The functional ops, their gradients and errors, and starting a backend. Kernel registration
// and the global switches that tune backends live in '@tfjs-peft/ops/kernels' (./kernels.ts).
export { linear } from './linear';
export { gelu, relu, silu, activation, type GeluApproximate, type ActivationName } from './activations';
export { layerNorm } from './layer-norm';
export { softmax, logSoftmax } from './softmax';
export { attention, MASK_VALUE, type AttentionOptions } from './attention';
export { crossEntropy, type CrossEntropyOptions, type Reduction } from './cross-entropy';
export { mse } from './mse';
export { dropout } from './dropout';
export { gradients, variableGrads } from './gradients';
export { reshapeView, addBias, addResidual, scaleShift, requiresGrad } from './lean-grad';
export { embedding } from './embedding';
export { adamwUpdate, type AdamWHyper } from './adamw-update';
export { TfjsPeftError, OpInputError, BackendError, GradientError } from './errors';
export { loadBackend, type BackendName, type LoadBackendOptions } from './backend/load-backend';
export { installNodeWebGPU, releaseNodeWebGPU, type NodeWebGPUInfo } from './backend/node-webgpu';
