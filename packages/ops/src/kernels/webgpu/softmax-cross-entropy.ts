import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { ELEMENT_WORKGROUP, elementGroups, f32, i32, program, reductionSnippet, rowPrelude, rowWorkgroup, run } from './webgpu-program';

/**
 * WGSL softmax gradient and softmax cross-entropy for the kernels of fused-softmax.ts and
 * fused-cross-entropy.ts (same inputs, attributes and outputs). The softmax forward stays
 * tfjs's own webgpu program (already one workgroup per row).
 */

/** dx = y·(dy − Σ dy·y), one workgroup per row: one program where the composite runs four. */
function softmaxGradProgram(rows: number, d: number) {
  const wg = rowWorkgroup(d);
  return program({
    key: 'softmaxGrad',
    inputs: ['dy', 'y'],
    outputSize: rows * d,
    groups: rows,
    workgroup: wg,
    uniforms: 'rows : i32, d : i32,',
    body: `${reductionSnippet(wg)}
  fn main(index : i32) {${rowPrelude(wg)}
    var s = 0.0;
    for (var j = i32(tid); j < end; j += ${wg}) { s += dy[o + j] * y[o + j]; }
    let dot = reduceSum(tid, s);
    for (var j = i32(tid); j < end; j += ${wg}) { result[o + j] = y[o + j] * (dy[o + j] - dot); }
  }`,
  });
}

/** Per row of logits: log-sum-exp (max, then Σ exp) or the mean logit (label smoothing). */
function rowStatProgram(what: 'lse' | 'mean', rows: number, d: number) {
  const wg = rowWorkgroup(d);
  const body =
    what === 'lse'
      ? `var m = -3.402823e+38;
    for (var j = i32(tid); j < end; j += ${wg}) { m = max(m, logits[o + j]); }
    let rowMax = reduceMax(tid, m);
    var s = 0.0;
    for (var j = i32(tid); j < end; j += ${wg}) { s += exp(logits[o + j] - rowMax); }
    let value = rowMax + log(reduceSum(tid, s));`
      : `var s = 0.0;
    for (var j = i32(tid); j < end; j += ${wg}) { s += logits[o + j]; }
    let value = reduceSum(tid, s) / f32(d);`;
  return program({
    key: `crossEntropy_${what}`,
    inputs: ['logits'],
    outputSize: rows,
    groups: rows,
    workgroup: wg,
    uniforms: 'rows : i32, d : i32,',
    body: `${reductionSnippet(wg)}
  fn main(index : i32) {${rowPrelude(wg)}
    ${body}
    if (tid == 0u && row < uniforms.rows) { result[row] = value; }
  }`,
  });
}

/**
 * The target's logit per row. A label outside [0, c) gives NaN (so the loss is NaN): checking it
 * as cpu and wasm do would read the labels back from the GPU on every step.
 */
function pickedProgram(rows: number) {
  return program({
    key: 'crossEntropy_picked',
    inputs: ['logits', 'labels'],
    outputSize: rows,
    groups: elementGroups(rows),
    workgroup: ELEMENT_WORKGROUP,
    uniforms: 'rows : i32, d : i32,',
    body: `
  fn main(index : i32) {
    if (index < uniforms.rows) {
      let label = labels[index];
      if (label >= 0 && label < uniforms.d) { result[index] = logits[index * uniforms.d + label]; }
      else { result[index] = uniforms.NAN; }
    }
  }`,
  });
}

/** (softmax − smoothed one-hot)·scale, one element per thread. */
function gradProgram(rows: number, d: number) {
  const n = rows * d;
  return program({
    key: 'crossEntropyGrad',
    inputs: ['logits', 'lse', 'labels', 'scale'],
    outputSize: n,
    groups: elementGroups(n),
    workgroup: ELEMENT_WORKGROUP,
    uniforms: 'n : i32, d : i32, keep : f32, spread : f32,',
    body: `
  fn main(index : i32) {
    if (index < uniforms.n) {
      let r = index / uniforms.d;
      let s = scale[r];
      var v = (exp(logits[index] - lse[r]) - uniforms.spread) * s;
      if (index - r * uniforms.d == labels[r]) { v -= uniforms.keep * s; }
      result[index] = v;
    }
  }`,
  });
}

const dims = (shape: number[]) => {
  const d = shape[shape.length - 1] ?? 1;
  return [shape.reduce((a, b) => a * b, 1) / Math.max(d, 1), d] as const;
};

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
  return run(backend, gradProgram(n, c), [logits, lse, labels, scale], [n, c], [i32(n * c), i32(c), f32(1 - eps), f32(eps / c)]);
};
