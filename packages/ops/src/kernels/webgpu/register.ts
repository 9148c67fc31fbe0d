import { getKernel, registerKernel, type KernelFunc } from '@tensorflow/tfjs-core';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from '../fused-layer-norm';
import { GELU_GRAD_KERNEL, GELU_KERNEL, registerGeluGradient } from '../fused-gelu';
import { SOFTMAX_GRAD_KERNEL } from '../fused-softmax';
import { CROSS_ENTROPY_GRAD_KERNEL, CROSS_ENTROPY_KERNEL } from '../fused-cross-entropy';
import { webgpuLayerNorm, webgpuLayerNormGrad } from './layer-norm';
import { webgpuGelu, webgpuGeluGrad } from './gelu';
import { ADAMW_KERNEL } from '../fused-adamw';
import { DROPOUT_GRAD_KERNEL, DROPOUT_KERNEL, registerDropoutGradient } from '../fused-dropout';
import { webgpuDropout, webgpuDropoutGrad } from './dropout';
import { webgpuAdamW } from './adamw';
import { webgpuCrossEntropy, webgpuCrossEntropyGrad, webgpuSoftmaxGrad } from './softmax-cross-entropy';

const KERNELS: [string, KernelFunc][] = [
  [LAYER_NORM_KERNEL, webgpuLayerNorm],
  [LAYER_NORM_GRAD_KERNEL, webgpuLayerNormGrad],
  [GELU_KERNEL, webgpuGelu],
  [GELU_GRAD_KERNEL, webgpuGeluGrad],
  [SOFTMAX_GRAD_KERNEL, webgpuSoftmaxGrad],
  [CROSS_ENTROPY_KERNEL, webgpuCrossEntropy],
  [CROSS_ENTROPY_GRAD_KERNEL, webgpuCrossEntropyGrad],
  [ADAMW_KERNEL, webgpuAdamW],
  [DROPOUT_KERNEL, webgpuDropout],
  [DROPOUT_GRAD_KERNEL, webgpuDropoutGrad],
];

/**
 * Registers the WGSL kernels on webgpu: LayerNorm forward and backward, GELU forward and backward
 * (both forms), the softmax gradient, the softmax cross-entropy forward and backward, AdamW's
 * update (`adamwUpdate`, the Trainer's optimizer) and dropout (the mask hashed on the GPU) — the same
 * kernel names, inputs and outputs as the cpu and wasm kernels, so the ops pick them up the same way
 * (`setFusedKernels(false)` turns them off, and the composite ops stay the reference). Idempotent;
 * returns the kernels added now.
 */
export function registerWebGpuKernels(): string[] {
  registerGeluGradient();
  registerDropoutGradient();
  const added: string[] = [];
  for (const [kernelName, kernelFunc] of KERNELS) {
    if (getKernel(kernelName, 'webgpu') != null) continue;
    registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
    added.push(kernelName);
  }
  return added;
}
