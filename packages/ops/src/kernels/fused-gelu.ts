import { registerGradient, type KernelFunc, type NamedAttrMap, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { elementwise, registerJsKernel } from './js-kernel';
import { simdKernels, type SimdKernels } from './simd/simd-module';
import { heapFloat32, heapOffset, type WasmBackendInternals } from './wasm-backend';
import { nativeGemm } from './native-mat-mul';

export const GELU_KERNEL = 'TfjsPeftGelu';
export const GELU_GRAD_KERNEL = 'TfjsPeftGeluGrad';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * erf(x) by W. J. Cody's rational Chebyshev approximations (as in most C libraries), in float64:
 * relative error below 1e-15, far inside float32. Three ranges: |x| < 0.5, < 4, and beyond.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    const p = (((0.185777706184603153 * t + 3.1611237438705656) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    const q = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return (x * p) / q;
  }
  let erfc: number;
  if (ax < 4) {
    const p =
      (((((((2.15311535474403846e-8 * ax + 0.564188496988670089) * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax + 298.635138197400131) * ax + 881.95222124176909) *
        ax +
        1712.04761263407058) *
        ax +
        2051.07837782607147) *
        ax +
      1230.33935479799725;
    const q =
      (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax + 3290.79923573345963) * ax + 4362.61909014324716) *
        ax +
        3439.36767414372164) *
        ax +
      1230.33935480374942;
    erfc = (Math.exp(-ax * ax) * p) / q;
  } else {
    const z = 1 / (ax * ax);
    const p =
      ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z + 0.125781726111229246) * z + 0.0160837851487422766) * z + 0.000658749161529837803;
    const q = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 0.527905102951428412) * z + 0.0605183413124413191) * z + 0.00233520497626869185;
    erfc = (Math.exp(-ax * ax) / ax) * (1 / Math.sqrt(Math.PI) - (z * p) / q);
  }
  return x < 0 ? erfc - 1 : 1 - erfc;
}

type Approximate = 'none' | 'tanh';

function forward(out: Float32Array, x: Float32Array, approximate: Approximate): void {
  if (approximate === 'tanh') {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
    }
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = 0.5 * v * (1 + erf(v * SQRT1_2));
    }
  }
}

function backward(out: Float32Array, dy: Float32Array, x: Float32Array, approximate: Approximate): void {
  if (approximate === 'tanh') {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      const t = Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v));
      const du = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v);
      out[i] = dy[i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du);
    }
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = dy[i]! * (0.5 * (1 + erf(v * SQRT1_2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
    }
  }
}

// the exact form on @tfjs-peft/native when it is in use (vectorised, on the thread pool): wasm and cpu
const nativeGelu = (approximate: Approximate) => (approximate === 'none' ? nativeGemm() : null);

const geluKernel =
  (backendName: string): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const x = inputs.x as TensorInfo;
    const approximate = (attrs as { approximate: Approximate }).approximate;
    const native = nativeGelu(approximate);
    return elementwise(backend, backendName, x.shape, [x], (out, xv) => (native ? native.geluForward(xv!, 0, out, 0, out.length) : forward(out, xv!, approximate)));
  };

const geluGradKernel =
  (backendName: string): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const x = inputs.x as TensorInfo;
    const dy = inputs.dy as TensorInfo;
    const approximate = (attrs as { approximate: Approximate }).approximate;
    const native = nativeGelu(approximate);
    return elementwise(backend, backendName, x.shape, [dy, x], (out, dyv, xv) =>
      native ? native.geluBackward(dyv!, 0, xv!, 0, out, 0, out.length) : backward(out, dyv!, xv!, approximate),
    );
  };

/**
 * wasm: the SIMD kernels of wasm/kernels.ts on tfjs's heap (erf by Eigen's rational approximation,
 * exp by Cephes'); `pick` chooses the exact or tanh form, called with heap offsets and the size.
 */
const wasmKernel =
  (inputNames: ('dy' | 'x')[], pick: (k: SimdKernels, tanh: boolean) => (...offsetsAndSize: number[]) => void): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const ins = inputNames.map((n) => inputs[n] as TensorInfo);
    const be = backend as unknown as WasmBackendInternals;
    const out = be.makeOutput(ins[0]!.shape, 'float32');
    const n = ins[0]!.shape.reduce((a, b) => a * b, 1);
    const native = nativeGelu((attrs as { approximate: Approximate }).approximate);
    if (native) {
      // element offsets into one view of the heap
      const heap = heapFloat32(be);
      const at = ins.map((t) => heapOffset(be, t) / 4);
      if (ins.length === 1) native.geluForward(heap, at[0]!, heap, heapOffset(be, out) / 4, n);
      else native.geluBackward(heap, at[0]!, heap, at[1]!, heap, heapOffset(be, out) / 4, n);
      return out;
    }
    pick(simdKernels(backend)!, (attrs as { approximate: Approximate }).approximate === 'tanh')(...ins.map((t) => heapOffset(be, t)), heapOffset(be, out), n);
    return out;
  };
const wasmGelu = wasmKernel(['x'], (k, tanh) => (tanh ? k.geluTanhForward : k.geluForward));
const wasmGeluGrad = wasmKernel(['dy', 'x'], (k, tanh) => (tanh ? k.geluTanhBackward : k.geluBackward));

let gradientRegistered = false;

/** The gradient of the fused GELU kernel (the GELU_GRAD kernel of the same backend), for every backend. Idempotent. */
export function registerGeluGradient(): void {
  if (gradientRegistered) return;
  registerGradient({
    kernelName: GELU_KERNEL,
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => ({
      x: () => tf.engine().runKernel(GELU_GRAD_KERNEL, { dy: dy as Tensor, x: saved[0]! }, attrs) as Tensor,
    }),
  });
  gradientRegistered = true;
}

/**
 * Registers the fused GELU (forward and backward) and its gradient: scalar JavaScript on cpu, the
 * SIMD module on wasm (call once `instantiateSimdKernels` has succeeded). Idempotent.
 */
export function registerFusedGelu(backendName: string): boolean {
  registerGeluGradient();
  const wasm = backendName === 'wasm';
  const a = registerJsKernel(GELU_KERNEL, wasm ? () => wasmGelu : geluKernel, [backendName]);
  const b = registerJsKernel(GELU_GRAD_KERNEL, wasm ? () => wasmGeluGrad : geluGradKernel, [backendName]);
  return a.length > 0 || b.length > 0;
}
