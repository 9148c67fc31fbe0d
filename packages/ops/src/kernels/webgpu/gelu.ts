import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { elementwiseProgram, i32, run, sizeOf } from './webgpu-program';

/**
 * WGSL GELU forward and backward for the kernels of fused-gelu.ts. WGSL has no erf: the exact form
 * uses the rational approximation on [-4, 4] of the wasm SIMD module (Eigen's, |error| < 1e-7,
 * ±1 beyond); the tanh form clamps tanh's argument (some drivers return NaN for tanh of a large
 * argument).
 */
const FUNCTIONS = `
  fn tfjsPeftErf(a : f32) -> f32 {
    let x = clamp(a, -4.0, 4.0);
    let x2 = x * x;
    var p = -2.72614225801306e-10;
    p = p * x2 + 2.77068142495902e-8;
    p = p * x2 - 2.10102402082508e-6;
    p = p * x2 - 5.69250639462346e-5;
    p = p * x2 - 7.34990630326855e-4;
    p = p * x2 - 2.95459980854025e-3;
    p = p * x2 - 1.60960333262415e-2;
    var q = -1.45660718464996e-5;
    q = q * x2 - 2.13374055278905e-4;
    q = q * x2 - 1.68282697438203e-3;
    q = q * x2 - 7.37332916720468e-3;
    q = q * x2 - 1.42647390514189e-2;
    return x * p / q;
  }
  fn tfjsPeftTanh(a : f32) -> f32 { return tanh(clamp(a, -15.0, 15.0)); }
  const SQRT1_2 = 0.7071067811865476;
  const INV_SQRT_2PI = 0.3989422804014327;
  const SQRT_2_OVER_PI = 0.7978845608028654;`;

const EXPRESSIONS = {
  forward: {
    none: 'let v = x[index]; result[index] = 0.5 * v * (1.0 + tfjsPeftErf(v * SQRT1_2));',
    tanh: 'let v = x[index]; result[index] = 0.5 * v * (1.0 + tfjsPeftTanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));',
  },
  backward: {
    none: 'let v = x[index]; result[index] = dy[index] * (0.5 * (1.0 + tfjsPeftErf(v * SQRT1_2)) + v * INV_SQRT_2PI * exp(-0.5 * v * v));',
    tanh: `let v = x[index];
      let t = tfjsPeftTanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v));
      let du = SQRT_2_OVER_PI * (1.0 + 3.0 * 0.044715 * v * v);
      result[index] = dy[index] * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * du);`,
  },
} as const;

type Approximate = 'none' | 'tanh';

const geluProgram = (direction: 'forward' | 'backward', approximate: Approximate, n: number) =>
  elementwiseProgram({
    key: `gelu_${direction}_${approximate}`,
    inputs: direction === 'forward' ? ['x'] : ['dy', 'x'],
    n,
    functions: FUNCTIONS,
    body: EXPRESSIONS[direction][approximate],
  });

export const webgpuGelu: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const n = sizeOf(x.shape);
  return run(backend, geluProgram('forward', (attrs as { approximate: Approximate }).approximate, n), [x], x.shape, [i32(n)]);
};

export const webgpuGeluGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x } = inputs as Record<'dy' | 'x', TensorInfo>;
  const n = sizeOf(x.shape);
  return run(backend, geluProgram('backward', (attrs as { approximate: Approximate }).approximate, n), [dy, x], x.shape, [i32(n)]);
};
