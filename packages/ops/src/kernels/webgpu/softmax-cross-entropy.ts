import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { dims } from '../fused-softmax';
import { elementwiseProgram, f32, i32, rowProgram, run } from './webgpu-program';

/**
 * WGSL softmax gradient and softmax cross-entropy for the kernels of fused-softmax.ts and
 * fused-cross-entropy.ts (same inputs, attributes and outputs). The softmax forward stays
 * tfjs's own webgpu program (already one workgroup per row).
 */

/** dx = y·(dy − Σ dy·y), one workgroup per row: one program where the composite runs four. */
const softmaxGradProgram = (rows: number, d: number) =>
  rowProgram({
    key: 'softmaxGrad',
    inputs: ['dy', 'y'],
    rows,
    d,
    outputSize: rows * d,
    body: (wg) => `var s = 0.0;
    for (var j = i32(tid); j < end; j += ${wg}) { s += dy[o + j] * y[o + j]; }
    let dot = reduceSum(tid, s);
    for (var j = i32(tid); j < end; j += ${wg}) { result[o + j] = y[o + j] * (dy[o + j] - dot); }`,
  });

/** Per row of logits: log-sum-exp (max, then Σ exp) or the mean logit (label smoothing). */
const rowStatProgram = (what: 'lse' | 'mean', rows: number, d: number) =>
  rowProgram({
    key: `crossEntropy_${what}`,
    inputs: ['logits'],
    rows,
    d,
    outputSize: rows,
    body: (wg) => `${
      what === 'lse'
        ? `var m = -3.402823e+38;
    for (var j = i32(tid); j < end; j += ${wg}) { m = max(m, logits[o + j]); }
    let rowMax = reduceMax(tid, m);
    var s = 0.0;
    for (var j = i32(tid); j < end; j += ${wg}) { s += exp(logits[o + j] - rowMax); }
    let value = rowMax + log(reduceSum(tid, s));`
        : `var s = 0.0;
    for (var j = i32(tid); j < end; j += ${wg}) { s += logits[o + j]; }
    let value = reduceSum(tid, s) / f32(d);`
    }
    if (tid == 0u && row < uniforms.rows) { result[row] = value; }`,
  });

/**
 * The target's logit per row. A label outside [0, c) gives NaN (so the loss is NaN): checking it
 * as cpu and wasm do would read the labels back from the GPU on every step.
 */
const pickedProgram = (rows: number) =>
  elementwiseProgram({
    key: 'crossEntropy_picked',
    inputs: ['logits', 'labels'],
    n: rows,
    uniforms: 'd : i32,',
    body: `let label = labels[index];
      if (label >= 0 && label < uniforms.d) { result[index] = logits[index * uniforms.d + label]; }
      else { result[index] = uniforms.NAN; }`,
  });

/** (softmax − smoothed one-hot)·scale, one element per thread. */
const gradProgram = (n: number) =>
  elementwiseProgram({
    key: 'crossEntropyGrad',
    inputs: ['logits', 'lse', 'labels', 'scale'],
    n,
    uniforms: 'd : i32, keep : f32, spread : f32,',
    body: `let r = index / uniforms.d;
      let s = scale[r];
      var v = (exp(logits[index] - lse[r]) - uniforms.spread) * s;
      if (index - r * uniforms.d == labels[r]) { v -= uniforms.keep * s; }
      result[index] = v;`,
  });

export const webgpuSoftmaxGrad: KernelFunc = ({ inputs, backend }) => {
  const { dy, y } = inputs as Record<'dy' | 'y', TensorInfo>;
  const [rows, d] = dims(dy.shape);
  return run(backend, softmaxGradProgram(rows, d), [dy, y], dy.shape, [i32(rows), i32(d)]);
};

export const webgpuCrossEntropy: KernelFunc = ({ inputs, backend }) => {
  const { logits, labels } = inputs as Record<'logits' | 'labels', TensorInfo>;
  const [n, c] = logits.shape as [number, number];
  const uniforms = [i32(n), i32(c)];
  return [
    run(backend, rowStatProgram('lse', n, c), [logits], [n], uniforms),
    run(backend, pickedProgram(n), [logits, labels], [n], uniforms),
    run(backend, rowStatProgram('mean', n, c), [logits], [n], uniforms),
  ];
};

export const webgpuCrossEntropyGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { logits, lse, labels, scale } = inputs as Record<'logits' | 'lse' | 'labels' | 'scale', TensorInfo>;
  const [n, c] = logits.shape as [number, number];
  const eps = (attrs as { eps: number }).eps;
  return run(backend, gradProgram(n * c), [logits, lse, labels, scale], [n, c], [i32(n * c), i32(c), f32(1 - eps), f32(eps / c)]);
};
