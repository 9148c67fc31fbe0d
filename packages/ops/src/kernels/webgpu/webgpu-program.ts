import type { TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The parts of `@tensorflow/tfjs-backend-webgpu`'s backend and program interface the WGSL kernels
 * use (tfjs 4.22: `WebGPUBackend.runWebGPUProgram`, `WebGPUProgram`). Typed here so that ops
 * does not import the webgpu package (it is an optional peer, loaded only by `loadBackend`).
 */
export interface WebGpuBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  runWebGPUProgram(program: WebGpuProgram, inputs: TensorInfo[], outputDtype: 'float32' | 'int32', uniforms?: ProgramUniform[]): TensorInfo;
}

export type ProgramUniform = { type: 'float32' | 'int32'; data: number[] };

export interface WebGpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms?: string;
  getUserCode(): string;
}

/**
 * One program of these kernels. Every input and the output are bound as flat arrays (tfjs declares
 * each input as `var<storage, read> <name>: array<f32 | i32>`, the output as `result`), so the body
 * indexes them directly and sizes come in as uniforms: one compiled pipeline serves every shape.
 * `groups` workgroups of `workgroup` threads; the body is `fn main(index: i32)` with `index` the
 * global invocation index (tfjs folds a dispatch over 65535 groups into 2-D and keeps it flat).
 */
export function program(spec: { key: string; inputs: string[]; outputSize: number; groups: number; workgroup: number; uniforms?: string; body: string }): WebGpuProgram {
  return {
    variableNames: spec.inputs,
    outputShape: [spec.outputSize],
    shaderKey: `tfjsPeft_${spec.key}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.max(1, spec.groups), 1, 1],
    workgroupSize: [spec.workgroup, 1, 1],
    uniforms: spec.uniforms,
    getUserCode: () => spec.body,
  };
}

/** Elements of a shape. */
export const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The same buffer seen as a flat array (webgpu reshapes are metadata only). */
export const flat = (t: TensorInfo): TensorInfo => ({ dataId: t.dataId, shape: [sizeOf(t.shape)], dtype: t.dtype });

/** Runs `prog` on flat views of `inputs` and returns the output with `shape`. */
export function run(backend: unknown, prog: WebGpuProgram, inputs: TensorInfo[], shape: number[], uniforms: ProgramUniform[]): TensorInfo {
  const out = (backend as WebGpuBackendLike).runWebGPUProgram(prog, inputs.map(flat), 'float32', uniforms);
  return { dataId: out.dataId, shape, dtype: 'float32' };
}

/** Releases a temporary a kernel made (its buffer returns to the backend's pool once the GPU is done). */
export function disposeInfo(backend: unknown, t: TensorInfo): void {
  (backend as WebGpuBackendLike).disposeData(t.dataId);
}

export const i32 = (v: number): ProgramUniform => ({ type: 'int32', data: [v] });
export const f32 = (v: number): ProgramUniform => ({ type: 'float32', data: [v] });

/**
 * Threads per workgroup for a row kernel over rows of `d` (a power of two: the tree reduction halves
 * it): 64, 256 for rows as long as a vocabulary (tfjs's own softmax makes the same choice), and for
 * short rows the power of two that covers them (no idle threads).
 */
export const rowWorkgroup = (d: number) => (d >= 4096 ? 256 : Math.min(64, Math.max(4, 2 ** Math.ceil(Math.log2(Math.max(d, 1))))));
/** Threads per workgroup for the element-wise kernels. */
export const ELEMENT_WORKGROUP = 256;

/**
 * WGSL: a workgroup-shared buffer and `reduceSum`/`reduceMax` over the workgroup's threads (tree
 * reduction in shared memory). Call them from uniform control flow: every thread of the group,
 * with `tid = localId.x`. Each returns the group's result to every thread.
 */
export function reductionSnippet(workgroup: number): string {
  return `
  var<workgroup> tfjsPeftRed : array<f32, ${workgroup}>;
  fn reduceSum(tid : u32, v : f32) -> f32 {
    tfjsPeftRed[tid] = v;
    workgroupBarrier();
    for (var s = ${workgroup / 2}u; s > 0u; s = s >> 1u) {
      if (tid < s) { tfjsPeftRed[tid] = tfjsPeftRed[tid] + tfjsPeftRed[tid + s]; }
      workgroupBarrier();
    }
    let r = tfjsPeftRed[0];
    workgroupBarrier();
    return r;
  }
  fn reduceMax(tid : u32, v : f32) -> f32 {
    tfjsPeftRed[tid] = v;
    workgroupBarrier();
    for (var s = ${workgroup / 2}u; s > 0u; s = s >> 1u) {
      if (tid < s) { tfjsPeftRed[tid] = max(tfjsPeftRed[tid], tfjsPeftRed[tid + s]); }
      workgroupBarrier();
    }
    let r = tfjsPeftRed[0];
    workgroupBarrier();
    return r;
  }`;
}

/**
 * WGSL: `row` (one workgroup per row), `tid`, `o` (the row's offset) and `end` (the row length, 0 for the padding groups
 * a folded dispatch may add) for a kernel over `uniforms.rows` rows of `uniforms.d`.
 */
export const rowPrelude = (workgroup: number) => `
    let tid = localId.x;
    let row = index / ${workgroup};
    let d = uniforms.d;
    let end = select(0, d, row < uniforms.rows);
    let o = row * d;`;

/** Groups for `n` elements at one element per thread. */
const elementGroups = (n: number) => Math.ceil(n / ELEMENT_WORKGROUP);

/**
 * An element-wise program: `body` runs once per `index < n`. Its uniforms are `n : i32` and then
 * `uniforms` (so its uniform values start with `i32(n)`); `functions` is WGSL placed before `main`.
 */
export function elementwiseProgram(spec: { key: string; inputs: string[]; n: number; uniforms?: string; functions?: string; body: string }): WebGpuProgram {
  return program({
    key: spec.key,
    inputs: spec.inputs,
    outputSize: spec.n,
    groups: elementGroups(spec.n),
    workgroup: ELEMENT_WORKGROUP,
    uniforms: `n : i32, ${spec.uniforms ?? ''}`,
    body: `${spec.functions ?? ''}
  fn main(index : i32) {
    if (index < uniforms.n) {
      ${spec.body}
    }
  }`,
  });
}

/**
 * A row program: one workgroup per row of `d` (`rowWorkgroup(d)` threads) with `reduceSum`,
 * `reduceMax` and the names of `rowPrelude` in scope. Its uniforms are `rows : i32, d : i32` and
 * then `uniforms` (values start with `i32(rows), i32(d)`); `body(wg)` is given the workgroup size
 * for its strided loops.
 */
export function rowProgram(spec: { key: string; inputs: string[]; rows: number; d: number; outputSize: number; uniforms?: string; body: (wg: number) => string }): WebGpuProgram {
  const wg = rowWorkgroup(spec.d);
  return program({
    key: spec.key,
    inputs: spec.inputs,
    outputSize: spec.outputSize,
    groups: spec.rows,
    workgroup: wg,
    uniforms: `rows : i32, d : i32, ${spec.uniforms ?? ''}`,
    body: `${reductionSnippet(wg)}
  fn main(index : i32) {${rowPrelude(wg)}
    ${spec.body(wg)}
  }`,
  });
}
