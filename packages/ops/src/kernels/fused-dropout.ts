import { registerGradient, type KernelFunc, type NamedAttrMap, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { elementwise, registerJsKernel } from './js-kernel';
import { simdKernels } from './simd/simd-module';
import { heapOffset, type WasmBackendInternals } from './wasm-backend';

export const DROPOUT_KERNEL = 'TfjsPeftDropout';
export const DROPOUT_GRAD_KERNEL = 'TfjsPeftDropoutGrad';

/**
 * The keep decision for element `i` of a dropout call with `seed`: a counter-based hash (lowbias32
 * of the index offset by a mix of the seed) turned into a uniform in [0, 1) with 24 bits. Counter
 * based, so any element's decision is recomputed from (seed, i) alone: the backward pass regenerates
 * the mask instead of keeping it, and every backend draws the same mask.
 */
export function seedMix(seed: number): number {
  let x = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/** Element i's draw: the top 24 bits of lowbias32(i + mix), a uniform integer in [0, 2²⁴). */
function hash24(i: number, mix: number): number {
  let x = (i + mix) | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 8;
}

/** Keep when uniform ≥ rate, i.e. when the 24-bit draw k ≥ rate·2²⁴ (exact: a power-of-two scale). */
export const threshold = (rate: number) => Math.ceil(rate * 16777216);

/**
 * `out[i] = x[i]·m[i]` with m = 1/(1−rate) where element i is kept, else 0 (forward and backward
 * alike). The scale is rounded to float32 first, so the product is the float32 product the composite
 * `x · mask` computes, bit for bit (signed zeros included). The hash is written out in the loop.
 */
function applyMask(out: Float32Array, x: Float32Array, rate: number, seed: number): void {
  const mix = seedMix(seed);
  const scale = Math.fround(1 / (1 - rate));
  const t = threshold(rate);
  const n = x.length;
  for (let i = 0; i < n; i++) {
    let h = (i + mix) | 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x846ca68b);
    h ^= h >>> 16;
    out[i] = x[i]! * (h >>> 8 >= t ? scale : 0);
  }
}

/** The mask itself (0 or 1/(1−rate)), for backends without the fused kernel. */
export function dropoutMask(size: number, rate: number, seed: number): Float32Array {
  const m = new Float32Array(size);
  const mix = seedMix(seed);
  const scale = Math.fround(1 / (1 - rate));
  const t = threshold(rate);
  for (let i = 0; i < size; i++) m[i] = hash24(i, mix) >= t ? scale : 0;
  return m;
}

const kernel =
  (input: 'x' | 'dy') =>
  (backendName: string): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const x = inputs[input] as TensorInfo;
    const { rate, seed } = attrs as { rate: number; seed: number };
    const simd = backendName === 'wasm' && x.dtype === 'float32' ? simdKernels(backend) : null;
    if (simd != null) {
      // the same mask on the SIMD module (i32x4 lanes), bit for bit
      const be = backend as unknown as WasmBackendInternals;
      const out = be.makeOutput(x.shape, 'float32');
      const n = x.shape.reduce((a, b) => a * b, 1);
      simd.dropout(heapOffset(be, x), heapOffset(be, out), n, seedMix(seed), threshold(rate), Math.fround(1 / (1 - rate)));
      return out;
    }
    return elementwise(backend, backendName, x.shape, [x], (out, xv) => applyMask(out, xv!, rate, seed));
  };

let gradientRegistered = false;

/** The fused dropout's gradient (the DROPOUT_GRAD kernel: the mask regenerated), for every backend. Idempotent. */
export function registerDropoutGradient(): void {
  if (gradientRegistered) return;
  registerGradient({
    kernelName: DROPOUT_KERNEL,
    inputsToSave: [],
    gradFunc: (dy: Tensor | Tensor[], _saved: Tensor[], attrs: NamedAttrMap) => ({
      x: () => tf.engine().runKernel(DROPOUT_GRAD_KERNEL, { dy: dy as Tensor }, attrs) as Tensor,
    }),
  });
  gradientRegistered = true;
}

/** Registers the fused dropout (nothing saved for backward: the mask is regenerated) for wasm and cpu. */
export function registerFusedDropout(backendName: string): boolean {
  registerDropoutGradient();
  const a = registerJsKernel(DROPOUT_KERNEL, kernel('x'), [backendName]);
  const b = registerJsKernel(DROPOUT_GRAD_KERNEL, kernel('dy'), [backendName]);
  return a.length > 0 || b.length > 0;
}
