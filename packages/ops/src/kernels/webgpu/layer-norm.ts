import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { rowsOf } from '../fused-layer-norm';
import { disposeInfo, elementwiseProgram, f32, i32, program, reductionSnippet, rowProgram, run } from './webgpu-program';

/**
 * WGSL LayerNorm, forward and backward, for the kernels of fused-layer-norm.ts (same inputs,
 * attributes and outputs). tfjs's programs have one output each, so a kernel with three outputs is
 * several: one workgroup per row computes the row statistics (mean and 1/σ forward, the two sums
 * backward) into a small `[rows, 2]` temporary, element-wise programs write the outputs from it, and
 * one workgroup per column sums dγ and dβ over the rows.
 */

/** Per row: mean and 1/σ (two passes, as the composite) → `[rows, 2]`. */
const statsProgram = (rows: number, d: number) =>
  rowProgram({
    key: 'layerNorm_stats',
    inputs: ['x'],
    rows,
    d,
    outputSize: rows * 2,
    uniforms: 'eps : f32,',
    body: (wg) => `var s = 0.0;
    for (var j = i32(tid); j < end; j += ${wg}) { s += x[o + j]; }
    let mean = reduceSum(tid, s) / f32(d);
    var q = 0.0;
    for (var j = i32(tid); j < end; j += ${wg}) { let c = x[o + j] - mean; q += c * c; }
    let rs = 1.0 / sqrt(reduceSum(tid, q) / f32(d) + uniforms.eps);
    if (tid == 0u && row < uniforms.rows) {
      result[2 * row] = mean;
      result[2 * row + 1] = rs;
    }`,
  });

/** The per-row sums of the backward, Σ dy·γ and Σ dy·γ·x̂ → `[rows, 2]`. */
const rowSumsProgram = (rows: number, d: number) =>
  rowProgram({
    key: 'layerNormGrad_rowSums',
    inputs: ['dy', 'xhat', 'gamma'],
    rows,
    d,
    outputSize: rows * 2,
    body: (wg) => `var s1 = 0.0;
    var s2 = 0.0;
    for (var j = i32(tid); j < end; j += ${wg}) {
      let dh = dy[o + j] * gamma[j];
      s1 += dh;
      s2 += dh * xhat[o + j];
    }
    let t1 = reduceSum(tid, s1);
    let t2 = reduceSum(tid, s2);
    if (tid == 0u && row < uniforms.rows) {
      result[2 * row] = t1;
      result[2 * row + 1] = t2;
    }`,
  });

/** An element-wise output over rows of `d`: `r` is the element's row, `j` its column. */
const perElement = (key: string, inputs: string[], n: number, expression: string) =>
  elementwiseProgram({
    key,
    inputs,
    n,
    uniforms: 'd : i32,',
    body: `let r = index / uniforms.d;
      let j = index - r * uniforms.d;
      result[index] = ${expression};`,
  });

/** dγ = Σ_rows dy·x̂ or dβ = Σ_rows dy: one workgroup per column, its threads over the rows. */
function columnSumProgram(withXhat: boolean, d: number) {
  const wg = 64;
  return program({
    key: withXhat ? 'layerNormGrad_dgamma' : 'layerNormGrad_dbeta',
    inputs: withXhat ? ['dy', 'xhat'] : ['dy'],
    outputSize: d,
    groups: d,
    workgroup: wg,
    uniforms: 'rows : i32, d : i32,',
    body: `${reductionSnippet(wg)}
  fn main(index : i32) {
    let tid = localId.x;
    let col = index / ${wg};
    let d = uniforms.d;
    let end = select(0, uniforms.rows, col < d);
    var s = 0.0;
    for (var r = i32(tid); r < end; r += ${wg}) { s += dy[r * d + col]${withXhat ? ' * xhat[r * d + col]' : ''}; }
    let total = reduceSum(tid, s);
    if (tid == 0u && col < d) { result[col] = total; }
  }`,
  });
}

export const webgpuLayerNorm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as Record<'x' | 'gamma' | 'beta', TensorInfo>;
  const d = x.shape[x.shape.length - 1]!;
  const rows = rowsOf(x.shape);
  const n = rows * d;
  const stats = run(backend, statsProgram(rows, d), [x], [rows, 2], [i32(rows), i32(d), f32((attrs as { eps: number }).eps)]);
  const sizes = [i32(n), i32(d)];
  const xhat = run(backend, perElement('layerNorm_xhat', ['x', 'stats'], n, '(x[index] - stats[2 * r]) * stats[2 * r + 1]'), [x, stats], x.shape, sizes);
  const y = run(backend, perElement('layerNorm_y', ['xhat', 'gamma', 'beta'], n, 'xhat[index] * gamma[j] + beta[j]'), [xhat, gamma, beta], x.shape, sizes);
  const rstd = run(backend, perElement('layerNorm_rstd', ['stats'], rows, 'stats[2 * index + 1]'), [stats], [...x.shape.slice(0, -1), 1], [i32(rows), i32(1)]);
  disposeInfo(backend, stats);
  return [y, xhat, rstd];
};

export const webgpuLayerNormGrad: KernelFunc = ({ inputs, backend }) => {
  const { dy, xhat, rstd, gamma } = inputs as Record<'dy' | 'xhat' | 'rstd' | 'gamma', TensorInfo>;
  const d = dy.shape[dy.shape.length - 1]!;
  const rows = rowsOf(dy.shape);
  const n = rows * d;
  const shape = [i32(rows), i32(d)];
  const sums = run(backend, rowSumsProgram(rows, d), [dy, xhat, gamma], [rows, 2], shape);
  const dxExpression = 'rstd[r] * (dy[index] * gamma[j] - (sums[2 * r] + xhat[index] * sums[2 * r + 1]) / f32(uniforms.d))';
  const dx = run(backend, perElement('layerNormGrad_dx', ['dy', 'xhat', 'rstd', 'gamma', 'sums'], n, dxExpression), [dy, xhat, rstd, gamma, sums], dy.shape, [i32(n), i32(d)]);
  disposeInfo(backend, sums);
  return [dx, run(backend, columnSumProgram(true, d), [dy, xhat], [d], shape), run(backend, columnSumProgram(false, d), [dy], [d], shape)];
};
