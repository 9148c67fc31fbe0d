import { getKernel, registerKernel, type KernelFunc } from '@tensorflow/tfjs-core';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from '../fused-layer-norm';
import { GELU_GRAD_KERNEL, GELU_KERNEL, registerGeluGradient } from '../fused-gelu';
import { SOFTMAX_GRAD_KERNEL } from '../fused-softmax';
import { CROSS_ENTROPY_GRAD_KERNEL, CROSS_ENTROPY_KERNEL } from '../fused-cross-entropy';
import { webgpuLayerNorm, webgpuLayerNormGrad } from './layer-norm';
import { webgpuGelu, webgpuGeluGrad } from './gelu';
import { webgpuCrossEntropy, webgpuCrossEntropyGrad, webgpuSoftmaxGrad } from './softmax-cross-entropy';

const KERNELS: [string, KernelFunc][] = [
  [LAYER_NORM_KERNEL, webgpuLayerNorm],
  [LAYER_NORM_GRAD_KERNEL, webgpuLayerNormGrad],
  [GELU_KERNEL, webgpuGelu],
  [GELU_GRAD_KERNEL, webgpuGeluGrad],
  [SOFTMAX_GRAD_KERNEL, webgpuSoftmaxGrad],
  [CROSS_ENTROPY_KERNEL, webgpuCrossEntropy],
  [CROSS_ENTROPY_GRAD_KERNEL, webgpuCrossEntropyGrad],
];

/**
 * Registers the WGSL kernels on webgpu: LayerNorm forward and backward, GELU forward and backward
 * (both forms), the softmax gradient and the softmax cross-entropy forward and backward — the same
 * kernel names, inputs and outputs as the cpu and wasm kernels, so the ops pick them up the same way
 * (`setFusedKernels(false)` turns them off, and the composite ops stay the reference). Idempotent;
 * returns the kernels added now.
 */
export function registerWebGpuKernels(): string[] {
  registerGeluGradient();
  const added: string[] = [];
  for (const [kernelName, kernelFunc] of KERNELS) {
    if (getKernel(kernelName, 'webgpu') != null) continue;
    registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
    added.push(kernelName);
  }
  return added;
}
