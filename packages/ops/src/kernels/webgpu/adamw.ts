import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { AdamWHyper } from '../../adamw-update';
import { elementwiseProgram, f32, i32, run, sizeOf } from './webgpu-program';

/**
 * WGSL AdamW (the kernel of fused-adamw.ts: inputs p, g, m, v; outputs p', m', v'), one
 * element-wise program per output — three where the composite runs ~12, each with a temporary the
 * size of the parameter. The step's scalars are uniforms, so a schedule's changing learning rate
 * reuses the same pipelines.
 */
const UNIFORMS = 'beta1 : f32, beta2 : f32, eps : f32, decay : f32, step : f32, sqrtC2 : f32,';

const EXPRESSIONS = {
  m: 'uniforms.beta1 * m[index] + (1.0 - uniforms.beta1) * g[index]',
  v: 'uniforms.beta2 * v[index] + (1.0 - uniforms.beta2) * g[index] * g[index]',
  p: `p[index] * uniforms.decay - uniforms.step * (uniforms.beta1 * m[index] + (1.0 - uniforms.beta1) * g[index]) /
        (sqrt(uniforms.beta2 * v[index] + (1.0 - uniforms.beta2) * g[index] * g[index]) / uniforms.sqrtC2 + uniforms.eps)`,
} as const;

const INPUTS = { p: ['p', 'g', 'm', 'v'], m: ['g', 'm'], v: ['g', 'v'] } as const;

const adamwProgram = (what: 'p' | 'm' | 'v', n: number) =>
  elementwiseProgram({ key: `adamw_${what}`, inputs: [...INPUTS[what]], n, uniforms: UNIFORMS, body: `result[index] = ${EXPRESSIONS[what]};` });

export const webgpuAdamW: KernelFunc = ({ inputs, backend, attrs }) => {
  const all = inputs as Record<'p' | 'g' | 'm' | 'v', TensorInfo>;
  const h = attrs as unknown as AdamWHyper;
  const n = sizeOf(all.p.shape);
  const uniforms = [i32(n), f32(h.beta1), f32(h.beta2), f32(h.eps), f32(1 - h.lr * h.weightDecay), f32(h.lr / h.c1), f32(Math.sqrt(h.c2))];
  const one = (what: 'p' | 'm' | 'v') =>
    run(
      backend,
      adamwProgram(what, n),
      INPUTS[what].map((k) => all[k]),
      all.p.shape,
      uniforms,
    );
  return [one('p'), one('m'), one('v')];
};
