import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { elementwiseOutputs, registerJsKernel } from './js-kernel';
import { simdKernels } from './simd/simd-module';
import type { AdamWHyper } from '../adamw-update';
import { heapFloat32, heapOffset, type WasmBackendInternals } from './wasm-backend';
import { nativeGemm } from './native-mat-mul';

/** @tfjs-peft/native's threaded AdamW when it is in use (and new enough to have one). */
const nativeAdamW = () => {
  const n = nativeGemm();
  return n?.adamw ? n : null;
};

export const ADAMW_KERNEL = 'TfjsPeftAdamW';

/** The scalar loop (cpu backend), in float64 per element, kept monomorphic. */
function update(
  po: Float32Array,
  mo: Float32Array,
  vo: Float32Array,
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  b1: number,
  b2: number,
  eps: number,
  decay: number,
  step: number,
  sqrtC2: number,
): void {
  const n = p.length;
  const a1 = 1 - b1;
  const a2 = 1 - b2;
  for (let i = 0; i < n; i++) {
    const gr = g[i]!;
    const m1 = b1 * m[i]! + a1 * gr;
    const v1 = b2 * v[i]! + a2 * gr * gr;
    mo[i] = m1;
    vo[i] = v1;
    po[i] = p[i]! * decay - (step * m1) / (Math.sqrt(v1) / sqrtC2 + eps);
  }
}

const cpuKernel =
  (backendName: string): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const { p, g, m, v } = inputs as Record<'p' | 'g' | 'm' | 'v', TensorInfo>;
    const h = attrs as unknown as AdamWHyper;
    const [b1, b2, eps, decay, step, sqrtC2] = [h.beta1, h.beta2, h.eps, 1 - h.lr * h.weightDecay, h.lr / h.c1, Math.sqrt(h.c2)];
    const native = nativeAdamW();
    return elementwiseOutputs(backend, backendName, p.shape, 3, [p, g, m, v], (o, pi, gi, mi, vi) =>
      native
        ? native.adamw!([pi!, gi!, mi!, vi!, o[0]!, o[1]!, o[2]!], [0, 0, 0, 0, 0, 0, 0], pi!.length, b1, b2, eps, decay, step, 1 / sqrtC2)
        : update(o[0]!, o[1]!, o[2]!, pi!, gi!, mi!, vi!, b1, b2, eps, decay, step, sqrtC2),
    );
  };

/** wasm: the SIMD kernel, reading and writing tfjs's heap in place (outputs allocated by the backend). */
const wasmKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { p, g, m, v } = inputs as Record<'p' | 'g' | 'm' | 'v', TensorInfo>;
  const h = attrs as unknown as AdamWHyper;
  const be = backend as unknown as WasmBackendInternals;
  const k = simdKernels(backend)!;
  const outs = [be.makeOutput(p.shape, 'float32'), be.makeOutput(p.shape, 'float32'), be.makeOutput(p.shape, 'float32')];
  const at = (t: TensorInfo) => heapOffset(be, t);
  const n = p.shape.reduce((a, b) => a * b, 1);
  const native = nativeAdamW();
  if (native) {
    // the heap as a Float32Array after the outputs were allocated (allocation may grow and replace it)
    const heap = heapFloat32(be);
    const all = [p, g, m, v, ...outs];
    native.adamw!(
      all.map(() => heap),
      all.map((t) => at(t) / 4),
      n,
      h.beta1,
      h.beta2,
      h.eps,
      1 - h.lr * h.weightDecay,
      h.lr / h.c1,
      1 / Math.sqrt(h.c2),
    );
    return outs;
  }
  k.adamw(at(p), at(g), at(m), at(v), at(outs[0]!), at(outs[1]!), at(outs[2]!), n, h.beta1, h.beta2, h.eps, 1 - h.lr * h.weightDecay, h.lr / h.c1, 1 / Math.sqrt(h.c2));
  return outs;
};

/** cpu: the scalar JavaScript kernel (one pass instead of the cpu backend's dozen). */
export function registerCpuAdamW(): boolean {
  return registerJsKernel(ADAMW_KERNEL, cpuKernel, ['cpu']).length > 0;
}

/** wasm: the SIMD kernel; call once `instantiateSimdKernels` has succeeded for the backend. */
export function registerWasmAdamW(): boolean {
  return registerJsKernel(ADAMW_KERNEL, () => wasmKernel, ['wasm']).length > 0;
}
