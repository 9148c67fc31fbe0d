import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { seedMix, threshold } from '../fused-dropout';
import { elementwiseProgram, f32, i32, run, sizeOf } from './webgpu-program';

/**
 * WGSL dropout, forward and backward (the kernels of fused-dropout.ts): the same counter-based hash
 * in u32 arithmetic (WGSL's u32 products wrap as Math.imul does), so the mask is bit for bit the
 * one every other backend draws, computed on the GPU — the composite builds it in JavaScript and
 * uploads it on every call — and regenerated in the backward pass instead of kept.
 */
const dropoutProgram = (n: number) =>
  elementwiseProgram({
    key: 'dropout',
    inputs: ['x'],
    n,
    uniforms: 'mix : i32, threshold : i32, scale : f32,',
    body: `var h = bitcast<u32>(index) + bitcast<u32>(uniforms.mix);
      h ^= h >> 16u;
      h *= 0x7feb352du;
      h ^= h >> 15u;
      h *= 0x846ca68bu;
      h ^= h >> 16u;
      result[index] = x[index] * select(0.0, uniforms.scale, (h >> 8u) >= u32(uniforms.threshold));`,
  });

const kernel =
  (input: 'x' | 'dy'): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const x = inputs[input] as TensorInfo;
    const { rate, seed } = attrs as { rate: number; seed: number };
    const n = sizeOf(x.shape);
    return run(backend, dropoutProgram(n), [x], x.shape, [i32(n), i32(seedMix(seed)), i32(threshold(rate)), f32(Math.fround(1 / (1 - rate)))]);
  };

export const webgpuDropout = kernel('x');
export const webgpuDropoutGrad = kernel('dy');
